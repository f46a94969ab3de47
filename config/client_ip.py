"""The client's address, as seen through a known number of reverse proxies.

Behind the proxy in deploy/ every request reaches Django from 127.0.0.1, so rate
limits, IP hashes and throttles keyed on REMOTE_ADDR would put every reader in one
bucket. Each trusted proxy appends the address it received the request from to
X-Forwarded-For; the client is the entry added by the outermost trusted proxy,
`PARLEY_TRUSTED_PROXY_HOPS` from the right. Entries further left were written by the
client and are never believed. With no trusted hops, REMOTE_ADDR is the client.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote: str = request.META.get("REMOTE_ADDR", "") or ""
    hops: int = settings.PARLEY_TRUSTED_PROXY_HOPS
    if hops <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < hops:
        # The request did not come through every trusted proxy: only the peer is
        # known for sure.
        return remote
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
