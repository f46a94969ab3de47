from django import template
from django.utils.safestring import SafeString

from articles.text import render_body

register = template.Library()


@register.filter
def comment_body(text: str) -> SafeString:
    """Plain-text comment body as safe HTML (see articles.text.render_body)."""
    return render_body(text)
