"""django-cors-headers asks here whether a request may get CORS headers.

Only the comment counts endpoint is covered (CORS_URLS_REGEX), and only for an
origin the requested site lists, so one site's pages cannot read through CORS
anything of another site's.
"""

from typing import Any

from django.http import HttpRequest

from .selectors import origin_allowed_for_counts


def cors_allow_site_origin(sender: Any, request: HttpRequest, **kwargs: Any) -> bool:
    origin = request.headers.get("Origin", "")
    return origin_allowed_for_counts(
        request=request, origin=origin, site_slug=request.GET.get("site", "")
    )
