"""`{{ when|reader_date }}`: a date as readers see it everywhere ("3 Dec 2026,
14:20", `core.dates.reader_date`), for templates; Django's `date` filter cost a
tenth of a story page's template. Loaded as `{% load dates %}` (TEMPLATES'
`libraries`)."""

from datetime import datetime

from django import template

from core.dates import reader_date as _reader_date

register = template.Library()


@register.filter
def reader_date(at: datetime | None) -> str:
    return "" if at is None else _reader_date(at)
