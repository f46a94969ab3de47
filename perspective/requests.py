"""Perspective request bodies → checked, typed requests (no Django).

Every problem becomes an :class:`~perspective.errors.ApiError` that names the
field, as Google's JSON errors do; nothing here can raise anything else on any
input.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from perspective.errors import ApiError, invalid

# The names a Perspective client may ask for. Which of them this server scores
# is the loaded model's business (``attribute_names``); the classifier's own
# list is not imported here because importing it loads scikit-learn, which an
# ordinary web process must not.
ATTRIBUTES = (
    "TOXICITY",
    "SEVERE_TOXICITY",
    "IDENTITY_ATTACK",
    "INSULT",
    "PROFANITY",
    "THREAT",
)
EXPERIMENTAL = "_EXPERIMENTAL"
# Perspective's own limit on comment.text.
MAX_TEXT_BYTES = 20480
MAX_ID_LENGTH = 512
TEXT_TYPES = ("PLAIN_TEXT", "HTML")
# A suggested score's attribute: a Perspective name, or a client's own label
# such as Coral Talk's comment status (APPROVED, DELETED).
_LABEL_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")

_ANALYZE_FIELDS = {
    "comment",
    "context",
    "requestedAttributes",
    "spanAnnotations",
    "languages",
    "doNotStore",
    "clientToken",
    "sessionId",
    "communityId",
    "dropUnsupportedAttributes",
}
_SUGGEST_FIELDS = {
    "comment",
    "context",
    "attributeScores",
    "languages",
    "clientToken",
    "sessionId",
    "communityId",
}


@dataclass(frozen=True)
class Requested:
    """One requested attribute: the name as sent and the model's name for it."""

    name: str
    attribute: str
    threshold: float | None = None


@dataclass(frozen=True)
class AnalyzeRequest:
    text: str
    text_type: str
    requested: tuple[Requested, ...]
    languages: tuple[str, ...] = ()
    span_annotations: bool = False
    do_not_store: bool = False
    drop_unsupported: bool = False
    client_token: str | None = None
    session_id: str = ""
    community_id: str = ""


@dataclass(frozen=True)
class SuggestRequest:
    text: str
    text_type: str
    scores: dict[str, float]
    languages: tuple[str, ...] = ()
    context: list[str] = field(default_factory=list)
    client_token: str | None = None
    session_id: str = ""
    community_id: str = ""


def _camel(name: str) -> str:
    """Google's JSON accepts a proto's snake_case field names too."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _object(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as error:
        raise invalid(f"Invalid JSON payload received. {error}") from None
    except RecursionError:
        raise invalid("Invalid JSON payload received. Nested too deeply.") from None
    if not isinstance(body, dict):
        raise invalid("Invalid JSON payload received. Expected a JSON object.")
    try:
        # "\ud800" escapes decode to unpaired surrogates, which are not text:
        # neither the language detector nor the database can take them.
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise invalid(
            "Invalid JSON payload received. A string holds an unpaired UTF-16 "
            "surrogate (not valid Unicode text)."
        ) from None
    return body


def _fields(body: dict[str, Any], known: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in body.items():
        name = _camel(str(key))
        if name not in known:
            raise invalid(
                f'Invalid JSON payload received. Unknown name "{key}": '
                "Cannot find field."
            )
        out[name] = value
    return out


def _bool(fields: dict[str, Any], name: str) -> bool:
    value = fields.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise invalid(f'Invalid value at "{name}": expected true or false.')
    return value


def _string(fields: dict[str, Any], name: str) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(f'Invalid value at "{name}": expected a string.')
    if len(value) > MAX_ID_LENGTH:
        raise invalid(f'"{name}" is longer than {MAX_ID_LENGTH} characters.')
    return value


def _comment(fields: dict[str, Any]) -> tuple[str, str]:
    comment = fields.get("comment")
    if comment is None:
        raise invalid("Comment must be specified.")
    if not isinstance(comment, dict):
        raise invalid('Invalid value at "comment": expected an object.')
    for key in comment:
        if key not in ("text", "type"):
            raise invalid(
                f'Invalid JSON payload received. Unknown name "{key}" at '
                '"comment": Cannot find field.'
            )
    text = comment.get("text")
    if text is None:
        raise invalid("Comment text must be specified.")
    if not isinstance(text, str):
        raise invalid('Invalid value at "comment.text": expected a string.')
    if not text.strip():
        raise invalid("Comment text must not be empty.", "COMMENT_EMPTY")
    if (
        len(text) > MAX_TEXT_BYTES // 4
        and len(text.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES
    ):
        raise invalid(
            f"Comment text was too many bytes (the limit is {MAX_TEXT_BYTES} "
            "bytes of UTF-8).",
            "COMMENT_TOO_LONG",
        )
    text_type = comment.get("type") or "PLAIN_TEXT"
    if text_type not in TEXT_TYPES:
        raise invalid(
            f'Invalid value at "comment.type" ({text_type!r}): expected '
            "PLAIN_TEXT or HTML."
        )
    return text, str(text_type)


def _languages(fields: dict[str, Any]) -> tuple[str, ...]:
    value = fields.get("languages")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid('Invalid value at "languages": expected a list of strings.')
    out: list[str] = []
    for code in value:
        if not _LANGUAGE.match(code):
            raise invalid(f"Unable to parse language code: {code!r}.")
        # BCP-47 "en-US", "EN" (Coral Talk's feedback) → "en".
        primary = code.replace("_", "-").split("-")[0].lower()
        if primary not in out:
            out.append(primary)
    return tuple(out)


def attribute_for(name: str) -> str | None:
    """The attribute a requested name means (``_EXPERIMENTAL`` folded), or None."""
    base = name.removesuffix(EXPERIMENTAL)
    return base if base in ATTRIBUTES else None


def _requested(fields: dict[str, Any]) -> tuple[Requested, ...]:
    value = fields.get("requestedAttributes")
    if value is None or value == {}:
        raise invalid("Requested attributes must not be empty.")
    if not isinstance(value, dict):
        raise invalid('Invalid value at "requestedAttributes": expected an object.')
    out: list[Requested] = []
    for name, params in value.items():
        attribute = attribute_for(name)
        if attribute is None:
            raise invalid(
                f"Unknown attribute: {name}. Known attributes: "
                f"{', '.join(ATTRIBUTES)} (each also with {EXPERIMENTAL}).",
                "ATTRIBUTE_UNKNOWN",
            )
        params = params or {}
        if not isinstance(params, dict):
            raise invalid(f'Invalid value at "requestedAttributes.{name}".')
        for key in params:
            if _camel(key) not in ("scoreType", "scoreThreshold"):
                raise invalid(
                    f'Invalid JSON payload received. Unknown name "{key}" at '
                    f'"requestedAttributes.{name}": Cannot find field.'
                )
        params = {_camel(k): v for k, v in params.items()}
        score_type = params.get("scoreType") or "PROBABILITY"
        if score_type != "PROBABILITY":
            raise invalid(
                f"Score type {score_type!r} is not supported for {name}; this "
                "server gives PROBABILITY scores only."
            )
        threshold = params.get("scoreThreshold")
        if threshold is not None and (
            isinstance(threshold, bool)
            or not isinstance(threshold, int | float)
            or not 0.0 <= threshold <= 1.0
        ):
            raise invalid(
                f'Invalid value at "requestedAttributes.{name}.scoreThreshold": '
                "expected a number from 0 to 1."
            )
        out.append(
            Requested(name, attribute, None if threshold is None else float(threshold))
        )
    return tuple(out)


def parse_analyze(raw: bytes) -> AnalyzeRequest:
    """A checked ``comments:analyze`` request, or :class:`ApiError`."""
    fields = _fields(_object(raw), _ANALYZE_FIELDS)
    text, text_type = _comment(fields)
    return AnalyzeRequest(
        text=text,
        text_type=text_type,
        requested=_requested(fields),
        languages=_languages(fields),
        span_annotations=_bool(fields, "spanAnnotations"),
        do_not_store=_bool(fields, "doNotStore"),
        drop_unsupported=_bool(fields, "dropUnsupportedAttributes"),
        client_token=_string(fields, "clientToken"),
        session_id=_string(fields, "sessionId") or "",
        community_id=_string(fields, "communityId") or "",
    )


def _context(fields: dict[str, Any]) -> list[str]:
    value = fields.get("context")
    if value is None:
        return []
    entries = value.get("entries") if isinstance(value, dict) else None
    if not isinstance(value, dict) or not isinstance(entries, list | None):
        raise invalid('Invalid value at "context": expected {"entries": [...]}.')
    texts: list[str] = []
    for entry in entries or []:
        text = entry.get("text") if isinstance(entry, dict) else None
        if not isinstance(text, str):
            raise invalid('Invalid value at "context.entries": expected text.')
        texts.append(text[:MAX_TEXT_BYTES])
    return texts


def _summary_value(name: str, score: Any) -> float:
    if not isinstance(score, dict):
        raise invalid(f'Invalid value at "attributeScores.{name}".')
    summary = score.get("summaryScore")
    if not isinstance(summary, dict):
        raise invalid(
            f'"attributeScores.{name}.summaryScore" must be an object with a value.'
        )
    value = summary.get("value")
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0.0 <= value <= 1.0
    ):
        raise invalid(
            f'Invalid value at "attributeScores.{name}.summaryScore.value": '
            "expected a number from 0 to 1."
        )
    kind = summary.get("type") or "PROBABILITY"
    if kind != "PROBABILITY":
        raise invalid(f"Score type {kind!r} is not supported; use PROBABILITY.")
    return float(value)


def parse_suggest(raw: bytes) -> SuggestRequest:
    """A checked ``comments:suggestscore`` request, or :class:`ApiError`."""
    fields = _fields(_object(raw), _SUGGEST_FIELDS)
    text, text_type = _comment(fields)
    value = fields.get("attributeScores")
    if not isinstance(value, dict) or not value:
        raise invalid("Attribute scores must not be empty.")
    scores: dict[str, float] = {}
    for name, score in value.items():
        if not _LABEL_NAME.match(name):
            raise invalid(f"Invalid attribute name: {name!r}.")
        scores[name] = _summary_value(name, score)
    return SuggestRequest(
        text=text,
        text_type=text_type,
        scores=scores,
        languages=_languages(fields),
        context=_context(fields),
        client_token=_string(fields, "clientToken"),
        session_id=_string(fields, "sessionId") or "",
        community_id=_string(fields, "communityId") or "",
    )


__all__ = ["ATTRIBUTES", "AnalyzeRequest", "ApiError", "Requested", "SuggestRequest"]
