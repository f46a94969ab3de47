"""Where the shipped model lives and how its card is found: no numpy, no sklearn.

Web processes read these (the registry, health checks) without loading a model, so
this module imports only the standard library.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

DEFAULT_MODEL_PATH = (
    Path(__file__).resolve().parent / "shipped" / "parley-toxicity.skops"
)
# 4: a small network stacks the heads (``stack_w1`` …) instead of ``mix``;
# 3: calibrated attribute heads (Perspective names), also stacked into TOXICITY;
# 2: heads mixed by context (reader addressed, tweet-likeness); 1: one vector.
FORMAT = 4
READABLE_FORMATS = (2, 3, 4)


class ModelLoadError(Exception):
    """The model file is missing, tampered with or incompatible."""


def card_path_for(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(".skops") + ".card.json")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def version_from_hash(sha256: str) -> str:
    return f"tox-{sha256[:8]}"
