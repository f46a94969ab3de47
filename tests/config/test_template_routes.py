"""`{% route %}` gives what `{% url %}` gives, under any URL prefix."""

from django.template import engines
from django.urls import clear_script_prefix, set_script_prefix

TEMPLATE = (
    "{% load routes %}"
    "{% route 'login' %}|{% url 'login' %}|"
    "{% route 'articles:detail' slug %}|{% url 'articles:detail' slug %}|"
    "{% route 'articles:comment' 42 %}|{% url 'articles:comment' 42 %}"
)


def _render() -> list[str]:
    text = engines["django"].from_string(TEMPLATE).render({"slug": "peace-talks"})
    return text.split("|")


def test_route_matches_url_with_and_without_an_argument() -> None:
    parts = _render()
    assert parts[0] == parts[1] == "/accounts/login/"
    assert parts[2] == parts[3] == "/stories/peace-talks/"
    assert parts[4] == parts[5]


def test_route_follows_the_script_prefix_of_a_site_served_under_a_path() -> None:
    set_script_prefix("/talk/")
    try:
        parts = _render()
    finally:
        clear_script_prefix()
    assert parts[0] == parts[1] == "/talk/accounts/login/"
    assert parts[2] == parts[3] == "/talk/stories/peace-talks/"
    assert parts[4] == parts[5]
