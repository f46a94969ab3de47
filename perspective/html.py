"""HTML comments → plain text, remembering where each character came from.

Perspective clients may send ``comment.type: "HTML"``; the model scores the text
a reader sees, and span offsets go back to the caller as offsets into the HTML
they sent. No Django here: the mapping is plain string work.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

# Tags, comments, and the contents of elements that are never shown as text.
_MARKUP = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<(script|style)\b[^>]*>.*?(?:</\1\s*>|\Z)"
    r"|<[!/?]?[A-Za-z][^>]*>?",
    re.IGNORECASE | re.DOTALL,
)
_ENTITY = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?"
)
# Tags after which a reader sees a break between words.
_BREAKS = re.compile(
    r"</?(?:br|p|div|li|ul|ol|h[1-6]|tr|td|th|blockquote|pre|hr)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class StrippedText:
    """``text`` as a reader sees it; ``text[i]`` came from
    ``source[origin[i]:ends[i]]`` (an entity such as ``&amp;`` is several source
    characters); no ``origin`` means the text is the source."""

    text: str
    origin: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    def source_range(self, start: int, end: int) -> tuple[int, int]:
        """The source offsets ``[begin, end)`` covering ``text[start:end]``."""
        if self.origin is None or self.ends is None:
            return start, end
        if end <= start:
            return self.origin[start], self.origin[start]
        return self.origin[start], self.ends[end - 1]


def _copy(source: str, begin: int, end: int, out: _Mapped) -> None:
    for i in range(begin, end):
        out.append(source[i], i, i + 1)


class _Mapped:
    def __init__(self) -> None:
        self.chars: list[str] = []
        self.origin: list[int] = []
        self.ends: list[int] = []

    def append(self, char: str, begin: int, end: int) -> None:
        self.chars.append(char)
        self.origin.append(begin)
        self.ends.append(end)


def _decode_text(source: str, begin: int, end: int, out: _Mapped) -> None:
    pos = begin
    for match in _ENTITY.finditer(source, begin, end):
        _copy(source, pos, match.start(), out)
        decoded = html.unescape(match.group())
        if decoded == match.group():
            # Not an entity after all ("&foo;"): keep it as written.
            _copy(source, match.start(), match.end(), out)
        else:
            for char in decoded:
                out.append(char, match.start(), match.end())
        pos = match.end()
    _copy(source, pos, end, out)


def strip_html(source: str) -> StrippedText:
    """The visible text of an HTML fragment, with offsets back into it."""
    out = _Mapped()
    pos = 0
    for match in _MARKUP.finditer(source):
        _decode_text(source, pos, match.start(), out)
        if _BREAKS.match(match.group()) and out.chars and not out.chars[-1].isspace():
            out.append(" ", match.start(), match.start())
        pos = match.end()
    _decode_text(source, pos, len(source), out)
    return StrippedText("".join(out.chars), tuple(out.origin), tuple(out.ends))


def plain(source: str) -> StrippedText:
    """Plain text: every character is its own origin."""
    return StrippedText(source)
