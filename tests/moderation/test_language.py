"""Language identification (moderation.language): no Django, no downloads."""

import pytest

from moderation.language import detect


@pytest.mark.parametrize("text", ["ok", "lol", "+1", "👍👍", "you are an idiot"])
def test_short_comments_are_undetermined_not_foreign(text: str) -> None:
    """Too short to tell: no verdict, so nobody holds "+1" for a human."""
    # when
    found = detect(text)
    # then
    assert found.language is None
    assert not found.is_other_language


def test_english_is_english() -> None:
    # when
    found = detect("I agree with the author about the budget but not about taxes.")
    # then
    assert found.language == "en"
    assert not found.is_other_language


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Das ist ein wirklich guter Artikel, vielen Dank dafür.", "de"),
        ("Qué vergüenza de políticos tenemos en este país, de verdad.", "es"),
        ("C'est n'importe quoi, ce gouvernement ne sait rien faire.", "fr"),
    ],
)
def test_other_languages_are_named(text: str, code: str) -> None:
    # when
    found = detect(text)
    # then
    assert found.language == code
    assert found.is_other_language


def test_links_and_mentions_do_not_count_as_words() -> None:
    """A link with a couple of words is still too short to judge."""
    # when
    found = detect("@maria https://example.org/ein-sehr-langer-pfad-zur-seite danke")
    # then
    assert found.language is None
