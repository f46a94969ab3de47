"""Plain-text comment bodies: validation on the way in, safe HTML on the way out."""

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.errors import InvalidInput

MAX_LENGTH = 5000
_ALLOWED_CONTROL = {"\n", "\t"}
_URL = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:!?)]}'\""


def clean_body(body: object, *, max_length: int = MAX_LENGTH) -> str:
    """The body as it will be stored, or InvalidInput saying what to fix."""
    if not isinstance(body, str):
        raise InvalidInput("The comment must be text.", code="body_not_text")
    text = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise InvalidInput(
            "Your comment is empty. Write something before posting.", code="body_empty"
        )
    for ch in text:
        category = unicodedata.category(ch)
        if (category == "Cc" and ch not in _ALLOWED_CONTROL) or category == "Cs":
            raise InvalidInput(
                "Your comment contains invisible control characters (for example "
                "NUL) that cannot be shown. Remove them, or retype the text, and try "
                "again.",
                code="body_control_characters",
            )
    if len(text) > max_length:
        raise InvalidInput(
            f"Your comment is {len(text):,} characters long; the limit is "
            f"{max_length:,}. Please shorten it by "
            f"{_characters(len(text) - max_length)}.",
            code="body_too_long",
        )
    return text


def _characters(count: int) -> str:
    return f"{count:,} character" + ("" if count == 1 else "s")


def _linkify(line: str) -> str:
    out: list[str] = []
    pos = 0
    for match in _URL.finditer(line):
        url = match.group(0)
        trail = ""
        while url and url[-1] in _TRAILING_PUNCTUATION:
            trail = url[-1] + trail
            url = url[:-1]
        out.append(escape(line[pos : match.start()]))
        href = escape(url)
        out.append(f'<a href="{href}" rel="nofollow ugc noopener">{href}</a>')
        out.append(escape(trail))
        pos = match.end()
    out.append(escape(line[pos:]))
    return "".join(out)


def render_body(text: str) -> SafeString:
    """Plain text to HTML: paragraphs kept, http(s) links made, nothing else allowed.

    Every piece of reader text passes through `escape`, so no markup the reader
    typed is ever rendered.
    """
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    html = "".join(
        "<p>" + "<br>".join(_linkify(line) for line in p.strip().split("\n")) + "</p>"
        for p in paragraphs
    )
    return mark_safe(html)  # noqa: S308 - every fragment above is escaped
