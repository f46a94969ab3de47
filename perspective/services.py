"""Keys, quotas, usage and feedback of the Perspective-compatible API."""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from perspective.errors import ApiError
from perspective.models import ApiKey, Feedback, KeyUsage
from perspective.requests import SuggestRequest, attribute_for

logger = logging.getLogger(__name__)

KEY_PREFIX = "pk_"
# Client labels that say what a moderator decided (Coral Talk sends its
# comment's status as the attribute name, with value 1).
_ACCEPTED = {"APPROVED", "ACCEPTED"}
_REMOVED = {"DELETED", "REJECTED", "REMOVED"}


class ApiKeyError(Exception):
    """A key could not be created or revoked (the message says why)."""


def hash_key(key: str) -> str:
    # Keys are 256 random bits, so a plain SHA-256 cannot be reversed by
    # guessing; a slow password hash would only slow every request down.
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def api_key_create(
    *,
    name: str,
    qps_limit: int = 10,
    may_store_text: bool = False,
    created_by: Any = None,
) -> tuple[ApiKey, str]:
    """A new key row and the key itself, which is never stored or shown again."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    if ApiKey.objects.filter(name=name).exists():
        raise ApiKeyError(f"a key named {name!r} already exists")
    row = ApiKey.objects.create(
        name=name,
        key_hash=hash_key(key),
        prefix=key[:8],
        qps_limit=qps_limit,
        may_store_text=may_store_text,
        created_by=created_by,
    )
    logger.info("Perspective API key %s created", name)
    return row, key


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        logger.info("Perspective API key %s revoked", api_key.name)
    return api_key


def api_key_retire(*, name: str) -> None:
    """Revoke the key called ``name`` and free the name for a new key; its
    usage and feedback stay, under ``NAME-revoked-ID``."""
    row = ApiKey.objects.filter(name=name).first()
    if row is not None:
        api_key_revoke(api_key=row)
        row.name = f"{name}-revoked-{row.pk}"[:64]
        row.save(update_fields=["name"])


def api_key_for(key: str | None) -> ApiKey:
    """The live key row for a presented key, or the API error to answer."""
    if not key:
        raise ApiError(
            "PERMISSION_DENIED",
            "The request is missing a valid API key. Pass it as ?key=... or "
            "Authorization: Bearer ....",
        )
    row = ApiKey.objects.filter(key_hash=hash_key(key)).first()
    if row is None:
        raise ApiError(
            "UNAUTHENTICATED", "API key not valid. Please pass a valid API key."
        )
    if row.revoked_at is not None:
        raise ApiError(
            "PERMISSION_DENIED",
            "API key revoked. Ask the site's staff for a new one.",
        )
    return row


Counter = Literal["analyze", "suggest", "over_quota"]


def usage_count(*, api_key: ApiKey, counter: Counter) -> None:
    """Add one to today's usage row of the key (created on first use)."""
    day = timezone.now().date()
    bump = {counter: F(counter) + 1}
    if KeyUsage.objects.filter(key=api_key, day=day).update(**bump):
        return
    try:
        with transaction.atomic():
            KeyUsage.objects.create(key=api_key, day=day, **{counter: 1})
    except IntegrityError:
        # Another process created today's row between the two statements.
        KeyUsage.objects.filter(key=api_key, day=day).update(**bump)


def quota_check(*, api_key: ApiKey, now: float | None = None) -> None:
    """Count this request in the key's current second; over the limit, raise
    RESOURCE_EXHAUSTED. The counter is in the shared cache (Redis in
    production), so every serving process counts against the same limit."""
    second = int(now if now is not None else time.time())
    counter = f"perspective:qps:{api_key.pk}:{second}"
    cache.add(counter, 0, timeout=5)
    try:
        used = cache.incr(counter)
    except ValueError:
        # Expired between add and incr: this request is the second's first.
        cache.set(counter, 1, timeout=5)
        used = 1
    if used > api_key.qps_limit:
        usage_count(api_key=api_key, counter="over_quota")
        raise ApiError(
            "RESOURCE_EXHAUSTED",
            f"Quota exceeded for key {api_key.name}: {api_key.qps_limit} "
            "queries per second. Retry after a second.",
            headers={"Retry-After": "1"},
        )


def label_for(attribute: str, value: float) -> int | None:
    """The training label a suggested score means, or None."""
    name = attribute.upper()
    if attribute_for(name) is not None:
        return 1 if value >= 0.5 else 0
    if name in _ACCEPTED:
        return 0 if value >= 0.5 else None
    if name in _REMOVED:
        return 1 if value >= 0.5 else None
    return None


def feedback_create(
    *, api_key: ApiKey, request: SuggestRequest, visible_text: str
) -> list[Feedback]:
    """One row per suggested attribute; the text only if the key may store it."""
    keep = api_key.may_store_text
    rows = [
        Feedback(
            key=api_key,
            attribute=name[:64],
            value=value,
            label=label_for(name, value),
            text=visible_text if keep else "",
            text_stored=keep,
            languages=",".join(request.languages)[:64],
            community_id=request.community_id,
            client_token=request.client_token or "",
            session_id=request.session_id,
        )
        for name, value in request.scores.items()
    ]
    return Feedback.objects.bulk_create(rows)


@dataclass(frozen=True)
class LabelledText:
    text: str
    label: int


def feedback_labels() -> Iterator[LabelledText]:
    """Stored texts with a label, newest decision per (text, client token) last."""
    rows = (
        Feedback.objects.filter(text_stored=True, label__isnull=False)
        .exclude(text="")
        .order_by("created_at", "pk")
        .values_list("text", "label", "client_token")
    )
    latest: dict[tuple[str, str], int] = {}
    for text, label, token in rows.iterator(chunk_size=2000):
        if label is not None:
            latest[(text, token)] = label
    for (text, _token), label in latest.items():
        yield LabelledText(text, label)
