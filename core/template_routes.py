"""`{% route "name" %}` and `{% route "name" arg %}`: Django's `url` tag for the
templates every reader request renders, reversed once per route, URL prefix and
URL configuration (`core.urls.route_url`).

A `{% url %}` costs a reverse() each time, about a tenth of the template of a
story page that is not yet cached (eight of them: the header's links, the log-in
links, the help link). For routes without arguments or with one that needs no
quoting (an id, a slug); anything else keeps `{% url %}`. Loaded as
`{% load routes %}` (TEMPLATES' `libraries`).
"""

from django import template

from core.urls import route_url

register = template.Library()


@register.simple_tag
def route(name: str, arg: int | str | None = None) -> str:
    return route_url(name, arg)
