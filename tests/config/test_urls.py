"""Every URL reaches its own view, whatever the order of the patterns.

config/urls.py lists the readers' pages first because Django tries patterns in
order; that is only safe while no two patterns match the same path.
"""

import re

import pytest
from django.urls import get_resolver, resolve, reverse, set_script_prefix
from django.urls.resolvers import RoutePattern, URLPattern, URLResolver

from articles.models import Comment

_SAMPLES = {"int": "7", "slug": "a-story", "str": "x", "path": "x/y", "uuid": ""}


def _routes(resolver: URLResolver, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for entry in resolver.url_patterns:
        if not isinstance(entry.pattern, RoutePattern):
            continue  # regular expressions (the admin's): no sample path to make
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _routes(entry, route)
        else:
            found.append((route, entry))
    return found


def test_each_route_resolves_to_its_own_view() -> None:
    """A sample path of every route (a number for <int:…>, a slug for <slug:…>)
    resolves to that route's view, not to one listed before it."""
    # given every route of the project, with sample values for its parts
    routes = [
        (route, pattern)
        for route, pattern in _routes(get_resolver())
        if "<uuid:" not in route
    ]
    assert len(routes) > 50
    for route, pattern in routes:
        path = "/" + re.sub(
            r"<(?:(\w+):)?\w+>", lambda m: _SAMPLES[m.group(1) or "str"], route
        )
        # when the sample path is resolved
        match = resolve(path)
        # then it reaches the route's own view
        assert match.func is pattern.callback, f"{path} reached {match.view_name}"


@pytest.mark.parametrize("script_prefix", ["/", "/news/comments/"])
def test_a_comments_link_is_the_reversed_url_under_any_prefix(
    script_prefix: str,
) -> None:
    """A comment's link (in its API answer) is the URL reverse() gives, also when
    Parley is served under a path prefix, though it is reversed once per route."""
    # given
    comment = Comment(pk=4321)
    set_script_prefix(script_prefix)
    try:
        # when
        links = [comment.get_absolute_url(), Comment(pk=7).get_absolute_url()]
        # then
        assert links == [
            reverse("articles:comment", kwargs={"pk": 4321}),
            reverse("articles:comment", kwargs={"pk": 7}),
        ]
        assert links[0].startswith(script_prefix)
    finally:
        set_script_prefix("/")
