"""Saving and loading a model: a ``.skops`` file and a JSON card beside it.

The ``.skops`` file holds only numpy arrays and plain values (no pickle, no
custom classes), so loading executes no code from the file. The card records
the file's sha256; the model version is derived from it, and a file whose hash
does not match its card, or that was written by an incompatible
scikit-learn, is refused with a :class:`ModelLoadError`. A verified file is read
by :mod:`~moderation.classifier.skops_plain` (no scikit-learn import), or by
skops when it holds anything more than Parley writes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from moderation.classifier import skops_plain
from moderation.classifier.card import (
    FORMAT,
    READABLE_FORMATS,
    ModelLoadError,
    card_path_for,
    sha256_of,
    version_from_hash,
)
from moderation.classifier.model import LinearScorer, Prediction, Span


def _sklearn_version() -> str:
    # From the installed package's metadata: importing scikit-learn to read
    # its version would load it into every worker, which scores without it.
    from importlib.metadata import version

    return version("scikit-learn")


def _minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def save(params: dict[str, Any], path: Path, card: dict[str, Any]) -> dict[str, Any]:
    """Write ``params`` to ``path`` with skops and the card beside it."""
    import zipfile

    import skops
    from skops.io import dump

    path.parent.mkdir(parents=True, exist_ok=True)
    dump(params, path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    digest = sha256_of(path)
    full_card = {
        "name": "parley-toxicity",
        "version": version_from_hash(digest),
        "sha256": digest,
        "format": FORMAT,
        "sklearn_version": _sklearn_version(),
        "skops_version": skops.__version__,
        **card,
    }
    write_card(path, full_card)
    return full_card


def write_card(path: Path, card: dict[str, Any]) -> None:
    card_path_for(path).write_text(
        json.dumps(card, indent=2, sort_keys=False) + "\n", encoding="utf-8"
    )


class ToxicityModel:
    """A loaded model: ``score``, ``explain``, ``version``, ``threshold``,
    ``attribute_names``."""

    def __init__(self, scorer: LinearScorer, card: dict[str, Any]) -> None:
        self._scorer = scorer
        self.card = card
        self.version: str = str(card["version"])
        thresholds = card.get("thresholds", {})
        self.thresholds: dict[str, float] = {
            str(k): float(v["value"]) for k, v in thresholds.items()
        }
        self.threshold: float = self.thresholds.get("news", 0.5)

    @property
    def scorer(self) -> LinearScorer:
        return self._scorer

    @property
    def attribute_names(self) -> tuple[str, ...]:
        """The Perspective attribute names this model scores, TOXICITY first;
        every :class:`Prediction` has ``attributes`` for exactly these."""
        return self._scorer.attribute_names

    def score(self, texts: Sequence[str]) -> list[Prediction]:
        return self._scorer.score(list(texts))

    def explain(self, text: str, k: int = 5) -> list[Span]:
        return self._scorer.explain(text, k=k)


def _read(path: Path) -> Any:
    """The object in a ``.skops`` file: by :mod:`skops_plain` when it holds
    only what Parley writes (no scikit-learn import), else by skops itself."""
    try:
        return skops_plain.load(path)
    except skops_plain.NotPlain:
        pass
    from skops.io import load

    # trusted=[]: only skops' default-safe types (numpy arrays, plain values)
    # are accepted; any other type in the file raises.
    return load(path, trusted=[])


def load_model(path: Path | str) -> ToxicityModel:
    """Load and verify a model; raise :class:`ModelLoadError` if unusable."""
    path = Path(path)
    card_path = card_path_for(path)
    if not path.exists():
        raise ModelLoadError(f"model file not found: {path}")
    if not card_path.exists():
        raise ModelLoadError(
            f"model card not found: {card_path} (a model is never loaded without "
            "its card, which holds the hash that proves the file is intact)"
        )
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ModelLoadError(
            f"model card {card_path} is not valid JSON: {error}"
        ) from error
    if not isinstance(card, dict) or "sha256" not in card:
        raise ModelLoadError(f"model card {card_path} has no sha256")
    digest = sha256_of(path)
    if digest != card["sha256"]:
        raise ModelLoadError(
            f"model file {path} does not match its card: sha256 {digest[:12]}… "
            f"but the card says {str(card['sha256'])[:12]}…; the file was changed "
            "or replaced after training. Refusing to load it."
        )
    trained_with = str(card.get("sklearn_version", "unknown"))
    if _minor(trained_with) != _minor(_sklearn_version()):
        raise ModelLoadError(
            f"model {path.name} was made with scikit-learn {trained_with}, this "
            f"environment has {_sklearn_version()}; retrain it with "
            "`python -m moderation.classifier train` or install the version "
            "the card names."
        )
    if card.get("format") not in READABLE_FORMATS:
        raise ModelLoadError(
            f"model {path.name} has format {card.get('format')}, this version of "
            f"Parley reads formats {READABLE_FORMATS}; retrain it with "
            "`python -m moderation.classifier train`"
        )
    try:
        params = _read(path)
    except Exception as error:
        raise ModelLoadError(f"model {path.name} could not be read: {error}") from error
    if not isinstance(params, dict):
        raise ModelLoadError(f"model {path.name} does not hold a parameter dict")
    try:
        scorer = LinearScorer(params)
    except (KeyError, TypeError, ValueError) as error:
        raise ModelLoadError(f"model {path.name} is incomplete: {error}") from error
    return ToxicityModel(scorer, card)
