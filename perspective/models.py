"""API keys for the Perspective-compatible endpoint, their daily usage, and the
scores clients suggest (feedback that becomes training labels)."""

from django.conf import settings
from django.db import models


class ApiKey(models.Model):
    """A client's key. Only its SHA-256 is kept; the key is shown once."""

    name = models.SlugField(
        max_length=64,
        unique=True,
        help_text="Who uses the key (logged instead of the key itself).",
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=12,
        editable=False,
        help_text="The key's first characters, to tell keys apart; not a secret.",
    )
    qps_limit = models.PositiveIntegerField(
        "queries per second",
        default=10,
        help_text="Requests above this many in one second get RESOURCE_EXHAUSTED.",
    )
    may_store_text = models.BooleanField(
        default=False,
        help_text="Keep the text of suggested scores as training data. Off: "
        "only the scores, community and client token are kept.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API key"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class KeyUsage(models.Model):
    """Requests one key made on one (UTC) day."""

    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField()
    analyze = models.PositiveIntegerField(default=0)
    suggest = models.PositiveIntegerField(default=0)
    over_quota = models.PositiveIntegerField(
        default=0, help_text="Requests refused with RESOURCE_EXHAUSTED."
    )

    class Meta:
        verbose_name = "API key usage"
        verbose_name_plural = "API key usage"
        ordering = ["-day", "key__name"]
        constraints = [
            models.UniqueConstraint(fields=["key", "day"], name="one_usage_row_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.key.name} {self.day}"


class Feedback(models.Model):
    """One suggested score (``comments:suggestscore``): a client's label."""

    key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="+")
    attribute = models.CharField(
        max_length=64,
        help_text="A Perspective attribute, or the client's own label such as "
        "Coral Talk's APPROVED / DELETED.",
    )
    value = models.FloatField()
    label = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="1 abusive, 0 acceptable; empty when the attribute says neither.",
    )
    text = models.TextField(
        blank=True, help_text="Empty when the key may not store text."
    )
    text_stored = models.BooleanField(default=False)
    languages = models.CharField(max_length=64, blank=True)
    community_id = models.CharField(max_length=512, blank=True)
    client_token = models.CharField(max_length=512, blank=True)
    session_id = models.CharField(max_length=512, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "suggested score"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.attribute}={self.value:g} ({self.key.name})"
