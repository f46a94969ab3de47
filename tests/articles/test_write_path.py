"""The comment POST's hot path: token, story and rows read and written with SQL
built once per process (core.rows), answering as the ORM's path did."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User
from articles import services
from articles.models import Article, Comment, CommentRevision, IdempotencyKey
from moderation.models import AuthorStanding, Decision
from tests.factories import make_article, make_user

BODY = {"body": "The bridge vote needs a second look."}


def _thread(article: Article) -> str:
    return f"/api/v1/articles/{article.slug}/comments/"


def _token_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user)}")
    return client


@pytest.mark.django_db
def test_a_token_post_is_saved_with_its_author_and_first_revision(
    article: Article,
) -> None:
    """A comment posted with a token is its reader's, pending, with revision 1."""
    # given
    user = make_user(username="carol", display_name="Carol")
    # when
    response = _token_client(user).post(_thread(article), BODY, format="json")
    # then
    assert response.status_code == 201, response.content
    comment = Comment.objects.get(pk=response.json()["id"])
    assert comment.author_id == user.pk
    assert comment.article_id == article.pk
    assert response.json()["author"] == "Carol"
    assert list(comment.revisions.values_list("version", "body")) == [(1, BODY["body"])]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("standing", "status", "code"),
    [
        ({"banned": True}, 403, "author_banned"),
        ({"suspended_until": timedelta(days=2)}, 403, "author_suspended"),
        ({"premoderated": True}, 201, None),
        (None, 201, None),
    ],
)
def test_a_token_writer_is_refused_by_their_standing(
    article: Article, standing: dict[str, object] | None, status: int, code: str | None
) -> None:
    """Bans and suspensions read with the token refuse the write; no row is left."""
    # given
    user = make_user(username="dave")
    if standing is not None:
        fields = {
            k: timezone.now() + v if isinstance(v, timedelta) else v
            for k, v in standing.items()
        }
        AuthorStanding.objects.create(user=user, **fields)
    # when
    response = _token_client(user).post(_thread(article), BODY, format="json")
    # then
    assert response.status_code == status, response.content
    if code is not None:
        assert response.json()["error"]["code"] == code
        assert not Comment.objects.filter(author=user).exists()


@pytest.mark.django_db
def test_an_unknown_or_inactive_token_gets_401(article: Article) -> None:
    """A wrong token, or one of a deactivated account, is refused as DRF refuses it."""
    # given
    user = make_user(username="erin")
    client = _token_client(user)
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    # when
    unknown = stranger.post(_thread(article), BODY, format="json")
    user.is_active = False
    user.save(update_fields=["is_active"])
    inactive = client.post(_thread(article), BODY, format="json")
    # then
    assert unknown.status_code == 401
    assert "Invalid token" in unknown.json()["error"]["message"]
    assert inactive.status_code == 401
    assert "inactive" in inactive.json()["error"]["message"]
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_a_story_not_yet_published_takes_no_comments(api: APIClient) -> None:
    """A POST to a story published in the future answers 404, as an unknown one."""
    # given
    later = make_article(
        slug="embargoed", published_at=timezone.now() + timedelta(hours=1)
    )
    # when
    response = api.post(_thread(later), BODY, format="json")
    # then
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "article_not_found"
    assert not later.comments.exists()


@pytest.mark.django_db(transaction=True)
def test_a_post_outside_a_transaction_writes_every_row_and_is_decided() -> None:
    """Without a surrounding transaction the one INSERT commits the comment, its
    revision and its key together, and moderation hears of it (here: decides it)."""
    # given
    article = make_article(slug="bridge")
    user = make_user(username="frank")
    # when
    response = _token_client(user).post(
        _thread(article), BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    # then
    assert response.status_code == 201, response.content
    comment = Comment.objects.get(pk=response.json()["id"])
    assert CommentRevision.objects.filter(comment=comment, version=1).exists()
    assert IdempotencyKey.objects.get(user=user, key="k-1").comment_id == comment.pk
    assert Decision.objects.filter(comment=comment).exists()


@pytest.mark.django_db(transaction=True)
def test_a_lost_idempotency_race_answers_the_winner_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When a concurrent retry with the same key commits between this request's
    look-up and its INSERT, the winner's comment is the answer and no half of a
    second comment (no comment, no revision) is left behind."""
    # given: the first request's comment, and a look-up that misses it once, as
    # one racing it would
    article = make_article(slug="race")
    user = make_user(username="gina")
    first, created = services.comment_create(
        article=article, author=user, body=BODY["body"], idempotency_key="k-2"
    )
    real = IdempotencyKey.objects.filter
    calls = {"n": 0}

    def racing_filter(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        return real(pk=-1) if calls["n"] == 1 else real(*args, **kwargs)

    monkeypatch.setattr(IdempotencyKey.objects, "filter", racing_filter)
    # when
    again, created_again = services.comment_create(
        article=article, author=user, body=BODY["body"], idempotency_key="k-2"
    )
    # then
    assert created
    assert not created_again
    assert again.pk == first.pk
    assert Comment.objects.count() == 1
    assert CommentRevision.objects.count() == 1
