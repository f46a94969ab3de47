"""Parley's toxicity classifier: plain Python and scikit-learn, no Django.

>>> model = load_model(DEFAULT_MODEL_PATH)
>>> model.score(["you are a 1d10t"])[0].toxicity  # doctest: +SKIP

Importing this package costs nothing: the text normalisation (shared with the word
rules) and the card helpers are plain Python, and numpy and scipy load only when a
model does (`load_model`, `ToxicityModel`, `Prediction`, `Span` and `ATTRIBUTES`
are imported on first use), so web processes that never score never load them.
Scoring needs neither scikit-learn nor skops (`skops_plain` reads the model file):
they load only to train, evaluate or read a file holding more than Parley writes.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from moderation.classifier.card import DEFAULT_MODEL_PATH, ModelLoadError
from moderation.classifier.normalise import normalise, normalise_with_offsets

if TYPE_CHECKING:
    from moderation.classifier.artifact import ToxicityModel, load_model
    from moderation.classifier.model import ATTRIBUTES, Prediction, Span

_LAZY = {
    "ToxicityModel": "moderation.classifier.artifact",
    "load_model": "moderation.classifier.artifact",
    "ATTRIBUTES": "moderation.classifier.model",
    "Prediction": "moderation.classifier.model",
    "Span": "moderation.classifier.model",
}

__all__ = [
    "ATTRIBUTES",
    "DEFAULT_MODEL_PATH",
    "ModelLoadError",
    "Prediction",
    "Span",
    "ToxicityModel",
    "load_model",
    "normalise",
    "normalise_with_offsets",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
