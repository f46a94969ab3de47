"""Every URL reaches its own view, whatever the order of the patterns.

config/urls.py lists the readers' pages first because Django tries patterns in
order; that is only safe while no two patterns match the same path.
"""

import re

from django.urls import get_resolver, resolve
from django.urls.resolvers import RoutePattern, URLPattern, URLResolver

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
