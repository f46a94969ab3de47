import json

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from articles.models import Article, CommentStatus
from tests.factories import make_article, make_comment, make_comments


def _thread(article: Article) -> str:
    return f"/api/v1/articles/{article.slug}/comments/"


def _error(response: object) -> dict[str, str]:
    return response.json()["error"]  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_story_list_and_detail(api: APIClient) -> None:
    """Stories are listed with comment counts and read by slug."""
    article = make_article(slug="derby-day", title="Derby day")
    make_comment(article=article)
    listing = api.get("/api/v1/articles/").json()
    detail = api.get("/api/v1/articles/derby-day/").json()
    assert listing["results"][0]["slug"] == "derby-day"
    assert listing["results"][0]["comment_count"] == 1
    assert detail["title"] == "Derby day"
    assert "body" in detail


@pytest.mark.django_db
def test_thread_lists_comments_with_parent_and_depth(
    api: APIClient, article: Article
) -> None:
    """Each comment in the thread carries its parent id and depth."""
    top = make_comment(article=article)
    reply = make_comment(article=article, parent=top)
    data = api.get(_thread(article)).json()
    assert data["count"] == 1
    rows = {row["id"]: row for row in data["results"]}
    assert rows[top.pk]["parent_id"] is None
    assert rows[reply.pk]["parent_id"] == top.pk
    assert rows[reply.pk]["depth"] == 1


@pytest.mark.django_db
def test_thread_is_paginated_with_next_links(
    api: APIClient, article: Article, settings: object
) -> None:
    """The thread API pages by top-level comment and links the next page."""
    settings.PARLEY_THREAD_PAGE_SIZE = 2  # type: ignore[attr-defined]
    make_comments(3, article=article)
    first = api.get(_thread(article)).json()
    assert len(first["results"]) == 2
    assert first["next"].endswith("?sort=oldest&page=2")
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 1
    assert second["next"] is None


@pytest.mark.django_db
def test_create_comment_and_reply(api: APIClient, article: Article) -> None:
    """A reply is created with 201, its parent, depth and status."""
    top = make_comment(article=article)
    reply = api.post(
        _thread(article), {"body": "Reply", "parent_id": top.pk}, format="json"
    )
    assert reply.status_code == 201, reply.content
    assert reply.json()["parent_id"] == top.pk
    assert reply.json()["depth"] == 1
    assert reply.json()["status"] in {s.value for s in CommentStatus}


@pytest.mark.django_db
def test_idempotency_key_makes_retries_safe(api: APIClient, article: Article) -> None:
    """The same Idempotency-Key returns the first comment instead of a duplicate."""
    first = api.post(
        _thread(article), {"body": "Once"}, format="json", HTTP_IDEMPOTENCY_KEY="abc"
    )
    again = api.post(
        _thread(article), {"body": "Once"}, format="json", HTTP_IDEMPOTENCY_KEY="abc"
    )
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert article.comments.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "code", "message"),
    [
        ({"body": ""}, "body_empty", "Your comment is empty"),
        ({"body": "   \n "}, "body_empty", "Your comment is empty"),
        ({"body": "x" * 5001}, "body_too_long", "the limit is 5,000"),
        ({"body": "a\u0000b"}, "body_control_characters", "control characters"),
        ({"body": "a\u001bb"}, "body_control_characters", "control characters"),
        ({}, "invalid", 'Write your comment in the "body" field.'),
        ({"body": None}, "invalid", 'Write your comment in the "body" field.'),
        ({"body": "Hi", "parent_id": "x"}, "invalid", "parent_id must be the id"),
        ({"body": "Hi", "parent_id": 987654}, "parent_not_found", "no comment 987654"),
    ],
)
def test_bad_comment_input_gets_400_with_a_message(
    api: APIClient,
    article: Article,
    payload: dict[str, object],
    code: str,
    message: str,
) -> None:
    """Bad bodies and parents are refused with a code and a readable message."""
    response = api.post(_thread(article), payload, format="json")
    assert response.status_code == 400
    assert _error(response)["code"] == code
    assert message in _error(response)["message"]
    assert not article.comments.exists()


@pytest.mark.django_db
def test_malformed_json_gets_400(api: APIClient, article: Article) -> None:
    """A body that is not JSON is refused, saying what to send."""
    response = api.post(
        _thread(article), data='{"body": "unterminated', content_type="application/json"
    )
    assert response.status_code == 400
    assert _error(response)["code"] == "malformed_request"
    assert "valid JSON" in _error(response)["message"]


@pytest.mark.django_db
def test_invalid_utf8_gets_400(api: APIClient, article: Article) -> None:
    """Bytes that are not UTF-8 are refused, not stored and not a 500."""
    response = api.post(
        _thread(article), data=b'{"body": "caf\xe9"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert "UTF-8" in _error(response)["message"]
    assert not article.comments.exists()


@pytest.mark.django_db
def test_lone_surrogate_in_json_gets_400(api: APIClient, article: Article) -> None:
    """A JSON escape for half a character is refused, not sent to the database."""
    response = api.post(
        _thread(article),
        data='{"body": "bad \\ud800 half"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert _error(response)["code"] == "body_control_characters"


@pytest.mark.django_db
def test_reply_to_comment_of_another_story_gets_400(
    api: APIClient, article: Article
) -> None:
    """A reply must be on the same story as its parent."""
    foreign = make_comment(article=make_article())
    response = api.post(
        _thread(article), {"body": "Hi", "parent_id": foreign.pk}, format="json"
    )
    assert response.status_code == 400
    assert _error(response)["code"] == "parent_other_article"


@pytest.mark.django_db
def test_reply_to_unpublished_comment_gets_400(
    api: APIClient, article: Article
) -> None:
    """A held comment takes no replies."""
    held = make_comment(article=article, status=CommentStatus.HELD)
    response = api.post(
        _thread(article), {"body": "Hi", "parent_id": held.pk}, format="json"
    )
    assert response.status_code == 400
    assert "not open for replies" in _error(response)["message"]


@pytest.mark.django_db
def test_closed_story_gets_403(api: APIClient) -> None:
    """Posting on a closed story is forbidden, with the reason."""
    article = make_article(comments_open=False)
    response = api.post(_thread(article), {"body": "Hi"}, format="json")
    assert response.status_code == 403
    assert _error(response)["message"] == "Comments on this story are closed."


@pytest.mark.django_db
def test_unknown_story_and_comment_get_404(api: APIClient) -> None:
    """Unknown slugs and ids answer 404 with the same error shape."""
    story = api.post("/api/v1/articles/nope/comments/", {"body": "x"}, format="json")
    comment = api.get("/api/v1/comments/424242/")
    edit = api.patch("/api/v1/comments/424242/", {"body": "x"}, format="json")
    withdraw = api.post("/api/v1/comments/424242/withdraw/")
    for response in (story, comment, edit, withdraw):
        assert response.status_code == 404
        assert "There is no" in _error(response)["message"]


@pytest.mark.django_db
def test_anonymous_post_gets_401_or_403(article: Article) -> None:
    """Signed-out clients cannot post."""
    response = APIClient().post(_thread(article), {"body": "Hi"}, format="json")
    assert response.status_code in (401, 403)
    assert "credentials" in _error(response)["message"]


@pytest.mark.django_db
def test_edit_and_withdraw_through_the_api(
    api: APIClient, reader: User, article: Article
) -> None:
    """The author edits then withdraws a comment."""
    comment = make_comment(article=article, author=reader, body="Frist")
    edited = api.patch(
        f"/api/v1/comments/{comment.pk}/", {"body": "First"}, format="json"
    )
    assert edited.status_code == 200
    assert edited.json()["body"] == "First"
    withdrawn = api.post(f"/api/v1/comments/{comment.pk}/withdraw/")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["body"] is None


@pytest.mark.django_db
def test_editing_someone_elses_comment_gets_403(
    api: APIClient, other_reader: User, article: Article
) -> None:
    """Only the author may edit."""
    comment = make_comment(article=article, author=other_reader)
    response = api.patch(
        f"/api/v1/comments/{comment.pk}/", {"body": "x"}, format="json"
    )
    assert response.status_code == 403
    assert _error(response)["message"] == "You can only edit your own comments."


@pytest.mark.django_db
def test_comment_status_is_readable_by_its_author_only_while_held(
    api: APIClient, reader: User, article: Article
) -> None:
    """The author can poll a held comment's status; others get 404."""
    comment = make_comment(article=article, author=reader, status="held")
    own = api.get(f"/api/v1/comments/{comment.pk}/")
    anon = APIClient().get(f"/api/v1/comments/{comment.pk}/")
    assert own.json()["status"] == "held"
    assert own.json()["awaiting_review"] is True
    assert anon.status_code == 404


@pytest.mark.django_db
def test_token_auth_works(reader: User, article: Article) -> None:
    """A token from /api/v1/auth/token/ authenticates API writes."""
    client = APIClient()
    token = client.post(
        "/api/v1/auth/token/",
        {"username": "alice", "password": "correct horse battery staple"},
        format="json",
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.post(_thread(article), {"body": "Via token"}, format="json")
    assert response.status_code == 201


@pytest.mark.django_db
def test_api_writes_are_rate_limited(api: APIClient, article: Article) -> None:
    """Too many writes answer 429 with a wait message."""
    for n in range(10):
        api.post(_thread(article), {"body": f"n{n}"}, format="json")
    response = api.post(_thread(article), {"body": "more"}, format="json")
    assert response.status_code == 429
    assert "throttled" in _error(response)["message"].lower()


@pytest.mark.django_db
def test_openapi_schema_and_docs(client: object) -> None:
    """The schema is OpenAPI 3 and the interactive docs page loads."""
    schema = client.get("/api/schema/?format=json")  # type: ignore[attr-defined]
    assert schema.status_code == 200
    document = json.loads(schema.content)
    assert document["openapi"].startswith("3.")
    assert "/api/v1/articles/{slug}/comments/" in document["paths"]
    docs = client.get("/api/docs/")  # type: ignore[attr-defined]
    assert docs.status_code == 200
