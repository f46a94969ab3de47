from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from articles.models import Article, Comment, CommentStatus
from core.errors import Conflict, InvalidInput, NotAllowed
from moderation.models import Decision
from readers import services
from readers.models import Appeal, Notification
from tests.factories import make_comment, make_user

from .conftest import has_decide_permission, make_moderator


def _rejected_by(comment: Comment, moderator: User | None) -> Comment:
    Decision.objects.create(
        comment=comment,
        text_version=1,
        from_status=CommentStatus.HELD,
        to_status=CommentStatus.REJECTED,
        source=Decision.Source.MODERATOR if moderator else Decision.Source.PIPELINE,
        actor=moderator,
        rejection_reason="abusive" if moderator else "",
    )
    return comment


@pytest.fixture
def rejected(reader: User, article: Article, moderator: User) -> Comment:
    comment = make_comment(
        article=article, author=reader, status=CommentStatus.REJECTED, body="Hm."
    )
    return _rejected_by(comment, moderator)


@pytest.mark.django_db
def test_migration_lets_moderators_decide_appeals() -> None:
    """The Moderators group holds the decide_appeal permission after migrating."""
    assert Group.objects.filter(name="Moderators").exists()
    assert has_decide_permission()


@pytest.mark.django_db
def test_my_comments_shows_status_and_the_moderators_reason(
    reader_client: Client, reader: User, rejected: Comment
) -> None:
    """A reader sees every comment's status and why a rejected one was rejected."""
    # given
    make_comment(author=reader, status=CommentStatus.HELD, body="Waiting one")
    # when
    page = reader_client.get(reverse("readers:my_comments")).content.decode()
    # then
    assert "Held for review" in page
    assert "Rejected" in page
    assert "Abusive or insulting" in page
    assert reverse("readers:appeal", args=(rejected.pk,)) in page


@pytest.mark.django_db
def test_my_comments_needs_login(client: Client) -> None:
    """Signed-out visitors are sent to log in."""
    response = client.get(reverse("readers:my_comments"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.django_db
def test_appeal_once_per_comment(
    reader_client: Client, reader: User, rejected: Comment
) -> None:
    """The first appeal is queued; a second on the same comment is refused (409)."""
    url = reverse("readers:appeal", args=(rejected.pk,))
    # when
    first = reader_client.post(url, {"note": "It was a quote from the article."})
    second = reader_client.post(url, {"note": "Please?"})
    # then
    assert first.status_code == 302
    assert second.status_code == 409
    assert "already appealed" in second.content.decode()
    appeal = Appeal.objects.get()
    assert appeal.status == Appeal.Status.PENDING
    assert appeal.note == "It was a quote from the article."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("note", "status", "message"),
    [
        ("", 400, "Please write the note."),
        ("x" * 2001, 400, "please keep it under 2000"),
    ],
)
def test_appeal_bad_note_is_refused(
    reader_client: Client, rejected: Comment, note: str, status: int, message: str
) -> None:
    """An empty or overlong note is refused with a message; nothing is queued."""
    response = reader_client.post(
        reverse("readers:appeal", args=(rejected.pk,)), {"note": note}
    )
    assert response.status_code == status
    assert message in response.content.decode()
    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_only_the_author_may_appeal_and_only_rejected_comments(
    reader: User, other_reader: User, rejected: Comment
) -> None:
    """Appealing someone else's comment, or a published one, is refused."""
    published = make_comment(author=reader, status=CommentStatus.PUBLISHED)
    with pytest.raises(NotAllowed, match="your own"):
        services.appeal_create(comment=rejected, appellant=other_reader, note="x")
    with pytest.raises(InvalidInput, match="Only rejected comments"):
        services.appeal_create(comment=published, appellant=reader, note="x")


@pytest.mark.django_db
def test_appeal_page_of_anothers_comment_is_forbidden(
    reader: User, rejected: Comment
) -> None:
    """The appeal form of another reader's comment answers 403 with a message."""
    client = Client()
    client.force_login(make_user(username="carol"))
    response = client.get(reverse("readers:appeal", args=(rejected.pk,)))
    assert response.status_code == 403
    assert "your own comments" in response.content.decode()


@pytest.mark.django_db
def test_rejecting_moderator_may_not_decide_the_appeal(
    reader: User, rejected: Comment, moderator: User
) -> None:
    """The moderator who rejected the comment is refused; the appeal stays pending."""
    appeal = services.appeal_create(comment=rejected, appellant=reader, note="x")
    with pytest.raises(NotAllowed, match="another moderator"):
        services.appeal_decide(appeal=appeal, moderator=moderator, overturn=True)
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.PENDING


@pytest.mark.django_db
def test_another_moderator_overturns_and_the_comment_is_published(
    reader: User, rejected: Comment, second_moderator: User, on_commit: object
) -> None:
    """Overturning publishes the comment with a moderator Decision, and the reader
    is told the outcome."""
    appeal = services.appeal_create(comment=rejected, appellant=reader, note="x")
    # when
    with on_commit():  # type: ignore[operator]
        services.appeal_decide(
            appeal=appeal, moderator=second_moderator, overturn=True, note="Fair."
        )
    # then
    rejected.refresh_from_db()
    appeal.refresh_from_db()
    assert rejected.status == CommentStatus.PUBLISHED
    assert appeal.status == Appeal.Status.OVERTURNED
    assert appeal.decided_by == second_moderator
    latest = Decision.objects.filter(comment=rejected).order_by("-id").first()
    assert latest is not None
    assert latest.source == Decision.Source.MODERATOR
    assert latest.actor == second_moderator
    messages = list(
        Notification.objects.filter(recipient=reader).values_list("kind", flat=True)
    )
    assert "appeal_outcome" in messages


@pytest.mark.django_db
def test_upheld_appeal_is_shown_to_the_reader_and_cannot_be_decided_twice(
    reader: User, reader_client: Client, rejected: Comment, second_moderator: User
) -> None:
    """The reader sees the outcome on their comments page; a decided appeal stays."""
    appeal = services.appeal_create(comment=rejected, appellant=reader, note="x")
    services.appeal_decide(
        appeal=appeal, moderator=second_moderator, overturn=False, note="Insults."
    )
    with pytest.raises(Conflict):
        services.appeal_decide(appeal=appeal, moderator=second_moderator, overturn=True)
    page = reader_client.get(reverse("readers:my_comments")).content.decode()
    assert "Rejection upheld" in page
    assert "Insults." in page
    rejected.refresh_from_db()
    assert rejected.status == CommentStatus.REJECTED


@pytest.mark.django_db
def test_pipeline_rejection_can_be_decided_by_any_moderator(
    reader: User, article: Article, moderator: User
) -> None:
    """With no moderator behind the rejection, any moderator may decide."""
    comment = _rejected_by(
        make_comment(article=article, author=reader, status="rejected"), None
    )
    appeal = services.appeal_create(comment=comment, appellant=reader, note="x")
    services.appeal_decide(appeal=appeal, moderator=moderator, overturn=False)
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.UPHELD


@pytest.mark.django_db
def test_staff_without_the_permission_cannot_decide(
    reader: User, rejected: Comment
) -> None:
    """Deciding appeals needs readers.decide_appeal."""
    appeal = services.appeal_create(comment=rejected, appellant=reader, note="x")
    staff = make_user(username="intern", is_staff=True)
    with pytest.raises(NotAllowed):
        services.appeal_decide(appeal=appeal, moderator=staff, overturn=True)


@pytest.mark.django_db
def test_admin_appeals_queue_actions_respect_the_different_moderator_rule(
    reader: User, rejected: Comment, moderator: User, second_moderator: User
) -> None:
    """The queue's overturn action refuses the rejecting moderator with a message
    and works for another moderator."""
    appeal = services.appeal_create(comment=rejected, appellant=reader, note="x")
    url = reverse("admin:readers_appeal_changelist")
    data = {"action": "overturn", "_selected_action": [appeal.pk]}
    same, other = Client(), Client()
    same.force_login(moderator)
    other.force_login(second_moderator)
    # when
    refused = same.post(url, data, follow=True).content.decode()
    appeal.refresh_from_db()
    status_after_refusal = appeal.status
    other.post(url, data, follow=True)
    # then
    assert "another moderator must decide" in refused
    assert status_after_refusal == Appeal.Status.PENDING
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.OVERTURNED


@pytest.mark.django_db
def test_api_my_comments_and_appeal(
    api: APIClient, reader: User, rejected: Comment
) -> None:
    """The API lists the reader's comments and takes one appeal per comment."""
    listing = api.get("/api/v1/me/comments/").json()
    url = f"/api/v1/me/comments/{rejected.pk}/appeal/"
    first = api.post(url, {"note": "Context"}, format="json")
    second = api.post(url, {"note": "Again"}, format="json")
    assert listing[0]["rejection_reason"] == "Abusive or insulting"
    assert listing[0]["can_appeal"] is True
    assert first.status_code == 201
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "already_appealed"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({}, 400, "invalid"),
        ({"note": ""}, 400, "missing_note"),
        ({"note": ["a"]}, 400, "invalid"),
    ],
)
def test_api_appeal_bad_input(
    api: APIClient,
    rejected: Comment,
    payload: dict[str, object],
    status: int,
    code: str,
) -> None:
    """Bad appeal input gets the one error shape."""
    response = api.post(
        f"/api/v1/me/comments/{rejected.pk}/appeal/", payload, format="json"
    )
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


@pytest.mark.django_db
def test_api_appeal_unknown_comment_and_anonymous(rejected: Comment) -> None:
    """Unknown comments answer 404; signed-out callers 401/403."""
    reader = make_moderator("x")
    client = APIClient()
    anon = client.post(f"/api/v1/me/comments/{rejected.pk}/appeal/", {"note": "x"})
    client.force_authenticate(reader)
    missing = client.post("/api/v1/me/comments/999999/appeal/", {"note": "x"})
    assert anon.status_code in (401, 403)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "comment_not_found"


@pytest.mark.django_db
def test_my_comments_and_the_thread_show_the_same_date(
    reader_client: Client, reader: User
) -> None:
    """A reader finds their comment by its date: "My comments" writes it as the
    thread under the story does."""
    # given
    comment = make_comment(author=reader, body="Dated the same everywhere")
    Comment.objects.filter(pk=comment.pk).update(
        created_at=datetime(2026, 3, 7, 9, 5, tzinfo=UTC)
    )
    # when
    mine = reader_client.get(reverse("readers:my_comments")).content.decode()
    thread = reader_client.get(comment.article.get_absolute_url()).content.decode()
    # then
    shown = "7 Mar 2026, 09:05"
    assert f'<time datetime="2026-03-07T09:05:00+00:00">{shown}</time>' in mine
    assert f'<time datetime="2026-03-07T09:05:00+00:00">{shown}</time>' in thread
