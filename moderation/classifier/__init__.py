"""Parley's toxicity classifier: plain Python and scikit-learn, no Django.

>>> model = load_model(DEFAULT_MODEL_PATH)
>>> model.score(["you are a 1d10t"])[0].toxicity  # doctest: +SKIP
"""

from moderation.classifier.artifact import (
    DEFAULT_MODEL_PATH,
    ModelLoadError,
    ToxicityModel,
    load_model,
)
from moderation.classifier.model import ATTRIBUTES, Prediction, Span
from moderation.classifier.normalise import normalise, normalise_with_offsets

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
