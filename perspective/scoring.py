"""Scoring a ``comments:analyze`` request with Parley's active model.

The model is loaded lazily, once per process, and only in a process that serves
this API (``PARLEY_PERSPECTIVE_API``); which version is active is re-read every
few seconds so staff activating another model takes effect without a restart.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from moderation import language
from moderation.services import registry
from perspective.errors import ApiError, invalid, language_not_supported
from perspective.html import StrippedText, plain, strip_html
from perspective.requests import AnalyzeRequest

if TYPE_CHECKING:
    from moderation.classifier import ToxicityModel

SUPPORTED_LANGUAGES = ("en",)
# How long a process trusts its idea of the active model version.
_RECHECK_SECONDS = 5.0
# Spans scored per request at most.
_MAX_SPANS = 10

_lock = threading.Lock()
_current: dict[str, Any] = {"checked": 0.0, "model": None}


@dataclass(frozen=True)
class Scored:
    body: dict[str, Any]
    model_version: str


def current_model() -> ToxicityModel:
    """The active model, loaded in this process on first use."""
    now = time.monotonic()
    model: ToxicityModel | None = _current["model"]
    if model is not None and now - _current["checked"] < _RECHECK_SECONDS:
        return model
    with _lock:
        model = _current["model"]
        if model is not None and now - _current["checked"] < _RECHECK_SECONDS:
            return model
        _row, loaded = registry.active_model()
        if loaded is None:
            if model is not None:
                # Keep serving the model in hand rather than fail every call.
                _current["checked"] = now
                return model
            raise ApiError(
                "UNAVAILABLE", "No model could be loaded; ask the site's staff."
            )
        _current.update(checked=now, model=loaded)
        return loaded


def attribute_names(model: ToxicityModel) -> tuple[str, ...]:
    """The Perspective attributes the model really scores (TOXICITY always)."""
    return model.attribute_names


def _attributes(model: ToxicityModel, texts: list[str]) -> list[dict[str, float]]:
    """A calibrated probability per attribute the model scores, per text."""
    return [dict(p.attributes) for p in model.score(texts)]


def _check_language(
    request: AnalyzeRequest, visible: str, first: str
) -> tuple[list[str], list[str]]:
    """(languages used, languages detected); an error when not served."""
    declared = [code for code in request.languages if code not in SUPPORTED_LANGUAGES]
    if declared and not request.drop_unsupported:
        raise language_not_supported(first, declared, detected=False)
    detection = language.detect(visible)
    detected = [detection.language] if detection.language else []
    if detection.is_other_language and not request.drop_unsupported:
        raise language_not_supported(first, detected, detected=True)
    unsupported = bool(declared) or detection.is_other_language
    return ([] if unsupported else ["en"]), detected


def analyze(request: AnalyzeRequest) -> Scored:
    """The Perspective response body for a checked request."""
    model = current_model()
    served = attribute_names(model)
    wanted = []
    for item in request.requested:
        if item.attribute in served:
            wanted.append(item)
        elif not request.drop_unsupported:
            raise invalid(
                f"Attribute {item.name} is not scored by this server's model "
                f"({model.version} scores {', '.join(served)}). Ask only for "
                "those, or set dropUnsupportedAttributes.",
                "ATTRIBUTE_UNSUPPORTED_BY_MODEL",
            )
    stripped: StrippedText = (
        strip_html(request.text) if request.text_type == "HTML" else plain(request.text)
    )
    if not stripped.text.strip():
        raise invalid("Comment text is empty once HTML is removed.", "COMMENT_EMPTY")
    languages, detected = _check_language(
        request, stripped.text, request.requested[0].name
    )
    body: dict[str, Any] = {"attributeScores": {}}
    if languages and wanted:
        scores = _attributes(model, [stripped.text])[0]
        spans = _span_scores(model, stripped) if request.span_annotations else None
        for item in wanted:
            value = scores[item.attribute]
            if item.threshold is not None and value < item.threshold:
                continue
            entry: dict[str, Any] = {
                "summaryScore": {"value": round(value, 6), "type": "PROBABILITY"}
            }
            if spans is not None:
                entry["spanScores"] = [
                    {
                        "begin": begin,
                        "end": end,
                        "score": {
                            "value": round(span[item.attribute], 6),
                            "type": "PROBABILITY",
                        },
                    }
                    for begin, end, span in spans
                ]
            body["attributeScores"][item.name] = entry
    body["languages"] = languages or list(request.languages)
    body["detectedLanguages"] = detected
    if request.client_token is not None:
        body["clientToken"] = request.client_token
    return Scored(body, model.version)


def _span_scores(
    model: ToxicityModel, stripped: StrippedText
) -> list[tuple[int, int, dict[str, float]]]:
    """The words the model's explanation marks, each scored on its own, with
    offsets into the text as the client sent it."""
    spans = sorted(model.explain(stripped.text, k=_MAX_SPANS), key=lambda s: s.start)
    if not spans:
        return []
    scored = _attributes(model, [s.text for s in spans])
    return [
        (*stripped.source_range(s.start, s.end), values)
        for s, values in zip(spans, scored, strict=True)
    ]
