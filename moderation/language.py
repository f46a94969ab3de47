"""Which language a comment is written in: lingua, offline, no Django.

Parley's model scores English only, so a comment in another language must not get
an English score. lingua (lingua-language-detector) is a Rust library whose
n-gram models are compiled into its wheel: nothing is downloaded and nothing is
unpickled. It is built here in low-accuracy mode (trigram models only) for a
handful of languages a news site's comments actually arrive in, which keeps it
near 30 MB and well under a millisecond a comment; figures in
docs/benchmarks.md ("Language identification").

Low-accuracy mode is unreliable on short texts ("you are an idiot" comes out as
Polish), and "ok", "lol" or "+1" are in no language at all. So a text with fewer
than ``MIN_LETTERS`` letters (after links, mentions and numbers are removed) is
*undetermined*, never "not English", and a longer one counts as another
language only when lingua is sure of it and gives English almost nothing.
Undetermined comments are scored as English: holding every "+1" for a human
would bury moderators, and a short text in another language carries little
that an English model could misjudge badly.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import LanguageDetector

ENGLISH = "en"
# Fewer letters than this: no verdict (short replies, emoji, "+1", links).
MIN_LETTERS = 20
# Another language needs at least this confidence, and English at most
# ENGLISH_FLOOR, before a comment counts as not English.
MIN_CONFIDENCE = 0.80
ENGLISH_FLOOR = 0.05
# Longer texts are judged by their first characters only: enough to be sure,
# and the cost of a 20 kB comment stays that of a short one.
SAMPLE_CHARS = 1000
# ISO 639-1 codes of the languages lingua chooses between. English plus the
# languages most often seen in English-language comment sections; other
# scripts (Arabic, Chinese, Cyrillic, Devanagari, Japanese) are recognised by
# their characters alone.
LANGUAGES = (
    "en",
    "es",
    "fr",
    "de",
    "it",
    "pt",
    "nl",
    "pl",
    "tr",
    "ru",
    "ar",
    "zh",
    "ja",
    "hi",
)

_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+|\S+@\S+|[\d_]+")
_LETTER = re.compile(r"[^\W\d_]")

_lock = threading.Lock()
_detector: LanguageDetector | None = None


@dataclass(frozen=True)
class Detection:
    """``language``: an ISO 639-1 code, or None when the text is too short or
    lingua is not sure; ``confidence`` of that verdict; ``letters`` counted."""

    language: str | None
    confidence: float
    letters: int

    @property
    def is_other_language(self) -> bool:
        """True only for a text confidently identified as not English."""
        return self.language is not None and self.language != ENGLISH


def _build() -> LanguageDetector:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [
        Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
        for code in LANGUAGES
    ]
    return (
        LanguageDetectorBuilder.from_languages(*languages)
        .with_low_accuracy_mode()
        .with_preloaded_language_models()
        .build()
    )


def detector() -> LanguageDetector:
    """The process's detector, built on first use (about 0.4 s, 30 MB)."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                _detector = _build()
    return _detector


def detect(text: str) -> Detection:
    """The language of ``text``, or None (undetermined); see the module doc."""
    sample = _NOISE.sub(" ", text[:SAMPLE_CHARS])
    letters = len(_LETTER.findall(sample))
    if letters < MIN_LETTERS:
        return Detection(None, 0.0, letters)
    values = detector().compute_language_confidence_values(sample)
    if not values:
        return Detection(None, 0.0, letters)
    confidence = {v.language.iso_code_639_1.name.lower(): v.value for v in values}
    top = values[0]
    top_code = top.language.iso_code_639_1.name.lower()
    if top_code == ENGLISH:
        return Detection(ENGLISH, float(top.value), letters)
    if top.value >= MIN_CONFIDENCE and confidence.get(ENGLISH, 0.0) <= ENGLISH_FLOOR:
        return Detection(top_code, float(top.value), letters)
    return Detection(None, 0.0, letters)
