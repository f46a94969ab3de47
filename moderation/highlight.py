"""The classifier's explanation spans as <mark> in an escaped comment text."""

from collections.abc import Sequence
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from core.html import html_escape, html_format


def highlight(
    text: str, spans: Sequence[dict[str, Any]], *, limit: int | None = None
) -> SafeString:
    """Every piece of `text` escaped; valid, non-overlapping spans wrapped in <mark>.

    Spans come from stored JSON, so bad offsets are skipped rather than trusted.
    With `limit`, the text is cut (with an ellipsis) after that many characters.
    """
    shown = text if limit is None or len(text) <= limit else text[:limit]
    valid = sorted(
        (int(s["start"]), int(s["end"]), float(s.get("weight", 0.0)))
        for s in spans
        if isinstance(s, dict)
        and isinstance(s.get("start"), int)
        and isinstance(s.get("end"), int)
        and 0 <= s["start"] < s["end"] <= len(text)
    )
    pieces: list[str] = []
    at = 0
    for start, end, weight in valid:
        if start < at or start >= len(shown):
            continue
        end = min(end, len(shown))
        pieces.append(html_escape(shown[at:start]))
        pieces.append(
            html_format(
                '<mark title="weight {}">{}</mark>', f"{weight:.2f}", shown[start:end]
            )
        )
        at = end
    pieces.append(html_escape(shown[at:]))
    if len(shown) < len(text):
        pieces.append("…")
    return mark_safe("".join(pieces))  # noqa: S308  (every piece is escaped above)
