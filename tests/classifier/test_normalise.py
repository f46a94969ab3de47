"""Normalisation that undoes evasions, and its offsets into the original text."""

import pytest

from moderation.classifier import normalise, normalise_with_offsets
from moderation.classifier.normalise import normalise_batch


def test_nfkc_folds_fullwidth_and_styled_letters() -> None:
    """Full-width and mathematical letters read as plain ASCII."""
    # given
    text = "\uff29\uff24\uff29\uff2f\uff34 " + (
        "\U0001d422\U0001d41d\U0001d422\U0001d428\U0001d42d"
    )
    # when
    result = normalise(text)
    # then
    assert result == "idiot idiot"


def test_case_is_folded() -> None:
    """Upper case and German sharp s are folded."""
    assert normalise("IDIOT Straße") == "idiot strasse"


def test_repeated_letters_are_squashed() -> None:
    """Three or more repeats of a letter collapse to one; doubles stay."""
    assert normalise("stuuuupid idiooooot cool") == "stupid idiot cool"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1d10t", "idiot"),
        ("sh1t", "shit"),
        ("a$$hole", "asshole"),
        ("b!tch", "bitch"),
        ("h3ll0", "hello"),
    ],
)
def test_leetspeak_inside_words_is_decoded(text: str, expected: str) -> None:
    """Digits and symbols that stand for letters inside a word become letters."""
    assert normalise(text) == expected


def test_numbers_and_ordinals_are_left_alone() -> None:
    """Plain numbers, ordinals and decades are not leetspeak."""
    assert normalise("in 2012 the 3rd time, the 90s") == "in 2012 the 3rd time, the 90s"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("you i d i o t", "you idiot"),
        ("f.u.c.k off", "fuck off"),
        ("s-t-u-p-i-d", "stupid"),
    ],
)
def test_spaced_out_letters_are_joined(text: str, expected: str) -> None:
    """Single letters separated by spaces, dots or dashes form one word."""
    assert normalise(text) == expected


def test_homoglyphs_from_other_scripts_map_to_latin() -> None:
    """Cyrillic and Greek look-alikes, and accents, are mapped to Latin."""
    # given: Cyrillic i and o, a Greek omicron, an accented a
    text = "\u0456d\u0456\u043et m\u03bfr\u00e1n"
    # when / then
    assert normalise(text) == "idiot moran"


def test_zero_width_characters_are_removed() -> None:
    """Invisible characters inserted to split a word are dropped."""
    assert normalise("id\u200biot") == "idiot"


def test_urls_and_mentions_are_masked() -> None:
    """URLs and @mentions become placeholders."""
    # when
    result = normalise("see https://example.com/x?y=1 and www.foo.org @Bob_2")
    # then
    assert result == "see <url> and <url> <user>"


def test_offsets_point_into_the_original_text() -> None:
    """Every normalised character maps back to the character it came from."""
    # given
    text = "You  I D I O T, 1d10t!"
    # when
    norm, origin = normalise_with_offsets(text)
    # then
    assert norm == normalise(text)
    assert len(origin) == len(norm)
    start = norm.index("idiot")
    assert text[origin[start] : origin[start + 4] + 1] == "I D I O T"
    second = norm.rindex("idiot")
    assert text[origin[second] : origin[second + 4] + 1] == "1d10t"


def test_batch_normalisation_equals_one_text_at_a_time() -> None:
    """Joining a batch for speed changes no text, including URLs at text ends."""
    # given
    texts = [
        "see http://x.y/z",
        "\uff29\uff24\uff29\uff2f\uff34 and   i d i o t",
        "@bob sh1t stuuupid",
        "",
        "plain text 2012 3rd",
        "www.a.b\tnext",
    ]
    # when
    result = normalise_batch(texts)
    # then
    assert result == [normalise(t) for t in texts]


def test_batch_steps_change_only_the_texts_they_match() -> None:
    """Spaced letters, leetspeak and repeats are undone in the texts that have
    them, wherever they sit in the batch, and nowhere across two texts."""
    # given
    texts = [
        "is a dog",
        "a b",
        "c d",
        "f.u.c.k you",
        "x-y-z",
        "a$$hole",
        "what a nice day",
        "sooo good",
        "1 2 3 go",
        "ab c d e",
        "u.s.a!",
        "café ñññ straße",
    ]
    # when
    result = normalise_batch(texts)
    # then
    assert result == [normalise(t) for t in texts]
    assert result[1:3] == ["a b", "c d"]
