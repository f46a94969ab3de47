"""The one way readers see when something happened: "2 Dec 2026, 16:36"."""

from datetime import datetime

from django.utils import timezone
from django.utils.dates import MONTHS_3


def reader_date(at: datetime) -> str:
    """`at` in the current time zone, as the thread, "My comments" and the
    notifications show it (the templates' `date:"j M Y, H:i"`), without the
    date filter's cost per comment."""
    local = at.astimezone(timezone.get_current_timezone())
    month = str(MONTHS_3[local.month]).title()
    return f"{local.day} {month} {local.year}, {local:%H:%M}"
