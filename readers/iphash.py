"""Client addresses are never stored: only a keyed hash, kept 90 days for abuse
signals (the same address sending many reports), then cleared."""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from config.client_ip import client_ip

from .models import ProblemReport

IP_HASH_RETENTION = timedelta(days=90)


def _key() -> bytes:
    key: str = settings.PARLEY_IP_HASH_KEY or f"parley-ip-hash:{settings.SECRET_KEY}"
    return key.encode()


def ip_hash(address: str) -> str:
    """HMAC-SHA256 of the address: comparable, but not reversible without the key."""
    if not address:
        return ""
    return hmac.new(_key(), address.strip().encode(), hashlib.sha256).hexdigest()


def client_ip_hash(request: HttpRequest) -> str:
    # The reader's address as the trusted proxy saw it, not the proxy's own.
    return ip_hash(client_ip(request))


def ip_hashes_purge() -> int:
    """Clear hashes older than the retention period; returns how many were cleared."""
    cutoff = timezone.now() - IP_HASH_RETENTION
    return (
        ProblemReport.objects.filter(created_at__lt=cutoff)
        .exclude(ip_hash="")
        .update(ip_hash="")
    )
