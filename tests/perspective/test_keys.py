"""Keys: created and revoked in the admin or with manage.py, stored hashed."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from perspective.models import ApiKey, KeyUsage
from perspective.services import api_key_create, hash_key, usage_count
from tests.factories import make_user

from .conftest import ANALYZE, post_json


@pytest.mark.django_db
def test_command_prints_the_key_once_and_stores_its_hash() -> None:
    # given
    out = io.StringIO()
    # when
    call_command("scoring_key", "create", "coral-talk", "--qps", "5", stdout=out)
    # then
    key = out.getvalue().strip()
    row = ApiKey.objects.get(name="coral-talk")
    assert key.startswith("pk_")
    assert len(key) > 40
    assert row.key_hash == hash_key(key)
    assert key not in row.key_hash
    assert row.qps_limit == 5
    assert not row.may_store_text
    response = post_json(
        Client(),
        f"{ANALYZE}?key={key}",
        {"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}},
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_command_revokes_by_name() -> None:
    # given
    _row, key = api_key_create(name="old-bot")
    # when
    call_command("scoring_key", "revoke", "old-bot", stdout=io.StringIO())
    # then
    assert ApiKey.objects.get(name="old-bot").is_revoked
    response = post_json(Client(), f"{ANALYZE}?key={key}", {})
    assert response.status_code == 403


@pytest.mark.django_db
def test_command_refuses_a_taken_name_and_an_unknown_one() -> None:
    # given
    api_key_create(name="coral")
    # when / then
    with pytest.raises(CommandError, match="already exists"):
        call_command("scoring_key", "create", "coral", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no key named"):
        call_command("scoring_key", "revoke", "nobody", stdout=io.StringIO())


@pytest.mark.django_db
def test_admin_shows_a_new_key_once() -> None:
    # given
    staff = make_user(username="editor", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    # when
    response = client.post(
        "/admin/perspective/apikey/add/",
        {"name": "chat-bot", "qps_limit": "3", "may_store_text": "on"},
        follow=True,
    )
    # then
    assert response.status_code == 200
    row = ApiKey.objects.get(name="chat-bot")
    html = response.content.decode()
    key = html.split('<code class="shown-once">')[1].split("</code>")[0]
    assert "Copy it now" in html
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies.get("messages")  # the key travels in no cookie
    assert hash_key(key) == row.key_hash
    assert row.created_by == staff
    assert row.may_store_text
    page = client.get(f"/admin/perspective/apikey/{row.pk}/change/")
    assert key not in page.content.decode()


@pytest.mark.django_db
def test_admin_revoke_action() -> None:
    # given
    staff = make_user(username="editor", is_staff=True, is_superuser=True)
    row, _key = api_key_create(name="old-bot")
    client = Client()
    client.force_login(staff)
    # when
    client.post(
        "/admin/perspective/apikey/",
        {"action": "revoke", "_selected_action": [row.pk]},
    )
    # then
    row.refresh_from_db()
    assert row.is_revoked


@pytest.mark.django_db
def test_staff_see_usage_per_key_per_day() -> None:
    # given
    staff = make_user(username="editor", is_staff=True, is_superuser=True)
    row, _key = api_key_create(name="coral")
    for _ in range(3):
        usage_count(api_key=row, counter="analyze")
    client = Client()
    client.force_login(staff)
    # when
    page = client.get("/admin/perspective/keyusage/").content.decode()
    # then
    assert KeyUsage.objects.get().analyze == 3
    assert "coral" in page
    assert '<td class="field-analyze">3</td>' in page


@pytest.mark.django_db
def test_readers_cannot_see_keys_or_usage() -> None:
    # given
    client = Client()
    client.force_login(make_user(username="reader"))
    # when
    response = client.get("/admin/perspective/keyusage/")
    # then
    assert response.status_code == 302


@pytest.mark.django_db
def test_replace_revokes_the_old_key_and_keeps_its_history() -> None:
    # given
    old, _old_key = api_key_create(name="demo")
    usage_count(api_key=old, counter="analyze")
    out = io.StringIO()
    # when
    call_command("scoring_key", "create", "demo", "--replace", stdout=out)
    # then
    old.refresh_from_db()
    assert old.is_revoked
    assert old.name == f"demo-revoked-{old.pk}"
    assert KeyUsage.objects.get().key == old
    assert ApiKey.objects.get(name="demo").key_hash == hash_key(out.getvalue().strip())


@pytest.mark.django_db
def test_moderators_see_suggested_scores_but_not_keys() -> None:
    # given
    from django.contrib.auth.models import Group

    moderator = make_user(username="mod", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client = Client()
    client.force_login(moderator)
    # when / then
    assert client.get("/admin/perspective/feedback/").status_code == 200
    assert client.get("/admin/perspective/keyusage/").status_code == 200
    assert client.get("/admin/perspective/apikey/").status_code == 403
