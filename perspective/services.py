"""Keys, quotas, usage and feedback of the Perspective-compatible API."""

from __future__ import annotations

import atexit
import logging
import secrets
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core.keys import hash_key
from core.throttles import window_counts
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
        _keys.pop(api_key.key_hash, None)
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


# Key rows this process has looked up, by hash, with when it looked.
_keys: dict[str, tuple[float, ApiKey | None]] = {}
_keys_lock = threading.Lock()


def api_key_for(key: str | None) -> ApiKey:
    """The live key row for a presented key, or the API error to answer.

    Rows are kept for ``PARLEY_PERSPECTIVE_KEY_CACHE_SECONDS`` per process so
    the hot path makes no query per request; a revocation therefore reaches
    other processes within that time (immediately in the one that made it).
    """
    if not key:
        raise ApiError(
            "PERMISSION_DENIED",
            "The request is missing a valid API key. Pass it as ?key=... or "
            "Authorization: Bearer ....",
        )
    digest = hash_key(key)
    now = time.monotonic()
    ttl = float(settings.PARLEY_PERSPECTIVE_KEY_CACHE_SECONDS)
    cached = _keys.get(digest)
    if cached is not None and now - cached[0] < ttl:
        row = cached[1]
    else:
        row = ApiKey.objects.filter(key_hash=digest).first()
        with _keys_lock:
            if len(_keys) > 10_000:
                _keys.clear()  # unknown keys sent in bulk must not grow it forever
            _keys[digest] = (now, row)
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


UsageField = Literal["analyze", "suggest", "over_quota"]


# Usage counted in this process and not yet written: (key id, day, counter).
_pending: Counter[tuple[int, date, str]] = Counter()
_pending_lock = threading.Lock()
_last_flush = [time.monotonic()]


def usage_count(*, api_key: ApiKey, counter: UsageField) -> None:
    """Count one request on today's usage row of the key.

    Counts are added up in the process and written with one UPDATE per row at
    most every ``PARLEY_PERSPECTIVE_USAGE_FLUSH_SECONDS`` (and when the process
    exits): a write per request would cost more than scoring the comment.
    """
    with _pending_lock:
        _pending[(api_key.pk, timezone.now().date(), counter)] += 1
    interval = float(settings.PARLEY_PERSPECTIVE_USAGE_FLUSH_SECONDS)
    if time.monotonic() - _last_flush[0] >= interval:
        usage_flush()


def usage_flush() -> None:
    """Write the usage counted in this process to the database."""
    with _pending_lock:
        counts = dict(_pending)
        _pending.clear()
        _last_flush[0] = time.monotonic()
    by_row: dict[tuple[int, date], dict[str, int]] = {}
    for (key_id, day, field), n in counts.items():
        by_row.setdefault((key_id, day), {})[field] = n
    for (key_id, day), fields in by_row.items():
        bump = {f: F(f) + n for f, n in fields.items()}
        if KeyUsage.objects.filter(key_id=key_id, day=day).update(**bump):
            continue
        try:
            with transaction.atomic():
                KeyUsage.objects.create(key_id=key_id, day=day, **fields)
        except IntegrityError:
            # Another process created the row between the two statements.
            KeyUsage.objects.filter(key_id=key_id, day=day).update(**bump)


def _flush_at_exit() -> None:
    if _pending:
        try:
            usage_flush()
        except Exception:  # the database may be gone at exit; nothing to do then
            logger.warning("Usage counts of this process could not be written.")


atexit.register(_flush_at_exit)


def quota_check(*, api_key: ApiKey, now: float | None = None) -> None:
    """Count this request in the key's current second; over the limit, raise
    RESOURCE_EXHAUSTED. The counter is in the shared cache (Redis in
    production), so every serving process counts against the same limit."""
    second = int(now if now is not None else time.time())
    used, _ = window_counts(
        f"perspective:qps:{api_key.pk}:{second}",
        f"perspective:qps:{api_key.pk}:{second - 1}",
        5,
    )
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


def _storable(text: str) -> str:
    # PostgreSQL text cannot hold NUL; JSON clients may send it.
    return text.replace("\x00", "\ufffd")


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
            text=_storable(visible_text) if keep else "",
            text_stored=keep,
            languages=",".join(request.languages)[:64],
            community_id=_storable(request.community_id),
            client_token=_storable(request.client_token or ""),
            session_id=_storable(request.session_id),
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
