"""Every write a stranger can repeat is limited: 429, a clear message, Retry-After."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from articles.models import Article
from tests.factories import make_comment, make_user

MAX_TRIES = 30


def _until_refused(send: object) -> tuple[int, object]:
    for attempt in range(1, MAX_TRIES + 1):
        response = send()  # type: ignore[operator]
        if response.status_code == 429:
            return attempt, response
    raise AssertionError(f"no 429 after {MAX_TRIES} tries")


def _assert_retry_after(response: object) -> None:
    assert int(response["Retry-After"]) > 0  # type: ignore[index]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "budget"),
    [
        ("articles:comment_post", 10),
        ("articles:comment_edit", 10),
        ("comment-report-form", 10),
        ("readers:appeal", 10),
        ("readers:report", 5),
        ("signup", 20),
    ],
)
def test_reader_pages_refuse_too_many_writes(
    reader_client: Client, reader: User, article: Article, name: str, budget: int
) -> None:
    """A reader (or an address) writing too fast is told to wait, with Retry-After."""
    # given
    comment = make_comment(article=article, author=reader)
    by_name: dict[str, list[object]] = {
        "articles:comment_post": [article.slug],
        "articles:comment_edit": [comment.pk],
        "comment-report-form": [comment.pk],
        "readers:appeal": [comment.pk],
    }
    args = by_name.get(name, [])
    url = reverse(name, args=args)
    # when
    attempt, response = _until_refused(lambda: reader_client.post(url, {}))
    # then
    assert attempt == budget + 1
    _assert_retry_after(response)
    assert b"too quickly" in response.content  # type: ignore[attr-defined]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "method", "budget"),
    [
        ("api-thread", "post", 10),
        ("api-comment", "patch", 10),
        ("api-comment-report", "post", 10),
        ("api-appeal", "post", 10),
        ("api-problem-report", "post", 5),
    ],
)
def test_the_api_refuses_too_many_writes(
    api: APIClient,
    reader: User,
    article: Article,
    name: str,
    method: str,
    budget: int,
) -> None:
    """API writes past the limit answer 429 in the error shape, with Retry-After."""
    # given
    comment = make_comment(article=article, author=reader)
    kwargs = {"slug": article.slug} if name == "api-thread" else {"pk": comment.pk}
    url = reverse(name, kwargs=kwargs if name != "api-problem-report" else {})
    # when
    attempt, response = _until_refused(
        lambda: getattr(api, method)(url, {}, format="json")
    )
    # then
    assert attempt == budget + 1
    _assert_retry_after(response)
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == "throttled"
    # "in 1 second" at a window's end, "in 12 seconds" otherwise.
    assert re.search(r"\b\d+ seconds?\b", error["message"])


@pytest.mark.django_db
def test_failed_log_ins_lock_the_account_from_that_address(client: Client) -> None:
    """After five wrong passwords the log-in page answers 429 with Retry-After, even
    for the right password; another address is not affected."""
    # given
    make_user(username="carol", password="right-password-123")
    url = reverse("login")
    wrong = {"username": "carol", "password": "wrong"}
    for _ in range(4):
        assert client.post(url, wrong, REMOTE_ADDR="1.1.1.1").status_code == 200
    # when
    fifth = client.post(url, wrong, REMOTE_ADDR="1.1.1.1")
    right = client.post(
        url,
        {"username": "carol", "password": "right-password-123"},
        REMOTE_ADDR="1.1.1.1",
    )
    elsewhere = client.post(
        url,
        {"username": "carol", "password": "right-password-123"},
        REMOTE_ADDR="2.2.2.2",
    )
    # then
    assert fifth.status_code == 429
    assert right.status_code == 429
    _assert_retry_after(right)
    assert b"Too many failed log-ins" in right.content
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_failed_token_requests_are_locked_out_too() -> None:
    """The API's token endpoint counts failures with the log-in page."""
    # given
    make_user(username="dave", password="right-password-123")
    api = APIClient()
    url = reverse("api-token")
    # when
    codes = [
        api.post(url, {"username": "dave", "password": "wrong"}, format="json")
        for _ in range(6)
    ]
    # then
    assert [r.status_code for r in codes[:4]] == [400] * 4
    assert codes[-1].status_code == 429
    _assert_retry_after(codes[-1])
    assert codes[-1].json()["error"]["code"] == "throttled"
