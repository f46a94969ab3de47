import smtplib
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from articles.models import Article, Comment, CommentStatus
from lifecycle.transitions import Transition, comment_transition, comments_transition
from moderation.models import Decision
from readers import notifications
from readers.models import EmailDelivery, Notification, NotificationPreference
from readers.tasks import EMAIL_MAX_RETRIES, send_email_task
from tests.factories import make_comment, make_user, make_users


def _set_status(
    comment: Comment,
    to: str,
    *,
    source: str = Decision.Source.MODERATOR,
    actor: User | None = None,
    reason: str = "",
) -> None:
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        comment_transition(
            comment=locked,
            to_status=to,
            source=source,
            actor=actor,
            rejection_reason=reason,
        )


def _prefs(user: User, **values: bool) -> None:
    NotificationPreference.objects.update_or_create(user=user, defaults=values)


@pytest.mark.django_db
def test_moderator_rejection_notifies_the_author_with_the_reason(
    reader: User, article: Article, on_commit: object
) -> None:
    """A rejected comment's author is told, with the moderator's chosen reason."""
    comment = make_comment(article=article, author=reader, status="held")
    with on_commit():  # type: ignore[operator]
        _set_status(comment, CommentStatus.REJECTED, reason="off_topic")
    note = Notification.objects.get(recipient=reader)
    assert note.kind == "comment_status"
    assert "Off-topic" in note.message
    assert "appeal" in note.message


@pytest.mark.django_db
def test_instant_pipeline_publication_does_not_notify(
    reader: User, article: Article, on_commit: object
) -> None:
    """A comment the pipeline publishes straight away notifies nobody."""
    comment = make_comment(article=article, author=reader, status="pending")
    with on_commit():  # type: ignore[operator]
        _set_status(comment, CommentStatus.PUBLISHED, source=Decision.Source.PIPELINE)
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_approval_after_review_notifies_the_author(
    reader: User, article: Article, on_commit: object
) -> None:
    """A held comment approved by a moderator tells its author it is published."""
    comment = make_comment(article=article, author=reader, status="held")
    with on_commit():  # type: ignore[operator]
        _set_status(comment, CommentStatus.PUBLISHED)
    assert "is published" in Notification.objects.get(recipient=reader).message


@pytest.mark.django_db
def test_published_reply_notifies_the_parent_author_once(
    reader: User, other_reader: User, article: Article, on_commit: object
) -> None:
    """A reply notifies the replied-to author when published, not while pending,
    and only once even if it is published again later."""
    parent = make_comment(article=article, author=reader)
    reply = make_comment(
        article=article, author=other_reader, parent=parent, status="pending"
    )
    # when held, then published, withdrawn from view, published again
    with on_commit():  # type: ignore[operator]
        _set_status(reply, CommentStatus.HELD, source=Decision.Source.PIPELINE)
    held_count = Notification.objects.filter(recipient=reader).count()
    with on_commit():  # type: ignore[operator]
        _set_status(reply, CommentStatus.PUBLISHED)
    with on_commit():  # type: ignore[operator]
        _set_status(reply, CommentStatus.HELD, source=Decision.Source.READERS)
    with on_commit():  # type: ignore[operator]
        _set_status(reply, CommentStatus.PUBLISHED)
    # then
    assert held_count == 0
    replies = Notification.objects.filter(recipient=reader, kind="reply")
    assert replies.count() == 1
    assert "Bob replied to your comment" in replies.get().message


@pytest.mark.django_db
def test_switched_off_notifications_are_not_created(
    reader: User, article: Article, on_commit: object
) -> None:
    """With both channels off for a kind, nothing is recorded or sent."""
    _prefs(reader, comment_status_site=False, comment_status_email=False)
    comment = make_comment(article=article, author=reader, status="held")
    with on_commit():  # type: ignore[operator]
        _set_status(comment, CommentStatus.REJECTED)
    assert not Notification.objects.exists()
    assert not mail.outbox


@pytest.mark.django_db
def test_email_notification_is_sent_and_logged_when_switched_on(
    reader: User, article: Article, on_commit: object
) -> None:
    """With email on, an email is sent after commit and its delivery logged."""
    _prefs(reader, comment_status_email=True, comment_status_site=False)
    comment = make_comment(article=article, author=reader, status="held")
    with on_commit():  # type: ignore[operator]
        _set_status(comment, CommentStatus.REJECTED, reason="spam")
    assert [m.to for m in mail.outbox] == [[reader.email]]
    delivery = EmailDelivery.objects.get()
    assert delivery.status == EmailDelivery.Status.SENT
    assert delivery.recipient == reader
    # Not listed on the site: the reader chose email only.
    assert not Notification.objects.filter(show_on_site=True).exists()


def _attempt(delivery_id: int, retries: int) -> str:
    """Run one delivery attempt as the worker would on its `retries`-th retry."""
    try:
        send_email_task.apply(args=(delivery_id,), retries=retries, throw=True)
    except Retry:
        return "retry"
    except (smtplib.SMTPException, OSError):
        return "gave up"
    return "done"


@pytest.mark.django_db
def test_email_send_retries_then_succeeds() -> None:
    """Transient SMTP failures are retried; each attempt is counted."""
    delivery = EmailDelivery.objects.create(
        to_address="r@example.org", subject="s", body="b"
    )
    failures = [smtplib.SMTPServerDisconnected("gone"), OSError("refused"), None]
    with mock.patch("readers.delivery.send_mail", side_effect=failures) as send:
        outcomes = [_attempt(delivery.pk, n) for n in range(3)]
    delivery.refresh_from_db()
    assert outcomes == ["retry", "retry", "done"]
    assert send.call_count == 3
    assert delivery.status == EmailDelivery.Status.SENT
    assert delivery.attempts == 3
    assert "refused" in delivery.last_error


@pytest.mark.django_db
def test_email_retries_are_bounded_and_the_failure_is_recorded() -> None:
    """After the last of 3 retries the delivery is marked failed with the error."""
    delivery = EmailDelivery.objects.create(
        to_address="r@example.org", subject="s", body="b"
    )
    statuses = []
    outcomes = []
    with mock.patch(
        "readers.delivery.send_mail", side_effect=smtplib.SMTPException("nope")
    ):
        for n in range(EMAIL_MAX_RETRIES + 1):
            outcomes.append(_attempt(delivery.pk, n))
            delivery.refresh_from_db()
            statuses.append(delivery.status)
    assert outcomes == ["retry"] * EMAIL_MAX_RETRIES + ["gave up"]
    assert statuses == ["retrying"] * EMAIL_MAX_RETRIES + ["failed"]
    assert delivery.attempts == EMAIL_MAX_RETRIES + 1
    assert "nope" in delivery.last_error
    assert send_email_task.max_retries == EMAIL_MAX_RETRIES == 3
    assert smtplib.SMTPException in send_email_task.autoretry_for  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_a_sent_email_is_not_sent_again() -> None:
    """A task delivered twice sends its email once."""
    delivery = EmailDelivery.objects.create(
        to_address="r@example.org", subject="s", body="b"
    )
    send_email_task.apply(args=(delivery.pk,))
    send_email_task.apply(args=(delivery.pk,))
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_report_outcome_hook_is_idempotent(reader: User) -> None:
    """notify_report_outcome notifies once per report id."""
    for _ in range(2):
        notifications.notify_report_outcome(
            recipient_id=reader.pk, report_id=7, message="We removed the comment."
        )
    assert Notification.objects.filter(kind="report_outcome").count() == 1


@pytest.mark.django_db
def test_notifications_page_lists_and_marks_read(
    reader: User, reader_client: Client
) -> None:
    """The notifications page lists them, marks them read, and the header links."""
    notifications.notification_create(
        recipient=reader, kind="reply", key="k1", message="Someone replied."
    )
    url = reverse("readers:notifications")
    page = reader_client.get(url).content.decode()
    reader_client.post(url)
    assert "Someone replied." in page
    assert 'href="/me/notifications/"' in page
    assert Notification.objects.get().read_at is not None


@pytest.mark.django_db
def test_settings_form_switches_each_notification(
    reader: User, reader_client: Client
) -> None:
    """Unticked boxes switch notifications off; ticked ones on."""
    url = reverse("readers:notification_settings")
    page = reader_client.get(url).content.decode()
    response = reader_client.post(
        url, {"reply_email": "on", "appeal_outcome_site": "on"}
    )
    pref = NotificationPreference.objects.get(user=reader)
    assert 'for="id_reply_email"' in page
    assert response.status_code == 302
    assert pref.reply_email is True
    assert pref.reply_site is False
    assert pref.appeal_outcome_site is True
    assert pref.comment_status_site is False


@pytest.mark.django_db
def test_api_notification_settings_and_bad_input(api: APIClient, reader: User) -> None:
    """The API reads and patches settings; unknown names and non-booleans are 400."""
    ok = api.patch(
        "/api/v1/me/notification-settings/", {"reply_email": True}, format="json"
    )
    unknown = api.patch(
        "/api/v1/me/notification-settings/", {"sms": True}, format="json"
    )
    wrong = api.patch(
        "/api/v1/me/notification-settings/", {"reply_site": "perhaps"}, format="json"
    )
    not_object = api.patch("/api/v1/me/notification-settings/", [1, 2], format="json")
    assert ok.status_code == 200
    assert ok.json()["reply_email"] is True
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "unknown_setting"
    assert wrong.status_code == 400
    assert "true or false" in wrong.json()["error"]["message"]
    assert not_object.status_code == 400
    assert api.get("/api/v1/me/notifications/").json() == []


@pytest.mark.django_db
def test_notifications_need_login(client: Client) -> None:
    """Signed-out visitors are sent to log in, and the API refuses them."""
    assert client.get(reverse("readers:notifications")).status_code == 302
    assert APIClient().get("/api/v1/me/notifications/").status_code in (401, 403)


def _approve_together(comments: list[Comment], actor: User) -> None:
    with transaction.atomic():
        locked = list(
            Comment.objects.select_for_update().filter(pk__in=[c.pk for c in comments])
        )
        comments_transition(
            [
                Transition(
                    comment=c,
                    to_status=CommentStatus.PUBLISHED,
                    source=Decision.Source.MODERATOR,
                    actor=actor,
                )
                for c in locked
            ]
        )


@pytest.mark.django_db
def test_a_bulk_approval_notifies_every_author_in_a_fixed_number_of_queries(
    article: Article,
    on_commit: object,
) -> None:
    """Approving many held comments at once tells each author (on the site, and by
    email if they asked), and the notifications cost the same queries for 3 or 30."""
    moderator = make_user(username="mod")
    counts = []
    for size in (3, 30):
        authors = make_users(size)
        _prefs(authors[0], comment_status_email=True)
        held = [make_comment(article=article, author=a, status="held") for a in authors]
        with (
            CaptureQueriesContext(connection) as queries,
            on_commit(),  # type: ignore[operator]
        ):
            _approve_together(held, moderator)
        counts.append(len(queries))
        for author in authors:
            note = Notification.objects.get(recipient=author)
            assert note.kind == "comment_status"
            assert "is published" in note.message
        assert EmailDelivery.objects.filter(recipient=authors[0]).count() == 1
    assert counts[0] == counts[1]
