"""Sites in the admin: keys and secrets shown once, never on a form afterwards."""

import re

import pytest
from django.test import Client

from sites.models import Site, SiteApiKey
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db: None) -> Client:
    client = Client()
    client.force_login(make_user(username="root", is_staff=True, is_superuser=True))
    return client


def test_an_api_key_is_shown_once_and_works(
    admin_client: Client, gazette: Site
) -> None:
    # when
    response = admin_client.post(
        "/admin/sites/site/",
        {"action": "create_api_key", "_selected_action": [gazette.pk]},
    )
    # then
    text = response.content.decode()
    key = re.search(r'<code class="shown-once">(pk_[^<]+)</code>', text)
    assert key
    assert not response.cookies.get("messages")
    stored = SiteApiKey.objects.get(site=gazette)
    assert key.group(1) not in stored.key_hash
    change = admin_client.get(f"/admin/sites/site/{gazette.pk}/change/")
    assert key.group(1) not in change.content.decode()
    assert stored.prefix in change.content.decode()


def test_the_sso_secret_is_rotated_and_never_shown_again(
    admin_client: Client, gazette: Site
) -> None:
    old = gazette.sso_secret
    # when
    response = admin_client.post(
        "/admin/sites/site/",
        {"action": "rotate_sso_secret", "_selected_action": [gazette.pk]},
    )
    # then
    gazette.refresh_from_db()
    assert gazette.sso_secret in response.content.decode()
    assert gazette.sso_secret_previous == old
    change = admin_client.get(f"/admin/sites/site/{gazette.pk}/change/").content
    assert gazette.sso_secret not in change.decode()
    assert old not in change.decode()
    assert "Two secrets (rotation in progress)" in change.decode()
