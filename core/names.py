"""How a list names what it counts."""

import re
from typing import Any

_NUMBERED = re.compile(r"^\d+\. ")


def unnumbered(name: object) -> str:
    """A menu name without the number that orders it on the admin index: the
    breadcrumb and title of "1. Needs review" read "Needs review"."""
    return _NUMBERED.sub("", str(name), count=1)


def counted_noun(opts: Any) -> str:
    """A model's plural name after a count. A numbered queue's name ("1. Needs
    review", numbered for the admin index's order) would read "2 1. Needs review",
    so a queue counts its comments ("comments needing review")."""
    plural = str(opts.verbose_name_plural)
    if not _NUMBERED.match(plural):
        return plural
    return re.sub(r"\bcomment\b", "comments", str(opts.verbose_name), count=1)
