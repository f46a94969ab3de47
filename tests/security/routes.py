"""Every URL pattern of the project, walked from the URL configuration."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the pattern itself when unnamed
    pattern: str  # e.g. "api/v1/comments/<int:pk>/"
    callback: Any

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")

    def url(self, **values: object) -> str:
        path = self.pattern
        for key, value in values.items():
            for converter in ("int", "slug", "str", "path", "uuid", ""):
                token = f"<{converter}:{key}>" if converter else f"<{key}>"
                path = path.replace(token, str(value))
        return "/" + path


def _walk(
    patterns: list[Any], prefix: str = "", namespace: str = ""
) -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            name = f"{namespace}{entry.name}" if entry.name else pattern
            yield Route(name=name, pattern=pattern, callback=entry.callback)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))
