from datetime import datetime

from django import template
from django.template.defaultfilters import pluralize
from django.utils import timezone

register = template.Library()


@register.filter
def time_left(deadline: datetime) -> str:
    """ "12 minutes", "1 minute", "40 seconds": the time until `deadline`."""
    seconds = max(0, int((deadline - timezone.now()).total_seconds()))
    if seconds < 60:
        return f"{seconds} second{pluralize(seconds)}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{pluralize(minutes)}"
