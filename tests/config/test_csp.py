"""The Content-Security-Policy header, built once per process (config.middleware)."""

import pytest
from csp.utils import build_policy
from django.test import Client, override_settings


@pytest.mark.django_db
def test_every_page_carries_the_configured_policy(client: Client) -> None:
    """A page without a view policy gets exactly django-csp's header, each time."""
    # when
    first = client.get("/")
    second = client.get("/")
    # then
    assert first["Content-Security-Policy"] == build_policy()
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert "Content-Security-Policy-Report-Only" not in first


@pytest.mark.django_db
def test_a_changed_policy_applies_at_once(client: Client) -> None:
    """Settings replaced (override_settings) are used from the next response on."""
    # given
    client.get("/")
    policy = {"DIRECTIVES": {"default-src": ["'none'"]}}
    # when
    with override_settings(
        CONTENT_SECURITY_POLICY=policy, CONTENT_SECURITY_POLICY_REPORT_ONLY=policy
    ):
        changed = client.get("/")
    after = client.get("/")
    # then
    assert changed["Content-Security-Policy"] == "default-src 'none'"
    assert changed["Content-Security-Policy-Report-Only"] == "default-src 'none'"
    assert after["Content-Security-Policy"] == build_policy()
