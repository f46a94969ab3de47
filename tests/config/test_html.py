"""core.html: the queue pages' faster format_html gives format_html's output."""

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from core.html import html_escape, html_format

TRICKY = (
    "<script>alert('x')</script>",
    'a "quoted" & <b>bold</b> value',
    mark_safe("<em>already safe</em>"),
    gettext_lazy("Select this object for an action - {}"),
    42,
    0.5,
    None,
)


def test_html_format_escapes_exactly_like_format_html() -> None:
    for value in TRICKY:
        assert html_format("<td title='{}'>{}</td>", value, value) == format_html(
            "<td title='{}'>{}</td>", value, value
        )
        assert html_escape(value) == str(format_html("{}", value))
