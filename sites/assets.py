"""The embed's scripts, served by Parley under versioned (content-hashed) URLs."""

import hashlib
from functools import cache
from pathlib import Path

from django.urls import reverse

ASSETS = Path(__file__).parent / "static" / "parley"
CONTENT_TYPES = {
    "embed.js": "text/javascript",
    "count.js": "text/javascript",
    "frame.js": "text/javascript",
    "popup.js": "text/javascript",
    "frame.css": "text/css",
}


@cache
def asset_bytes(name: str) -> bytes:
    return (ASSETS / name).read_bytes()


@cache
def asset_version(name: str) -> str:
    return hashlib.sha256(asset_bytes(name)).hexdigest()[:12]


def asset_url(name: str) -> str:
    return reverse("sites:asset", kwargs={"version": asset_version(name), "name": name})
