"""A Site is one publication that embeds Parley on its own pages.

Every story belongs to one site. A site lists the exact origins allowed to frame the
embed and read counts, the host names its story URLs may use, the secrets its back end
signs single-sign-on tokens with (two, so one can be rotated without downtime) and its
API keys for the CMS (stored hashed; the key itself is shown once).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def validate_origins(text: str) -> None:
    for origin in _lines(text):
        parts = urlsplit(origin)
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.path
            or parts.query
            or parts.fragment
            or parts.username
        ):
            raise ValidationError(
                f"{origin!r} is not an origin: write scheme, host and optional port, "
                "e.g. https://www.example.org or http://localhost:8001."
            )


def validate_hosts(text: str) -> None:
    for host in _lines(text):
        if "/" in host or ":" in host or " " in host:
            raise ValidationError(
                f"{host!r} is not a host name: write it alone, e.g. www.example.org."
            )


class Site(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=50, unique=True, help_text="Used in the embed and the story API."
    )
    allowed_origins = models.TextField(
        blank=True,
        validators=[validate_origins],
        help_text="One per line, exact: scheme://host[:port]. Only these pages may "
        "frame the embed and read comment counts.",
    )
    story_hosts = models.TextField(
        blank=True,
        validators=[validate_hosts],
        help_text="Host names the site's story URLs may use, one per line.",
    )
    # HS256 secrets: both are accepted, so a new one can be deployed before the old
    # one is retired. Never shown on a page after they are set (see the admin).
    sso_secret = models.CharField(max_length=200, blank=True)
    sso_secret_previous = models.CharField(max_length=200, blank=True)
    allow_parley_accounts = models.BooleanField(
        default=True,
        help_text="Readers may also sign in with a Parley account (in a pop-up).",
    )
    create_stories_on_embed = models.BooleanField(
        default=False,
        help_text="Create a story the first time its page loads the embed, when the "
        "page's origin and URL belong to this site.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    @property
    def origins(self) -> list[str]:
        return [o.rstrip("/") for o in _lines(self.allowed_origins)]

    @property
    def hosts(self) -> list[str]:
        return [h.lower() for h in _lines(self.story_hosts)]

    @property
    def sso_secrets(self) -> list[str]:
        return [s for s in (self.sso_secret, self.sso_secret_previous) if s]

    def allows_origin(self, origin: str | None) -> bool:
        return bool(origin) and origin in self.origins

    def allows_url(self, url: str) -> bool:
        parts = urlsplit(url)
        return (
            parts.scheme in ("http", "https")
            and (parts.hostname or "").lower() in self.hosts
        )


class SiteApiKey(models.Model):
    """A key the site's CMS sends to the story API. Only its hash is kept."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, help_text="Who uses it, e.g. 'CMS'.")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ("site", "-created_at")
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class SiteReader(models.Model):
    """A reader signed in by a site's single sign-on: (site, the site's reader id)."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="readers")
    external_id = models.CharField(max_length=255)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="site_reader"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "external_id"], name="unique_site_reader"
            )
        ]

    def __str__(self) -> str:
        return f"{self.site.slug}:{self.external_id}"


class UsedTokenId(models.Model):
    """The `jti` of every accepted sign-on token, kept until the token expires."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE)
    jti = models.CharField(max_length=255)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "jti"], name="unique_token_id")
        ]

    def __str__(self) -> str:
        return f"{self.site_id}:{self.jti}"


class ModeratorSites(models.Model):
    """Limits a moderator to some sites; a moderator with no row sees every site."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="moderator_sites",
    )
    sites = models.ManyToManyField(Site, related_name="+")

    class Meta:
        verbose_name = "moderator's sites"
        verbose_name_plural = "moderators' sites"

    def __str__(self) -> str:
        return f"Sites of {self.user}"
