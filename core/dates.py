"""The one way readers see when something happened: "2 Dec 2026, 16:36"."""

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache

from django.utils import timezone, translation
from django.utils.dates import MONTHS_3


def reader_dates() -> Callable[[datetime], str]:
    """`reader_date` for many dates at once: the time zone and month names are
    looked up once, not per date (a page of a thread formats hundreds)."""
    zone = timezone.get_current_timezone()
    language = translation.get_language()
    months = [""] + [_month(language, m) for m in range(1, 13)]

    def format_date(at: datetime) -> str:
        local = at.astimezone(zone)
        return (
            f"{local.day} {months[local.month]} {local.year}, "
            f"{local.hour:02d}:{local.minute:02d}"
        )

    return format_date


def reader_date(at: datetime) -> str:
    """`at` in the current time zone, as the thread, "My comments" and the
    notifications show it (the templates' `date:"j M Y, H:i"`), without the
    date filter's cost per comment."""
    local = at.astimezone(timezone.get_current_timezone())
    month = _month(translation.get_language(), local.month)
    return f"{local.day} {month} {local.year}, {local.hour:02d}:{local.minute:02d}"


@lru_cache(maxsize=256)
def _month(language: str | None, month: int) -> str:
    # Translating the lazy name was most of the cost of a date.
    return str(MONTHS_3[month]).title()
