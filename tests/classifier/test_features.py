"""Identity blinding in the feature step."""

import numpy as np

from moderation.classifier.features import HashedNgrams


def test_blinded_features_do_not_depend_on_the_identity() -> None:
    """Sentences that differ only in the identity term hash identically."""
    # given
    ngrams = HashedNgrams(n_bits=16, blind_identities=True)
    texts = [
        "jewish people are welcome",
        "asian people are welcome",
        "middle eastern people are welcome",
        "blacks people are welcome",
    ]
    # when
    rows = ngrams.transform(texts).toarray()
    # then
    assert (rows == rows[0]).all()


def test_group_nouns_are_blinded_like_identity_terms_only_when_asked() -> None:
    """With ``blind_groups`` the nouns hate speech names most ("jews",
    "women", "refugees'") hash like Dixon's terms; a model trained without it
    keeps them as words of their own, so its scores do not change."""
    # given
    groups = HashedNgrams(n_bits=16, blind_identities=True, blind_groups=True)
    dixon = HashedNgrams(n_bits=16, blind_identities=True)
    texts = [
        "christians celebrate the holiday",
        "jews celebrate the holiday",
        "women celebrate the holiday",
    ]
    # when
    rows = groups.transform(texts).toarray()
    old = dixon.transform(texts[:2]).toarray()
    # then
    assert (rows == rows[0]).all()
    assert not (old[0] == old[1]).all()
    assert groups.blinds("refugees'")
    assert not dixon.blinds("jews")
    assert not groups.blinds("womanizer")


def test_blinding_leaves_other_words_alone() -> None:
    """Words that merely contain an identity term keep their own features."""
    # given
    ngrams = HashedNgrams(n_bits=16, blind_identities=True)
    plain = HashedNgrams(n_bits=16)
    text = ["a blackberry and a whiteboard"]
    # when / then
    assert (ngrams.transform(text).toarray() == plain.transform(text).toarray()).all()


def test_skip_bigrams_span_the_words_they_pair() -> None:
    """A pair with one word between covers both words and the gap."""
    # given
    ngrams = HashedNgrams(n_bits=16, word_skip=1)
    text = "you are idiots"
    # when
    _, starts, ends = ngrams.ngram_positions(text)
    # then
    padded = f" {text} ".encode()
    pieces = {padded[s:e] for s, e in zip(starts.tolist(), ends.tolist(), strict=True)}
    assert b"you are idiots" in pieces
    plain = HashedNgrams(n_bits=16).transform([text]).nnz
    assert ngrams.transform([text]).nnz == plain + 1


def test_batch_counts_equal_each_text_counted_alone() -> None:
    """A text's counts do not depend on the texts batched with it: every row
    holds the sorted columns of its own n-grams and how often each occurs."""
    # given
    ngrams = HashedNgrams(n_bits=12, blind_identities=True)
    texts = ["you are an idiot idiot", "", "a", "muslim people", "x" * 300, "é ü"]
    # when
    batch = ngrams.transform(texts)
    # then
    for row, text in enumerate(texts):
        alone = ngrams.transform([text])
        assert (batch[row].toarray() == alone.toarray()).all()
        cols, _, _ = ngrams.ngram_positions(text)
        unique, counts = np.unique(cols, return_counts=True)
        assert batch[row].indices.tolist() == unique.tolist()
        assert batch[row].data.tolist() == counts.tolist()
