"""Hashed word and character n-gram counts, vectorised with numpy.

scikit-learn's ``HashingVectorizer``/``TfidfVectorizer`` build every n-gram as
a Python string, which caps scoring at a few thousand comments per second on
one core. Here a whole batch is encoded into one byte array and every n-gram
is hashed with vectorised polynomial hashing, so the Python work per batch is
constant and scoring runs at tens of thousands of comments per second.

Features (all in one space of ``2**n_bits`` columns, salted per kind):

* character n-grams of the normalised text padded with one space each side
  (so n-grams at word edges are marked), UTF-8 bytes, ``char_ngram_range``;
* word unigrams and bigrams, words being runs of ``[a-z0-9']`` or non-ASCII
  bytes.

With ``blind_identities`` every identity word (Dixon et al. 2018's terms, and
with ``blind_groups`` the ``GROUP_NOUNS`` too, with
plural and possessive forms) becomes one shared placeholder word, and the
character n-grams that touch it are dropped, so "black", "muslim" and "gay"
reach the model as the same token and no identity word can raise or lower a
score on its own. Words are matched by their hash, in the same vectorised pass.
This lives here and not in :func:`~moderation.classifier.normalise.normalise`,
which the word filter shares.

The same hashing runs per comment in :meth:`HashedNgrams.ngram_positions` for
explanations, so every column a score used can be traced back to characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from moderation.classifier.data import IDENTITY_TERMS

_P = np.uint32(0x01000193)
_P_INV = np.uint32(pow(0x01000193, -1, 2**32))
_MIX = np.uint32(0x9E3779B1)
_WORD_SALT = np.uint32(0x2545F491)
_BIGRAM_SALT = np.uint32(0x68E31DA4)
_BIGRAM_MUL = np.uint32(0x5BD1E995)

_WORD_BYTE = np.zeros(256, dtype=bool)
for _c in b"abcdefghijklmnopqrstuvwxyz0123456789'":
    _WORD_BYTE[_c] = True
_WORD_BYTE[128:] = True

Int64Array = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
UInt32Array = npt.NDArray[np.uint32]


def _powers(base: np.uint32, count: int) -> UInt32Array:
    out = np.empty(count, dtype=np.uint32)
    out[0] = 1
    if count > 1:
        out[1:] = base
        np.cumprod(out, out=out)
    return out


def _encode(texts: Sequence[str]) -> npt.NDArray[np.uint8]:
    joined = "\x00".join(f" {t.replace(chr(0), ' ')} " for t in texts)
    return np.frombuffer(joined.encode("utf-8"), dtype=np.uint8)


def _words(
    data: npt.NDArray[np.uint8], bytes32: UInt32Array
) -> tuple[Int64Array, Int64Array, UInt32Array]:
    """Start, end and hash of every word: hash(i, j) = P^(j-1) * (G[j] - G[i])
    with G the prefix sums of b[t] * P^-t, all modulo 2**32."""
    length = len(data)
    is_word = _WORD_BYTE[data]
    before = np.concatenate(([False], is_word[:-1]))
    after = np.concatenate((is_word[1:], [False]))
    w_start = np.flatnonzero(is_word & ~before)
    w_end = np.flatnonzero(is_word & ~after) + 1
    prefix = np.zeros(length + 1, dtype=np.uint32)
    np.cumsum(bytes32 * _powers(_P_INV, length), out=prefix[1:])
    powers = _powers(_P, length + 1)
    w_hash = powers[w_end - 1] * (prefix[w_end] - prefix[w_start])
    return w_start, w_end, w_hash


def _term_hashes(words: Sequence[str]) -> UInt32Array:
    data = _encode(words)
    return np.unique(_words(data, data.astype(np.uint32))[2])


def _member(values: UInt32Array, table: UInt32Array) -> npt.NDArray[np.bool_]:
    """``values`` found in ``table`` (sorted, unique): a binary search, several
    times cheaper than ``np.isin`` for the few words of one comment."""
    if not len(table):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(table, values), len(table) - 1)
    found: npt.NDArray[np.bool_] = table[at] == values
    return found


_SINGLE_TERMS = [t for t in IDENTITY_TERMS if " " not in t]
# Nouns naming the groups hate speech targets most that Dixon et al.'s
# adjectives miss (HateCheck's women and immigrants, EDOS's women, the hate
# sets' Jews and refugees). Unblinded, each was a word of its own: the
# stacker read "jews" through IDENTITY_ATTACK and held "Jews celebrate the
# holiday with their families".
GROUP_NOUNS = (
    "woman", "women", "men", "jew", "immigrant", "migrant", "refugee",
    "foreigner", "feminist", "arab", "hindu", "gypsy", "gypsies", "roma",
    "disabled", "islam", "islamic",
)  # fmt: skip
# The words blinded: Dixon's terms with their plural and possessive forms
# (every model since blinding), and with ``blind_groups`` the group nouns
# too, and "s'" possessives ("jews'", "hispanics'").
_DIXON_WORDS = _term_hashes(
    [f"{t}{end}" for t in _SINGLE_TERMS for end in ("", "s", "es", "'s")]
)
BLINDED_WORDS = tuple(
    f"{t}{end}"
    for t in (*_SINGLE_TERMS, *GROUP_NOUNS)
    for end in ("", "s", "es", "'s", "s'")
)
_GROUP_WORDS = _term_hashes(BLINDED_WORDS)


def _blinded_words(blind_groups: bool) -> UInt32Array:
    """The hashes of the words the blinding replaces."""
    return _GROUP_WORDS if blind_groups else _DIXON_WORDS


# Two-word terms ("middle eastern") as the bigram hash of their two words.
_IDENTITY_PAIRS = np.unique(
    np.concatenate(
        [
            _term_hashes([a]) * _BIGRAM_MUL + _term_hashes([b])
            for a, b in (t.split() for t in IDENTITY_TERMS if " " in t)
        ]
    )
)
_PLACEHOLDER_HASH = np.uint32(0x1D3A7C55)


# Second-person words: a comment with one "addresses the reader" (the model's
# context; see model.py). Whole words as the hashing splits them, so "you're"
# is one word and "youth" is not "you".
ADDRESS_WORDS = (
    "you", "your", "yours", "yourself", "yourselves", "youre", "you're",
    "youve", "you've", "youll", "you'll", "youd", "you'd", "u", "ur", "ya",
    "yall", "y'all",
)  # fmt: skip
_ADDRESS_HASHES = _term_hashes(ADDRESS_WORDS)


def addressed(texts: Sequence[str]) -> npt.NDArray[np.bool_]:
    """Per normalised text: does it hold a word of :data:`ADDRESS_WORDS`?"""
    data = _encode(texts)
    w_start, _, w_hash = _words(data, data.astype(np.uint32))
    doc_of = np.cumsum(data == 0)
    return _flag_docs(len(texts), doc_of[w_start], w_hash, _ADDRESS_HASHES)


def _unigram_columns(w_hash: UInt32Array, shift: np.uint32) -> Int64Array:
    """The column of each word's unigram, salted apart from the n-grams: one
    formula for the features and for :func:`word_columns`, which must agree."""
    return (((w_hash ^ _WORD_SALT) * _MIX) >> shift).astype(np.int64)


def _flag_docs(
    n_texts: int, w_doc: Int64Array, w_hash: UInt32Array, table: UInt32Array
) -> npt.NDArray[np.bool_]:
    flags = np.zeros(n_texts, dtype=bool)
    flags[w_doc[_member(w_hash, table)]] = True
    return flags


class HashedNgrams:
    """Texts (already normalised) → sparse n-gram counts, stateless.

    It has ``fit`` and ``transform`` but derives from none of scikit-learn's
    base classes: the scorer uses it in every worker, and ``sklearn.base``
    alone loads most of scikit-learn (about 65 MB resident) into a process
    that never trains."""

    def __init__(
        self,
        n_bits: int = 20,
        char_ngram_range: tuple[int, int] = (2, 5),
        word_bigrams: bool = True,
        blind_identities: bool = False,
        word_skip: int = 0,
        blind_groups: bool = False,
    ) -> None:
        self.n_bits = n_bits
        self.char_ngram_range = char_ngram_range
        self.word_bigrams = word_bigrams
        self.blind_identities = blind_identities
        self.blind_groups = blind_groups
        self._blinded = _blinded_words(blind_groups)
        self.word_skip = word_skip

    def blinds(self, word: str) -> bool:
        """Does the blinding replace ``word`` (one word of a normalised text),
        plural and possessive forms included ("muslims")?"""
        return self.blind_identities and bool(
            _member(_term_hashes([word]), self._blinded).any()
        )

    def fit(self, texts: Sequence[str], y: Any = None) -> HashedNgrams:
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        counts, indices, indptr, _ = self.counts(texts)
        matrix = sp.csr_matrix(
            (counts.astype(np.float64), indices, indptr),
            shape=(len(texts), 1 << self.n_bits),
        )
        matrix.has_sorted_indices = True
        return matrix

    def counts(
        self, texts: Sequence[str]
    ) -> tuple[Int64Array, Int32Array, Int64Array, npt.NDArray[np.bool_]]:
        """The CSR parts of :meth:`transform` (integer counts, columns, row
        pointers: the scorer turns counts into TF-IDF without a float copy)
        and :func:`addressed` of each text, from the same pass."""
        docs, cols, _, _, flags = self._pieces(texts, with_positions=False)
        n_texts = len(texts)
        # Each piece (one n-gram kind) is in text order, so a counting sort by
        # text merges them; then each text's columns are sorted on their own.
        # Many small sorts beat one sort of the whole batch several times over
        # (they stay in cache and are log(batch) levels shallower).
        if n_texts == 1 or not docs:
            col = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
            col = col.astype(np.uint32)
            bounds = np.array([0, len(col)], dtype=np.int64)
            if n_texts != 1:
                bounds = np.zeros(n_texts + 1, dtype=np.int64)
        else:
            per_piece = [np.bincount(d, minlength=n_texts) for d in docs]
            bounds = np.zeros(n_texts + 1, dtype=np.int64)
            np.cumsum(sum(per_piece), out=bounds[1:])
            col = np.empty(int(bounds[-1]), dtype=np.uint32)
            before = bounds[:-1].copy()
            for d, c, per_doc in zip(docs, cols, per_piece, strict=True):
                # Element i of a piece goes to i + (where its text's run of this
                # piece starts in ``col`` - where it starts in the piece).
                shift = before - (np.cumsum(per_doc) - per_doc)
                col[np.arange(len(d)) + shift[d]] = c
                before += per_doc
        for begin, end in pairwise(bounds.tolist()):
            if end - begin > 1:
                col[begin:end].sort()
        total = len(col)
        first = np.empty(total, dtype=bool)
        if total:
            first[0] = True
            np.not_equal(col[1:], col[:-1], out=first[1:])
            first[bounds[(bounds > 0) & (bounds < total)]] = True
        starts = np.flatnonzero(first)
        counts = np.diff(np.append(starts, total))
        indptr = np.searchsorted(starts, bounds)
        indices = col[starts].astype(np.int32)
        return counts, indices, indptr, flags

    def ngram_positions(self, text: str) -> tuple[Int64Array, Int64Array, Int64Array]:
        """Column, first byte and end byte (exclusive) of every n-gram of
        ``text``, byte offsets counted in ``" " + text + " "`` as UTF-8."""
        _, col, start, end, _ = self._hash([text], with_positions=True)
        return col, start, end

    def _hash(
        self, texts: Sequence[str], *, with_positions: bool
    ) -> tuple[Int64Array, Int64Array, Int64Array, Int64Array, npt.NDArray[np.bool_]]:
        docs, cols, starts, ends, flags = self._pieces(
            texts, with_positions=with_positions
        )
        empty = np.zeros(0, dtype=np.int64)
        return (
            np.concatenate(docs) if docs else empty,
            np.concatenate(cols) if cols else empty,
            np.concatenate(starts) if starts else empty,
            np.concatenate(ends) if ends else empty,
            flags,
        )

    def _pieces(
        self, texts: Sequence[str], *, with_positions: bool
    ) -> tuple[
        list[Int64Array],
        list[Int64Array],
        list[Int64Array],
        list[Int64Array],
        npt.NDArray[np.bool_],
    ]:
        """Text, column (and byte span) of every n-gram, one array per n-gram
        kind, each in the order of the texts."""
        data = _encode(texts)
        length = len(data)
        # Cumulative separator count: an n-gram is inside one text exactly when
        # no separator lies in its window.
        seps = np.zeros(length + 1, dtype=np.int64)
        np.cumsum(data == 0, out=seps[1:])
        doc_of = seps[1:]
        bytes32 = data.astype(np.uint32)
        shift = np.uint32(32 - self.n_bits)
        w_start, w_end, w_hash = _words(data, bytes32)
        w_doc = doc_of[w_start]
        flags = _flag_docs(len(texts), w_doc, w_hash, _ADDRESS_HASHES)
        # Blinding: identity words become the placeholder word, and a char
        # n-gram is kept only if no identity byte lies in its window (counted
        # like the separators).
        block = seps
        if self.blind_identities and len(w_start):
            ident = _member(w_hash, self._blinded)
            if len(w_start) > 1:
                pair = w_hash[:-1] * _BIGRAM_MUL + w_hash[1:]
                two = _member(pair, _IDENTITY_PAIRS) & (w_doc[1:] == w_doc[:-1])
                if two.any():
                    # A two-word term is one placeholder spanning both words.
                    ident[1:] |= two
                    w_start = w_start.copy()
                    w_start[1:][two] = w_start[:-1][two]
                    keep = np.concatenate((~two, [True]))
                    w_start, w_end = w_start[keep], w_end[keep]
                    w_hash, w_doc, ident = w_hash[keep], w_doc[keep], ident[keep]
            if ident.any():
                w_hash = np.where(ident, _PLACEHOLDER_HASH, w_hash)
                marks = np.zeros(length + 1, dtype=np.int64)
                np.add.at(marks, w_start[ident], 1)
                np.add.at(marks, w_end[ident], -1)
                inside = np.cumsum(marks[:-1]) > 0
                block = seps.copy()
                block[1:] += np.cumsum(inside) * (length + 1)
        docs: list[Int64Array] = []
        cols: list[Int64Array] = []
        starts: list[Int64Array] = []
        ends: list[Int64Array] = []
        low, high = self.char_ngram_range
        rolling = bytes32
        for n in range(1, high + 1):
            if n > 1:
                rolling = rolling[:-1] * _P + bytes32[n - 1 :]
            if n < low:
                continue
            count = length - n + 1
            if count <= 0:
                break
            valid = np.flatnonzero(block[n : n + count] == block[:count])
            salted = (rolling[valid] ^ np.uint32(n * 0x45D9F3B)) * _MIX
            docs.append(doc_of[valid])
            cols.append((salted >> shift).astype(np.int64))
            if with_positions:
                starts.append(valid.astype(np.int64))
                ends.append(valid.astype(np.int64) + n)
        if len(w_start):
            docs.append(w_doc)
            cols.append(_unigram_columns(w_hash, shift))
            if with_positions:
                starts.append(w_start.astype(np.int64))
                ends.append(w_end.astype(np.int64))
            if self.word_bigrams and len(w_start) > 1:
                same = np.flatnonzero(w_doc[1:] == w_doc[:-1])
                pair = (w_hash[same] * _BIGRAM_MUL + w_hash[same + 1]) ^ _BIGRAM_SALT
                docs.append(w_doc[same])
                cols.append(((pair * _MIX) >> shift).astype(np.int64))
                if with_positions:
                    starts.append(w_start[same].astype(np.int64))
                    ends.append(w_end[same + 1].astype(np.int64))
            # Skip-bigrams: word pairs with 1..word_skip words between them
            # ("you ... idiot"), salted by the gap.
            for gap in range(2, self.word_skip + 2):
                if len(w_start) <= gap:
                    break
                same = np.flatnonzero(w_doc[gap:] == w_doc[:-gap])
                pair = (w_hash[same] * _BIGRAM_MUL + w_hash[same + gap]) ^ (
                    _BIGRAM_SALT + np.uint32(gap * 0x27D4EB2F)
                )
                docs.append(w_doc[same])
                cols.append(((pair * _MIX) >> shift).astype(np.int64))
                if with_positions:
                    starts.append(w_start[same].astype(np.int64))
                    ends.append(w_end[same + gap].astype(np.int64))
        return docs, cols, starts, ends, flags


def word_columns(
    words: Sequence[str],
    n_bits: int,
    *,
    blind_identities: bool = False,
    blind_groups: bool = False,
) -> Int64Array:
    """The unigram column of each word as :class:`HashedNgrams` hashes it
    (each entry one whole word of a normalised text); -1 for an entry that is
    not exactly one word, or, with ``blind_identities``, an identity word
    (it reaches the model as the shared placeholder)."""
    data = _encode(words)
    w_start, _, w_hash = _words(data, data.astype(np.uint32))
    doc_of = np.cumsum(data == 0)[w_start]
    out = np.full(len(words), -1, dtype=np.int64)
    per_doc = np.bincount(doc_of, minlength=len(words))
    single = per_doc[doc_of] == 1
    if blind_identities:
        single &= ~_member(w_hash, _blinded_words(blind_groups))
    cols = _unigram_columns(w_hash, np.uint32(32 - n_bits))
    out[doc_of[single]] = cols[single]
    return out
