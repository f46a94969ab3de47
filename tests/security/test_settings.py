"""Security headers, the client address behind the proxy, start-up refusals, logs."""

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from articles.models import Article
from config.client_ip import client_ip
from config.logs import JsonFormatter, RequestIdFilter
from readers.iphash import client_ip_hash, ip_hash

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [p for p in ROOT.glob("*/templates") if ".venv" not in str(p)]


def _production_env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PARLEY_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="k" * 60 + "-not-a-real-secret-only-for-this-test",
        DJANGO_ALLOWED_HOSTS="comments.example.org",
        DATABASE_URL="postgres://parley@127.0.0.1:5432/parley",
        REDIS_URL="redis://127.0.0.1:6379/15",
        PARLEY_METRICS_TOKEN="metrics-token",
    )
    env.update(extra)
    return env


def _python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.django_db
def test_every_page_has_a_strict_content_security_policy(
    client: Client, article: Article
) -> None:
    """Pages forbid inline scripts and styles and framing, and send the other
    security headers."""
    # when
    response = client.get(reverse("articles:detail", kwargs={"slug": article.slug}))
    # then
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_template_has_inline_script_style_or_handler() -> None:
    """Nothing in the templates would be blocked by the policy: no inline <script>
    or <style>, no style= attributes, no on*= handlers, no javascript: URLs."""
    # given
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+="
        r"|=\s*[\"']?javascript:",
        re.IGNORECASE,
    )
    offenders = []
    # when
    for folder in TEMPLATE_DIRS:
        for template in folder.rglob("*.html"):
            for number, line in enumerate(template.read_text().splitlines(), 1):
                if inline.search(line):
                    offenders.append(f"{template.relative_to(ROOT)}:{number}: {line}")
    # then
    assert TEMPLATE_DIRS
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2"),  # no proxy trusted: the header is ignored
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the client's own entry: ignored
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
        (1, "", "10.0.0.2"),  # not through the proxy
        (1, "not-an-address", "10.0.0.2"),
    ],
)
def test_client_address_trusts_exactly_the_configured_proxy_hops(
    hops: int, forwarded: str, expected: str
) -> None:
    """The client address is the entry the outermost trusted proxy added."""
    # given
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded
    )
    # when / then
    with override_settings(PARLEY_TRUSTED_PROXY_HOPS=hops):
        assert client_ip(request) == expected


@pytest.mark.django_db
def test_readers_behind_the_proxy_do_not_share_a_rate_limit(client: Client) -> None:
    """With one trusted hop, sign-up limits count each reader's own address."""
    # given
    url = reverse("signup")
    with override_settings(PARLEY_TRUSTED_PROXY_HOPS=1):
        for _ in range(20):
            client.post(
                url, {}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1"
            )
        # when
        same = client.post(
            url, {}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1"
        )
        other = client.post(
            url, {}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="2.2.2.2"
        )
    # then
    assert same.status_code == 429
    assert same["Retry-After"]
    assert other.status_code == 400  # the empty form's error, not the limit


def test_ip_hashes_are_of_the_reader_not_the_proxy() -> None:
    """Two readers behind the proxy get different address hashes."""
    # given
    factory = RequestFactory()
    first = factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1")
    second = factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="2.2.2.2")
    # when / then
    with override_settings(PARLEY_TRUSTED_PROXY_HOPS=1):
        assert client_ip_hash(first) != client_ip_hash(second)
        assert client_ip_hash(first) == ip_hash("1.1.1.1")


@pytest.mark.parametrize("entry_point", ["config.wsgi", "config.asgi", "config"])
def test_servers_and_workers_refuse_to_start_without_a_settings_module(
    entry_point: str,
) -> None:
    """wsgi, asgi and the Celery app never fall back to the development settings."""
    # given
    env = _production_env()
    del env["DJANGO_SETTINGS_MODULE"]
    # when
    result = _python(f"import {entry_point}", env)
    # then
    assert result.returncode != 0
    assert "DJANGO_SETTINGS_MODULE is not set" in result.stderr


def test_production_settings_need_the_metrics_token() -> None:
    """Production refuses to start with /metrics open to anyone."""
    # given
    env = _production_env()
    del env["PARLEY_METRICS_TOKEN"]
    # when
    result = _python("import django; django.setup()", env)
    # then
    assert result.returncode != 0
    assert "PARLEY_METRICS_TOKEN" in result.stderr


def test_production_settings_pass_the_deployment_checklist() -> None:
    """`manage.py check --deploy` finds nothing under production settings."""
    # when
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # then
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_log_lines_of_a_request_are_json_with_its_reference(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    """Every line logged while a request is handled carries the request's id."""
    # given
    formatter = JsonFormatter()
    stamp = RequestIdFilter()
    # when
    with caplog.at_level(logging.INFO):
        response = client.get("/no-such-page/")
    # then
    reference = response["X-Reference-Id"]
    lines = []
    for record in caplog.records:
        stamp.filter(record)
        lines.append(json.loads(formatter.format(record)))
    assert lines
    assert all(line["request_id"] == reference for line in lines)
    assert {"time", "level", "logger", "message"} <= set(lines[0])
