"""The production layout (deploy/): nginx buffering in front of gunicorn.

Starts the real processes with production settings against the test database.
Skips when nginx is missing (`apt-get install nginx-light`; .ci/run installs it).
"""

import contextlib
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from deploy import stack
from tests.factories import make_article

from .conftest import _database_url

pytestmark = [
    pytest.mark.integration,
    # The module's fixture writes a story for gunicorn to serve; the mark makes
    # pytest-django set up the test database even when this module runs alone
    # (it only sets up databases that collected tests ask for).
    pytest.mark.django_db,
    pytest.mark.skipif(
        not stack.nginx_available(),
        reason="nginx not found: apt-get install nginx-light (.ci/run installs it)",
    ),
]

SLOW_HEADER_CLIENTS = 50
SHORT_BODY_CLIENTS = 50


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def proxied_site(
    django_db_setup: None,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """One nginx + gunicorn for the module (starting them costs seconds)."""
    tmp_path = tmp_path_factory.mktemp("proxy")
    with django_db_blocker.unblock():
        # Committed, so gunicorn sees it; removed again below.
        article = make_article(slug="bridge", title="Council approves the new bridge")
        try:
            yield from _serve(tmp_path)
        finally:
            article.delete()


def _serve(tmp_path: Path) -> Iterator[str]:
    app_port, proxy_port = _free_port(), _free_port()
    env = stack.production_env(
        database_url=_database_url(), redis_url=settings.REDIS_URL
    )
    web = stack.start_gunicorn(
        port=app_port, env=env, log=tmp_path / "gunicorn.log", workers=2
    )
    try:
        proxy = stack.start_nginx(
            prefix=tmp_path / "nginx", port=proxy_port, upstream=f"127.0.0.1:{app_port}"
        )
        try:
            site = f"http://127.0.0.1:{proxy_port}"
            # Each gunicorn worker imports the views and compiles the templates on
            # its first request; measure the site as it runs, not as it starts.
            for _ in range(4):
                _get(site + "/", timeout=60)
            yield site
        finally:
            proxy.stop()
    finally:
        web.stop()


def _get(url: str, *, timeout: float = 10) -> tuple[int, float, bytes]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return response.status, time.monotonic() - started, response.read()
    except urllib.error.HTTPError as error:
        return error.code, time.monotonic() - started, error.read()


def test_slow_clients_do_not_hold_up_other_readers(proxied_site: str) -> None:
    """50 clients trickling their headers and 50 promising a longer body than they
    send leave an ordinary page answering in under a second."""
    # given
    port = int(proxied_site.rsplit(":", 1)[1])
    stop = threading.Event()
    sockets: list[socket.socket] = []
    for _ in range(SLOW_HEADER_CLIENTS):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        sockets.append(s)
    for _ in range(SHORT_BODY_CLIENTS):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 100000\r\n\r\nusername=a"
        )
        sockets.append(s)
    slow = sockets[:SLOW_HEADER_CLIENTS]

    def trickle() -> None:
        while not stop.wait(1.0):
            for s in slow:
                with contextlib.suppress(OSError):
                    s.send(b"X")

    trickler = threading.Thread(target=trickle, daemon=True)
    trickler.start()
    time.sleep(1.5)  # every slow connection is open and has started talking
    try:
        # when
        answers = [_get(proxied_site + "/") for _ in range(5)]
        api = _get(proxied_site + "/api/v1/articles/")
    finally:
        stop.set()
        trickler.join(timeout=5)
        for s in sockets:
            s.close()
    # then
    for status, seconds, body in answers:
        assert status == 200
        assert seconds < 1.0, f"a page took {seconds:.2f}s behind slow clients"
        assert b"Council approves the new bridge" in body
    assert api[0] == 200
    assert api[1] < 1.0


def test_the_proxy_answers_api_clients_in_the_api_error_shape(
    proxied_site: str,
) -> None:
    """An oversize body refused by nginx itself is still the API's JSON error."""
    # given
    body = b'{"body": "' + b"a" * (1024 * 1024 + 10) + b'"}'
    request = urllib.request.Request(  # noqa: S310
        proxied_site + "/api/v1/articles/bridge/comments/",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    # when
    try:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310
        status, payload = 200, b""
    except urllib.error.HTTPError as error:
        status, payload = error.code, error.read()
    # then
    assert status == 413
    assert b'"code": "too_large"' in payload


def test_security_headers_come_through_the_proxy(proxied_site: str) -> None:
    """Security headers pass through the proxy, and so does the reference id."""
    # when
    with urllib.request.urlopen(proxied_site + "/", timeout=10) as response:  # noqa: S310
        headers = response.headers
    # then
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Reference-Id"]
    assert headers["Strict-Transport-Security"] is None  # HTTP here: not sent
