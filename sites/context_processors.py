"""`frame`: set when the page is rendered inside an embed frame (see base.html)."""

from django.http import HttpRequest

from .assets import asset_url
from .middleware import frame_of


def frame(request: HttpRequest) -> dict[str, object]:
    context = frame_of(request)
    if context is None:
        return {}
    return {
        "frame": context,
        "frame_script": asset_url("frame.js"),
        "frame_style": asset_url("frame.css"),
    }
