"""Display names readers cannot use to impersonate staff or each other.

`name_problem` says what is wrong with a proposed name (or None); `name_key` folds a
name to the form two names that read the same share: Unicode compatibility forms,
case, accents, separators and confusable characters (Cyrillic "\u0430" for Latin "a",
"0" for "o") all fold away. Uniqueness is checked on that key.

Confusables come from `confusable_homoglyphs`, which ships Unicode's confusables
data (UTS #39) and is kept up to date with it; writing that table by hand would go
stale with every Unicode release.
"""

import unicodedata
from functools import lru_cache

from confusable_homoglyphs import confusables
from django.conf import settings

# Words a reader's name may not contain anywhere once folded (so "TheAdmin" and
# "M o d e r a t o r" are caught), because they read as staff.
RESERVED_WORDS = ("admin", "moderator", "moderation", "parley")
# Ordinary words that contain a reserved one, removed before that check.
ALLOWED_WORDS = ("badminton",)
# Whole words only: "Arsenal supporter", "Stafford" and "Modesty" are fine,
# "Site Staff", "Parley Support" and "Mod Team" are not.
RESERVED_TOKENS = (
    "mod",
    "mods",
    "sysop",
    "staff",
    "support",
    "editor",
    "official",
    "newsroom",
)

# Letters that render as nothing or as blank space, though Unicode calls them
# letters or marks (Hangul fillers, braille blank, combining grapheme joiner).
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5\u180e")
# Readers type digits and symbols for letters to slip past a word list.
_LOOKALIKE_ASCII = {"0": "o", "1": "l", "|": "l", "$": "s", "@": "a"}
_LEET = str.maketrans({"1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "!": "i"})


@lru_cache(maxsize=1)
def _ascii_lookalikes() -> dict[str, str]:
    """Each non-ASCII character that Unicode lists as confusable with one ASCII
    letter or digit, mapped to that character (lower case)."""
    table: dict[str, str] = {}
    for char, homoglyphs in confusables.confusables_data.items():
        if len(char) != 1 or char.isascii():
            continue
        for glyph in homoglyphs:
            target = glyph["c"]
            if len(target) == 1 and target.isascii() and target.isalnum():
                table[char] = target.casefold()
                break
    return table


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a reader's display name, or None if it can."""
    for char in name:
        category = unicodedata.category(char)
        if char in _INVISIBLE or category in ("Cf", "Cc", "Co", "Cn", "Cs"):
            return (
                "The display name contains invisible or text-direction characters; "
                "please use letters, digits, spaces and ordinary punctuation."
            )
        if category in ("Zl", "Zp") or (category == "Zs" and char != " "):
            return "The display name may only use ordinary spaces between words."
    if not any(ch.isalnum() for ch in name):
        return "The display name needs at least one letter or digit."
    if reads_as_staff(name):
        return (
            "That display name reads like a member of staff. Staff and moderators "
            "are shown with a badge; please choose a name of your own."
        )
    return None


def _fold(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    # Strip accents: "Modérateur" and "Moderateur" read alike.
    text = "".join(
        ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch)
    )
    table = _ascii_lookalikes()
    text = "".join(table.get(ch, ch) for ch in text)
    return unicodedata.normalize("NFKC", text).casefold()


def name_key(name: str) -> str:
    """The form names are compared in: "J. Smith", "j smith" and "J.Smith" spelt
    with Cyrillic "\u0408" and "\u0405") all give "jsmith"."""
    folded = _fold(name)
    folded = "".join(_LOOKALIKE_ASCII.get(ch, ch) for ch in folded)
    folded = folded.replace("rn", "m").replace("vv", "w")
    return "".join(ch for ch in folded if ch.isalnum())


def reads_as_staff(name: str, *, site_name: str = "") -> bool:
    """Whether the name, once folded, contains a word that reads as staff."""
    site = site_name or getattr(settings, "PARLEY_SITE_NAME", "")
    folded = _fold(name)
    for allowed in ALLOWED_WORDS:
        folded = folded.replace(allowed, " ")
    words = [*RESERVED_WORDS, *([name_key(site)] if site else [])]
    variants = {
        "".join(ch for ch in folded if ch.isalnum()),
        name_key(folded),
        "".join(ch for ch in folded.translate(_LEET) if ch.isalnum()),
    }
    if any(word and word in variant for word in words for variant in variants):
        return True
    tokens = "".join(ch if ch.isalnum() else " " for ch in folded).split()
    return any(token.translate(_LEET) in RESERVED_TOKENS for token in tokens)
