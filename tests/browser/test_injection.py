"""Hostile text, rendered in a real browser on the readers' and the moderators'
pages, stays text: no dialog, no console error, no request to another host.

The corpus (tests/browser/injection_corpus.py) goes in as comment bodies, display
names, report notes, problem reports and appeal notes, and a handful of pages each
show all of it at once, so the whole check costs a few page loads.
"""

from typing import Any
from urllib.parse import urlparse

import pytest
from django.test import Client, override_settings

from accounts.models import User
from articles.models import Article, CommentStatus
from moderation.models import Report
from readers.models import Appeal, ProblemReport
from tests.factories import make_article, make_comment, make_user

from .conftest import BrowserErrors
from .injection_corpus import PAYLOADS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOCAL_HOSTS = {"localhost", "127.0.0.1"}


def _sign_in(page: Any, live_server: Any, user: User) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )


def _watch_requests(page: Any, errors: BrowserErrors) -> None:
    def on_request(request: Any) -> None:
        url = urlparse(request.url)
        if url.scheme in {"http", "https", "ws", "wss"} and (
            url.hostname not in LOCAL_HOSTS
        ):
            errors.append(f"request to another host: {request.url}")

    def on_response(response: Any) -> None:
        if response.status >= 400:
            errors.append(f"{response.status} for {response.url}")

    page.on("request", on_request)
    page.on("response", on_response)


def _visit(page: Any, url: str, errors: BrowserErrors) -> str:
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, f"{url}: {response.status}"
    page.wait_for_load_state("load")
    assert not errors, f"{url}: {errors}"
    return str(page.inner_text("body"))


def _hostile_world() -> tuple[Article, User, User]:
    article = make_article(slug="hostile", title="A story under attack")
    victim = make_user(username="target", display_name="Target")
    target_comment = make_comment(article=article, author=victim, body="Plain words.")
    for n, payload in enumerate(PAYLOADS):
        author = make_user(username=f"hostile{n}", display_name=payload[:50])
        make_comment(article=article, author=author, body=payload)
        Report.objects.create(
            comment=target_comment, reporter=author, reason="other", note=payload
        )
        rejected = make_comment(
            article=article, author=victim, body=payload, status=CommentStatus.REJECTED
        )
        Appeal.objects.create(comment=rejected, appellant=victim, note=payload)
        ProblemReport.objects.create(kind="other", description=payload, article=article)
    admin = make_user(username="boss", is_staff=True, is_superuser=True)
    return article, victim, admin


def test_hostile_text_stays_text_on_reader_and_admin_pages(
    page: Any, live_server: Any, browser_errors: BrowserErrors
) -> None:
    """Every payload shows as typed; nothing runs, loads or breaks the page."""
    # given
    article, victim, admin = _hostile_world()
    _watch_requests(page, browser_errors)
    base = live_server.url
    target = victim.comments.filter(status=CommentStatus.PUBLISHED).get()
    # when / then: the readers' pages
    with override_settings(PARLEY_THREAD_PAGE_SIZE=len(PAYLOADS) + 10):
        story = _visit(page, f"{base}{article.get_absolute_url()}", browser_errors)
        _sign_in(page, live_server, victim)
        mine = _visit(page, f"{base}/me/comments/", browser_errors)
    assert "<script>alert(1)</script>" in story
    assert "<img src=x onerror=alert(1)>" in story
    assert "<svg onload=alert(1)>" in mine
    # when / then: the moderators' pages
    _sign_in(page, live_server, admin)
    problem = ProblemReport.objects.order_by("pk").first()
    appeal = Appeal.objects.order_by("pk").first()
    assert problem is not None
    assert appeal is not None
    # Lists that show only a summary: they must still render cleanly.
    for path in ("/admin/", "/admin/readers/problemreport/", "/admin/readers/appeal/"):
        _visit(page, f"{base}{path}", browser_errors)
    for path in (
        "/admin/moderation/allcomment/",
        f"/admin/moderation/allcomment/{target.pk}/change/",
        "/admin/moderation/report/",
        f"/admin/readers/problemreport/{problem.pk}/change/",
        f"/admin/readers/appeal/{appeal.pk}/change/",
        "/admin/accounts/user/",
    ):
        text = _visit(page, f"{base}{path}", browser_errors)
        assert "alert(1)" in text, f"{path} did not show the hostile text"
