"""A reader's first visit to a story, in a real browser."""

from typing import Any

import pytest

from accounts.models import User
from articles.models import Article
from tests.factories import make_comment

from .conftest import BrowserErrors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_a_reader_reads_and_posts_and_sees_it_awaiting_review(
    page: Any,
    live_server: Any,
    browser_errors: BrowserErrors,
    article: Article,
    reader: User,
    other_reader: User,
) -> None:
    """The thread shows published comments; a new one is marked awaiting review."""
    # given
    make_comment(article=article, author=other_reader, body="First, a civil remark.")
    _log_in(page, live_server, reader.username)
    # when
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    page.fill("#id_body", "A measured reply about the talks.")
    page.get_by_role("button", name="Post comment").click()
    # then
    page.wait_for_selector("text=A measured reply about the talks.")
    assert page.get_by_text("First, a civil remark.").is_visible()
    assert page.get_by_text("awaiting review").first.is_visible()
