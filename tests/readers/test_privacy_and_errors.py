import json
import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from articles.models import Article, CommentStatus
from config.middleware import LAST_ERROR_COOKIE, REFERENCE_HEADER
from readers import services
from readers.iphash import ip_hash
from readers.models import ProblemReport
from readers.tasks import purge_ip_hashes_task
from tests.factories import make_comment

PASSWORD = "correct horse battery staple"


@pytest.mark.django_db
def test_data_download_holds_comments_revisions_reports_and_appeals(
    reader_client: Client, reader: User, article: Article
) -> None:
    """The JSON download holds the profile, comments with versions and history."""
    make_comment(article=article, author=reader, body="Mine, first version.")
    services.problem_report_create(kind="other", description="Help", reporter=reader)
    # when
    response = reader_client.get(reverse("readers:my_data_download"))
    # then
    data = json.loads(response.content)
    assert response["Content-Disposition"].startswith("attachment")
    assert data["profile"]["email"] == reader.email
    assert data["comments"][0]["revisions"][0]["body"] == "Mine, first version."
    assert data["problem_reports"][0]["description"] == "Help"
    assert set(data) >= {"appeals", "notifications", "emails"}


@pytest.mark.django_db
def test_deleting_the_account_keeps_comments_as_deleted_reader(
    reader_client: Client, reader: User, other_reader: User, article: Article
) -> None:
    """Keeping comments shows them as from "deleted reader"; replies stay in place
    and nothing identifying remains on the account."""
    parent = make_comment(article=article, author=reader, body="My view.")
    make_comment(article=article, author=other_reader, parent=parent, body="Reply!")
    # when
    response = reader_client.post(
        reverse("readers:account_delete"), {"comments": "keep", "password": PASSWORD}
    )
    # then
    assert response.status_code == 302
    reader.refresh_from_db()
    assert not reader.is_active
    assert reader.email == ""
    assert reader.public_name == "deleted reader"
    assert not reader.has_usable_password()
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "deleted reader" in page
    assert "My view." in page
    assert "Reply!" in page
    assert "alice" not in page.lower()


@pytest.mark.django_db
def test_deleting_the_account_can_withdraw_comments_leaving_the_thread(
    reader_client: Client, reader: User, other_reader: User, article: Article
) -> None:
    """Withdrawing hides the reader's text; others' replies stay under tombstones."""
    parent = make_comment(article=article, author=reader, body="Withdraw me.")
    make_comment(article=article, author=other_reader, parent=parent, body="Reply!")
    reader_client.post(
        reverse("readers:account_delete"),
        {"comments": "withdraw", "password": PASSWORD},
    )
    parent.refresh_from_db()
    assert parent.status == CommentStatus.WITHDRAWN
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "Withdraw me." not in page
    assert "Reply!" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"comments": "keep", "password": "wrong"}, "That password is not right."),
        ({"comments": "keep", "password": ""}, "That password is not right."),
        ({"password": PASSWORD}, "Please choose what should happen"),
        ({"comments": "burn", "password": PASSWORD}, "one of the two options"),
    ],
)
def test_account_deletion_bad_input_is_refused(
    reader_client: Client, reader: User, data: dict[str, str], message: str
) -> None:
    """A wrong password or missing choice deletes nothing and says why."""
    response = reader_client.post(reverse("readers:account_delete"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    reader.refresh_from_db()
    assert reader.is_active


def test_ip_hash_is_keyed_and_never_the_address(settings: object) -> None:
    """The stored value is an HMAC: stable per key, different under another key."""
    first = ip_hash("203.0.113.9")
    settings.PARLEY_IP_HASH_KEY = "another-key"  # type: ignore[attr-defined]
    second = ip_hash("203.0.113.9")
    assert "203.0.113.9" not in first
    assert len(first) == 64
    assert first != second


@pytest.mark.django_db
def test_ip_hashes_expire_after_90_days() -> None:
    """The periodic task clears hashes older than 90 days and keeps newer ones."""
    old = services.problem_report_create(
        kind="other",
        description="x",
        reporter=None,
        email="a@example.org",
        ip_hash="a" * 64,
    )
    new = services.problem_report_create(
        kind="other",
        description="x",
        reporter=None,
        email="a@example.org",
        ip_hash="b" * 64,
    )
    ProblemReport.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=91)
    )
    assert purge_ip_hashes_task.apply().get() == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.ip_hash == ""
    assert new.ip_hash == "b" * 64


@pytest.mark.django_db
def test_error_page_shows_a_logged_reference_and_the_help_link(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    """A 404 page shows a short reference that is also in the log and remembered
    for the problem-report form."""
    # when
    with caplog.at_level(logging.WARNING, logger="parley.errors"):
        response = client.get("/no-such-page/", HTTP_SEC_FETCH_DEST="document")
    # then
    reference = response[REFERENCE_HEADER]
    page = response.content.decode()
    assert response.status_code == 404
    assert len(reference) == 8
    assert reference in page
    assert "Having trouble with comments? Tell us" in page
    assert f"reference={reference}" in caplog.text
    assert response.cookies[LAST_ERROR_COOKIE].value == reference
    form = client.get("/help/report/").content.decode()
    assert reference in form


@pytest.mark.django_db
def test_refusal_page_carries_the_reference(reader_client: Client) -> None:
    """Refusals rendered by the articles app also show their reference."""
    response = reader_client.post(
        reverse("articles:comment_post", kwargs={"slug": "nope"})
    )
    assert response.status_code == 404
    assert response[REFERENCE_HEADER] in response.content.decode()


@pytest.mark.django_db
def test_api_errors_carry_the_reference_of_the_log_line(api: APIClient) -> None:
    """Every API error's JSON names the same reference as the response header."""
    response = api.get("/api/v1/comments/999999/")
    assert response.status_code == 404
    assert response.json()["error"]["reference"] == response[REFERENCE_HEADER]


def test_server_error_page_shows_the_reference(rf: object) -> None:
    """The 500 page renders without the database and shows the reference."""
    from readers.views import server_error

    request = rf.get("/")  # type: ignore[attr-defined]
    request.reference_id = "abcdef12"
    response = server_error(request)
    assert response.status_code == 500
    assert "abcdef12" in response.content.decode()
