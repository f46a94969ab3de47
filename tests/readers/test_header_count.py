import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from readers import notifications


def _notify(reader: User, key: str) -> None:
    notifications.notification_create(
        recipient=reader, kind="reply", key=key, message="Someone replied."
    )


@pytest.mark.django_db
def test_header_shows_the_unread_notification_count(
    reader: User, reader_client: Client
) -> None:
    """Signed-in readers see "Notifications (N)" with their unread count."""
    # given
    _notify(reader, "k1")
    _notify(reader, "k2")
    # when
    page = reader_client.get(reverse("articles:list")).content.decode()
    # then
    assert "Notifications (2)</a>" in page


@pytest.mark.django_db
def test_header_shows_no_count_once_read(reader: User, reader_client: Client) -> None:
    """After the notifications are marked read the header shows no number."""
    # given
    _notify(reader, "k1")
    reader_client.post(reverse("readers:notifications"))
    # when
    page = reader_client.get(reverse("articles:list")).content.decode()
    # then
    assert "Notifications</a>" in page
    assert "Notifications (" not in page


@pytest.mark.django_db
def test_header_count_costs_one_query(reader: User, reader_client: Client) -> None:
    """The count adds exactly one COUNT query to a page."""
    # given
    _notify(reader, "k1")
    # when
    with CaptureQueriesContext(connection) as queries:
        reader_client.get(reverse("articles:list"))
    # then
    counts = [q["sql"] for q in queries if "readers_notification" in q["sql"]]
    assert len(counts) == 1
    assert "COUNT(" in counts[0].upper()


@pytest.mark.django_db
def test_signed_out_pages_do_not_count(client: Client) -> None:
    """Signed-out readers get no count and no notification query."""
    # when
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("articles:list")).content.decode()
    # then
    assert "Notifications" not in page
    assert not [q for q in queries if "readers_notification" in q["sql"]]
