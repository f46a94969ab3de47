"""The embed's frame authenticates with a token it holds, never with a cookie.

Browsers that block third-party cookies (Safari, Firefox, Chromium with the setting)
would drop a session cookie set inside the frame, so the frame page carries a signed
token naming the site, the reader (or nobody) and the host page's origin. The frame's
script sends it in the `X-Parley-Frame` header of every request it makes; a custom
header cannot be sent cross-site without a CORS preflight Parley never grants, so the
header also stands in for the CSRF cookie.
"""

import secrets
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.core import signing

from accounts.models import User

from .models import Site

HEADER = "X-Parley-Frame"
SALT = "parley.frame"
MAX_AGE = 12 * 60 * 60


@dataclass
class FrameContext:
    """What a request made from inside an embed frame acts for."""

    site: Site
    user: User | None
    host_origin: str
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    story_path: str = ""  # the story's thread on Parley, the frame's home
    notice: str = ""  # a refusal to show at the top of the frame (e.g. bad SSO)
    current: str = ""  # the Parley page the frame's first paint shows

    @property
    def token(self) -> str:
        return signing.dumps(
            {
                "s": self.site.pk,
                "u": self.user.pk if self.user else None,
                "o": self.host_origin,
                "n": self.nonce,
                "p": self.story_path,
            },
            salt=SALT,
            compress=False,
        )

    @property
    def viewer(self) -> User | AnonymousUser:
        return self.user if self.user is not None else AnonymousUser()


def frame_from_token(token: str) -> FrameContext | None:
    """The frame a token names, or None if it is forged, stale or names nobody."""
    if len(token) > 1000:
        return None
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    site = Site.objects.filter(pk=data.get("s")).first()
    if site is None or not site.allows_origin(data.get("o")):
        return None
    user = None
    if data.get("u") is not None:
        user = User.objects.filter(pk=data["u"], is_active=True).first()
        if user is None:
            return None
    return FrameContext(
        site=site,
        user=user,
        host_origin=data["o"],
        nonce=data["n"],
        story_path=data.get("p", ""),
    )
