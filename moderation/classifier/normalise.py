# ruff: noqa: RUF001, RUF002  (the homoglyph table and its examples hold look-alikes)
"""Text normalisation that undoes common evasions before scoring or matching.

The model, its explanations and the banned-word matcher all read text through
:func:`normalise`, so "1d10t", "i d i o t", "ＩＤＩＯＴ", "іdіоt" (Cyrillic) and
"idiooooot" all reach them as "idiot".

Steps, in order:

1. per character: NFKC, then accents and other combining marks dropped,
   look-alike letters from other scripts mapped to Latin, case folded,
   invisible format characters (zero-width space, soft hyphen) removed;
2. URLs → ``<url>``, @mentions → ``<user>``;
3. runs of white space → one space;
4. spaced-out letters ("i d i o t", "f.u.c.k") joined;
5. leetspeak inside words that mix letters and digits/symbols ("sh1t", "a$$");
6. a letter repeated three or more times squashed to one ("stuuupid").

:func:`normalise_with_offsets` returns the same string plus, for each of its
characters, the index of the character of the original text it came from, so
that explanations can highlight the original comment.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

# Cyrillic and Greek letters that render like Latin ones; NFKC leaves them alone.
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h",
        "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s",
        "і": "i", "ї": "i", "ј": "j", "ԁ": "d", "ɡ": "g", "ӏ": "l", "ԛ": "q",
        "ԝ": "w", "һ": "h", "ո": "n", "ս": "u",
        "А": "a", "В": "b", "Е": "e", "К": "k", "М": "m", "Н": "h", "О": "o",
        "Р": "p", "С": "c", "Т": "t", "У": "y", "Х": "x", "Ѕ": "s", "І": "i",
        "Ј": "j",
        "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
        "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w",
        "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h", "Ι": "i", "Κ": "k",
        "Μ": "m", "Ν": "n", "Ο": "o", "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x",
    }
)  # fmt: skip

_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
     "$": "s", "!": "i", "|": "l", "+": "t"}
)  # fmt: skip


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", char))
    kept = "".join(
        c
        for c in decomposed
        if not unicodedata.combining(c) and unicodedata.category(c) != "Cf"
    )
    return kept.translate(_HOMOGLYPHS).casefold()


class _FoldTable(dict[int, str]):
    """``str.translate`` table that folds each code point on first sight."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        if len(self) < 65536:
            self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def _fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    return text.translate(_FOLD_TABLE)


def _join_spaced(match: re.Match[str]) -> str:
    return match.group(0)[::2]


_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th|s|k|m|am|pm|x)?")


def _unleet(match: re.Match[str]) -> str:
    token = match.group(0)
    # Only words that mix letters with look-alike digits or symbols: "2012",
    # "3rd", "90s" and a trailing "!" are left as they are.
    core = token.rstrip("!")
    if not any(c.isalpha() for c in core) or core.isalpha() or _ORDINAL.fullmatch(core):
        return token
    return core.translate(_LEET) + token[len(core) :]


def _always(_text: str) -> bool:
    return True


def _has_odd_space(text: str) -> bool:
    return (
        "  " in text
        or "\n" in text
        or "\t" in text
        or "\r" in text
        or (not text.isascii())
    )


_LEET_HINT = re.compile(r"[a-z][0-9@$|+]|[0-9@$!|+][a-z]")

# Each step: a cheap test that must be true for the pattern to possibly match
# (most comments skip most steps), the pattern, and its replacement. A string
# replacement runs inside the regex engine; callables only where matches are
# rare, since a Python call per match would dominate the cost.
_Replacement = str | Callable[[re.Match[str]], str]
_STEPS: tuple[tuple[Callable[[str], bool], re.Pattern[str], _Replacement], ...] = (
    (
        lambda t: "http" in t or "www." in t,
        # \x00 separates texts in normalise_batch(): a URL never runs across it.
        re.compile(r"(?:https?://|www\.)[^\s\x00]+"),
        "<url>",
    ),
    (lambda t: "@" in t, re.compile(r"(?<![\w@])@\w+"), "<user>"),
    (_has_odd_space, re.compile(r"[^\S ]\s*| \s+"), " "),
    (
        _always,
        re.compile(
            r"(?<![a-z0-9@$])[a-z0-9@$](?:[ .\-*_][a-z0-9@$]){2,}(?![a-z0-9@$])"
        ),
        _join_spaced,
    ),
    # Words with a letter next to a digit or symbol that can stand for one.
    (
        lambda t: _LEET_HINT.search(t) is not None,
        re.compile(
            r"(?<![a-z0-9@$!|+])[a-z0-9@$!|+]*(?:[a-z][0-9@$|+]|[0-9@$!|+][a-z])"
            r"[a-z0-9@$!|+]*"
        ),
        _unleet,
    ),
    (_always, re.compile(r"([a-z])\1{2,}"), r"\1"),
)


def normalise(text: str) -> str:
    """The normalised form of ``text`` that the model and word filters read."""
    out = _fold(text)
    for may_match, pattern, replace in _STEPS:
        if may_match(out):
            out = pattern.sub(replace, out)
    return out


def normalise_batch(texts: Sequence[str]) -> list[str]:
    """``[normalise(t) for t in texts]``, faster on batches.

    The last three steps would scan every text; instead a vectorised test on
    the batch's UTF-8 bytes finds the texts where each one can match (most
    texts need none of them), and the step runs on those only. The tests are
    necessary conditions of the patterns, so every other text is left exactly
    as the step would have left it. numpy is imported here, not at the top:
    the word filter imports this module in web processes that never score.
    """
    if len(texts) < 2 or any("\x00" in t for t in texts):
        return [normalise(t) for t in texts]
    import numpy as np

    out = [_fold(t) for t in texts]
    for may_match, pattern, replace in _STEPS[:3]:
        out = [pattern.sub(replace, t) if may_match(t) else t for t in out]
    for could_match, (_, pattern, replace) in zip(
        (_could_join_spaced, _could_unleet, _could_squash), _STEPS[3:], strict=True
    ):
        data = np.frombuffer("\x00".join(out).encode("utf-8"), dtype=np.uint8)
        hits = np.flatnonzero(could_match(data))
        if not len(hits):
            continue
        # A window never holds the NUL separator, so its first byte's text is
        # the number of separators before it.
        text_of = np.searchsorted(np.flatnonzero(data == 0), hits)
        for index in np.unique(text_of).tolist():
            out[index] = pattern.sub(replace, out[index])
    return out


def _byte_class(chars: str) -> Any:
    import numpy as np

    table = np.zeros(256, dtype=bool)
    table[list(chars.encode("ascii"))] = True
    return table


@lru_cache(maxsize=1)
def _byte_classes() -> tuple[Any, ...]:
    lower = "abcdefghijklmnopqrstuvwxyz"
    return (
        _byte_class(lower + "0123456789@$"),
        _byte_class(" .-*_"),
        _byte_class(lower),
        _byte_class("0123456789@$|+"),
        _byte_class("0123456789@$!|+"),
    )


def _could_join_spaced(data: Any) -> Any:
    """Where three spaced-out single characters start ("a b c"), with no
    character of their class just before or after (a spaced-out run needs
    them: the pattern's look-behind and, after its third character, either
    its look-ahead or a fourth separator)."""
    import numpy as np

    char, sep, _, _, _ = _byte_classes()
    c, s = char[data], sep[data]
    if len(data) < 5:
        return np.zeros(0, dtype=bool)
    alone = c[:-4] & s[1:-3] & c[2:-2] & s[3:-1] & c[4:]
    alone[1:] &= ~c[: len(data) - 5]
    alone[:-1] &= ~c[5:]
    return alone


def _could_unleet(data: Any) -> Any:
    """Where :data:`_LEET_HINT` matches: a letter beside a digit or symbol."""
    _, _, letter, leet, leet_or_bang = _byte_classes()
    first, second = data[:-1], data[1:]
    return (letter[first] & leet[second]) | (leet_or_bang[first] & letter[second])


def _could_squash(data: Any) -> Any:
    """Where a letter appears three times in a row."""
    _, _, letter, _, _ = _byte_classes()
    same = data[1:] == data[:-1]
    return letter[data[:-2]] & same[:-1] & same[1:]


def normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    """``normalise(text)`` and, per output character, its index in ``text``."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = _fold_char(char) if not char.isascii() else char.lower()
        chars.extend(folded)
        origin.extend([index] * len(folded))
    out = "".join(chars)
    for _may_match, pattern, replace in _STEPS:
        pieces: list[str] = []
        new_origin: list[int] = []
        last = 0
        for match in pattern.finditer(out):
            start, end = match.span()
            pieces.append(out[last:start])
            new_origin.extend(origin[last:start])
            replacement = (
                match.expand(replace) if isinstance(replace, str) else replace(match)
            )
            pieces.append(replacement)
            if len(replacement) == end - start:
                new_origin.extend(origin[start:end])
            elif replacement:
                # A shorter or longer replacement: spread it over the match so
                # that its first and last characters keep the match's ends.
                width = end - start
                count = len(replacement)
                new_origin.extend(
                    origin[start + (i * (width - 1)) // max(count - 1, 1)]
                    for i in range(count)
                )
            last = end
        pieces.append(out[last:])
        new_origin.extend(origin[last:])
        out = "".join(pieces)
        origin = new_origin
    return out, origin
