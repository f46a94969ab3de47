"""Answers tell the truth: one JSON error shape, no 500 for odd input."""

import pytest
from django.db import DatabaseError
from django.test import Client, override_settings
from rest_framework.test import APIClient

from accounts.models import User
from articles.models import Article, Comment
from tests.factories import make_comment
from tests.security.routes import all_routes

NESTED = "[" * 100_000 + "]" * 100_000  # 200 KB


def _assert_error_shape(response: object, status: int) -> dict[str, str]:
    assert response.status_code == status, response.content[:300]  # type: ignore[attr-defined]
    assert response["Content-Type"].startswith("application/json")  # type: ignore[index]
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error["code"]
    assert error["message"]
    return error


@pytest.mark.django_db
def test_deeply_nested_json_is_a_400_on_every_api_endpoint(
    api: APIClient, article: Article, reader: User
) -> None:
    """`[[[[…` 200 KB deep is refused as malformed on every endpoint, anonymous or
    signed in, never a RecursionError."""
    # given
    comment = make_comment(article=article, author=reader)
    anonymous = APIClient()
    # The schema and the docs page are documents (YAML, HTML), not API answers.
    routes = [r for r in all_routes() if r.is_api and r.name not in {"schema", "docs"}]
    assert len(routes) >= 10
    # when
    answers = {}
    for route in routes:
        url = route.url(slug=article.slug, pk=comment.pk)
        for who, client in (("anonymous", anonymous), ("reader", api)):
            for method in ("post", "patch", "put"):
                response = getattr(client, method)(
                    url, NESTED, content_type="application/json"
                )
                answers[(route.name, who, method)] = response
    # then
    for key, response in answers.items():
        assert response.status_code < 500, key
        if response.status_code >= 400:  # withdrawing reads no body: 200
            _assert_error_shape(response, response.status_code)
    parsed = [k for k, r in answers.items() if r.status_code == 400]
    assert ("api-token", "anonymous", "post") in parsed
    assert ("api-problem-report", "anonymous", "post") in parsed
    assert ("api-thread", "reader", "post") in parsed
    assert ("api-comment", "reader", "patch") in parsed
    error = answers[("api-token", "anonymous", "post")].json()["error"]
    assert error["code"] == "malformed_request"


@pytest.mark.django_db
def test_a_number_is_not_a_comment_body(api: APIClient, article: Article) -> None:
    """{"body": 42} is refused with the usual error, not saved as "42"."""
    # when
    response = api.post(
        f"/api/v1/articles/{article.slug}/comments/", {"body": 42}, format="json"
    )
    # then
    error = _assert_error_shape(response, 400)
    assert error["message"] == "The comment must be text."
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_an_oversize_api_body_is_a_413_in_the_error_shape(
    api: APIClient, article: Article
) -> None:
    """A body over the limit is refused before it is parsed, in the API's shape."""
    # given
    body = '{"body": "' + "a" * 2000 + '"}'
    # when
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000):
        response = api.post(
            f"/api/v1/articles/{article.slug}/comments/",
            body,
            content_type="application/json",
        )
    # then
    error = _assert_error_shape(response, 413)
    assert error["code"] == "too_large"


@pytest.mark.django_db
def test_unknown_api_paths_answer_in_the_error_shape(client: Client) -> None:
    """A 404 under /api/ is JSON, not an HTML page."""
    error = _assert_error_shape(client.get("/api/v1/no-such-thing/"), 404)
    assert error["code"] == "not_found"
    assert error["reference"]


@pytest.mark.django_db
def test_an_unexpected_api_failure_is_a_500_in_the_error_shape(
    api: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug behind an API view still answers JSON, with the log's reference."""

    # given
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("articles.selectors.published_articles", broken)
    api.raise_request_exception = False
    # when
    response = api.get("/api/v1/articles/")
    # then
    error = _assert_error_shape(response, 500)
    assert error["code"] == "server_error"
    assert error["reference"] == response["X-Reference-Id"]


@pytest.mark.django_db
def test_a_saved_comment_is_not_answered_500_when_reading_back_fails(
    api: APIClient, article: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the database drops after the commit, the client still hears 201."""

    # given
    def dropped(self: Comment, *args: object, **kwargs: object) -> None:
        raise DatabaseError("server closed the connection unexpectedly")

    monkeypatch.setattr(Comment, "refresh_from_db", dropped)
    # when
    response = api.post(
        f"/api/v1/articles/{article.slug}/comments/",
        {"body": "Saved, whatever happens next."},
        format="json",
    )
    # then
    assert response.status_code == 201
    assert response.json()["id"] == Comment.objects.get().pk
