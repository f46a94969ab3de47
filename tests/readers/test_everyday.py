"""Everyday friction: the last error a reader saw, a complete data export, and API
answers that say what is wrong (issue 14, points 5 to 7)."""

import json
import logging
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from articles.models import Article, CommentStatus
from config.middleware import LAST_ERROR_COOKIE
from moderation.services.reports import comment_report
from readers import services
from tests.factories import make_comment, make_user

BROWSER_PAGE: dict[str, Any] = {
    "HTTP_SEC_FETCH_DEST": "document",
    "HTTP_ACCEPT": "text/html",
}
BROWSER_ASSET: dict[str, Any] = {
    "HTTP_SEC_FETCH_DEST": "image",
    "HTTP_ACCEPT": "image/*",
}


@pytest.mark.django_db
def test_the_favicon_is_served_so_no_page_logs_a_404(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    """/favicon.ico, which browsers fetch for pages that name no icon (the admin,
    JSON), answers with the site's icon instead of a logged 404."""
    # when
    with caplog.at_level(logging.WARNING):
        response = client.get("/favicon.ico", **BROWSER_ASSET)
    # then
    assert response.status_code == 301
    assert response["Location"].endswith("articles/favicon.svg")
    assert "404" not in caplog.text
    assert LAST_ERROR_COOKIE not in response.cookies


@pytest.mark.django_db
def test_an_asset_404_is_not_the_error_the_reader_saw(client: Client) -> None:
    """A missing image or script is not attached to a problem report; a page that
    answered 404 is."""
    # given: the reader saw a missing page
    page = client.get("/no-such-page/", **BROWSER_PAGE)
    # when: the browser then fails to fetch an asset
    asset = client.get("/static/articles/missing.png", **BROWSER_ASSET)
    # then
    assert page.cookies[LAST_ERROR_COOKIE].value == page["X-Reference-Id"]
    assert asset.status_code == 404
    assert LAST_ERROR_COOKIE not in asset.cookies
    form = client.get(reverse("readers:report")).content.decode()
    assert page["X-Reference-Id"] in form
    assert asset["X-Reference-Id"] not in form


@pytest.mark.django_db
def test_admin_pages_name_their_icon_or_get_it(client: Client) -> None:
    """A moderator's admin page loads no missing favicon (it is served)."""
    admin = make_user(username="boss", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/favicon.ico").status_code == 301


@pytest.mark.django_db
def test_data_export_is_complete(
    reader_client: Client, reader: User, other_reader: User, article: Article
) -> None:
    """The download holds comments with history, reports filed, appeals,
    notifications and the notification settings."""
    # given
    mine = make_comment(article=article, author=reader, body="Mine.")
    theirs = make_comment(article=article, author=other_reader, body="Theirs.")
    comment_report(comment=theirs, reporter=reader, reason="spam", note="An advert")
    services.notification_preference_update(
        user=reader, values={"reply_email": True, "reply_site": False}
    )
    rejected = make_comment(
        article=article, author=reader, status=CommentStatus.REJECTED
    )
    services.appeal_create(comment=rejected, appellant=reader, note="Not abuse")
    # when
    data = json.loads(reader_client.get(reverse("readers:my_data_download")).content)
    # then
    assert {
        "profile",
        "comments",
        "comment_reports",
        "problem_reports",
        "appeals",
        "notifications",
        "notification_settings",
        "emails",
    } <= set(data)
    assert [c["id"] for c in data["comments"]] == [mine.pk, rejected.pk]
    report = data["comment_reports"][0]
    assert report["comment_id"] == theirs.pk
    assert report["note"] == "An advert"
    assert report["outcome"] == "Waiting for a moderator"
    assert data["appeals"][0]["note"] == "Not abuse"
    assert data["notification_settings"]["reply"] == {
        "on_site": False,
        "by_email": True,
    }
    assert data["profile"]["display_name"] == "Alice"


@pytest.mark.django_db
def test_a_reused_idempotency_key_with_another_body_is_refused(
    api: APIClient, article: Article
) -> None:
    """The same key with a different comment answers 422 and says what to do."""
    url = f"/api/v1/articles/{article.slug}/comments/"
    first = api.post(url, {"body": "Once"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    # when
    other = api.post(url, {"body": "Twice"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    # then
    assert first.status_code == 201
    assert other.status_code == 422
    error = other.json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert "Send a new key with each new comment" in error["message"]
    assert article.comments.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/articles/peace-talks/comments/"),
        ("patch", "/api/v1/comments/1/"),
        ("post", "/api/v1/comments/1/withdraw/"),
        ("post", "/api/v1/moderation/comments/1/approve/"),
        ("post", "/api/v1/me/delete/"),
    ],
)
def test_an_unauthenticated_api_write_is_401_with_a_challenge(
    article: Article, method: str, path: str
) -> None:
    """Writes without credentials answer 401 and say how to authenticate."""
    response = getattr(APIClient(), method)(path, {"body": "x"}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.django_db
def test_an_over_long_comment_counts_its_characters_in_the_singular(
    api: APIClient, article: Article
) -> None:
    """One character too many reads "1 character", not "1 characters"."""
    response = api.post(
        f"/api/v1/articles/{article.slug}/comments/",
        {"body": "x" * 5001},
        format="json",
    )
    assert "Please shorten it by 1 character." in response.json()["error"]["message"]


@pytest.mark.django_db
def test_api_docs_load_only_parleys_own_assets(client: Client) -> None:
    """The interactive docs use Swagger UI served by Parley, with no inline script
    and nothing from a CDN."""
    page = client.get("/api/docs/").content.decode()
    assert "cdn" not in page.lower()
    assert "<script>" not in page
    scripts = [part.split('"')[0] for part in page.split('<script src="')[1:]]
    assert scripts
    for src in scripts:
        if src.startswith(settings.STATIC_URL):
            assert finders.find(src.removeprefix(settings.STATIC_URL)), src
        else:
            assert src.startswith("/api/docs/"), src
            assert client.get(src.replace("&amp;", "&")).status_code == 200


@pytest.mark.django_db
def test_the_api_marks_staff_comments_with_a_badge(
    api: APIClient, article: Article, reader: User
) -> None:
    """Staff carry a badge in the API as on the page; readers carry none."""
    moderator = make_user(username="mod", display_name="Sam", is_staff=True)
    make_comment(article=article, author=moderator, body="Please keep it civil.")
    make_comment(article=article, author=reader, body="Noted.")
    results = api.get(f"/api/v1/articles/{article.slug}/comments/").json()["results"]
    assert [(c["author"], c["author_badge"]) for c in results] == [
        ("Sam", "Moderator"),
        ("Alice", None),
    ]
