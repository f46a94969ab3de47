"""Telling readers what happened: site notifications and emails, as each reader chose.

`status_changed_receiver` hears every committed batch of status changes through
the lifecycle hook (subscribed in ReadersConfig.ready()); `notify_report_outcome` is
called when a reader's abuse report is resolved, and the appeal and problem-report
services here call `notification_create`. This module reads only models.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import User
from articles.models import Comment, CommentStatus
from lifecycle.events import StatusChanged
from moderation.models import Decision

from .models import (
    EmailDelivery,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from .tasks import schedule_email, schedule_emails

logger = logging.getLogger(__name__)

SUBJECTS = {
    NotificationKind.REPLY: "New reply to your comment",
    NotificationKind.COMMENT_STATUS: "Your comment was reviewed",
    NotificationKind.REPORT_OUTCOME: "About your report",
    NotificationKind.APPEAL_OUTCOME: "The outcome of your appeal",
}


def preference_for(user: User) -> NotificationPreference:
    pref, _ = NotificationPreference.objects.get_or_create(user=user)
    return pref


def email_queue(
    *,
    to_address: str,
    subject: str,
    body: str,
    purpose: str,
    recipient: User | None = None,
    notification: Notification | None = None,
    problem_report_id: int | None = None,
) -> EmailDelivery:
    """Record an email as queued; a task sends it once the transaction commits."""
    delivery = EmailDelivery.objects.create(
        to_address=to_address,
        subject=subject[:200],
        body=body,
        purpose=purpose,
        recipient=recipient,
        notification=notification,
        problem_report_id=problem_report_id,
    )
    schedule_email(delivery_id=delivery.pk)
    return delivery


def notification_create(
    *,
    recipient: User,
    kind: str,
    key: str,
    message: str,
    url: str = "",
) -> Notification | None:
    """Notify a reader once per `key`, on the site and/or by email as they chose.

    Returns None when the reader wants neither, is no longer active, or was already
    notified under this key (so calling twice for one event notifies once).
    """
    created = notifications_create(
        [_Wanted(recipient=recipient, kind=kind, key=key, message=message, url=url)]
    )
    return created[0] if created else None


@dataclass(frozen=True, slots=True)
class _Wanted:
    recipient: User
    kind: str
    key: str
    message: str
    url: str


def _email_body(recipient: User, message: str, url: str) -> str:
    link = f"\n\n{url}" if url else ""
    return (
        f"Hello {recipient.public_name},\n\n{message}{link}\n\n"
        "You can switch these emails off in your notification settings."
    )


def notifications_create(wanted: Sequence[_Wanted]) -> list[Notification]:
    """`notification_create` for many at once: one query for the preferences, one
    for the keys already used, one insert of notifications and one of emails, the
    emails queued together after commit. Same rules as `notification_create`."""
    wanted = [w for w in wanted if w.recipient.is_active]
    if not wanted:
        return []
    user_ids = {w.recipient.pk for w in wanted}
    NotificationPreference.objects.bulk_create(
        [NotificationPreference(user_id=uid) for uid in sorted(user_ids)],
        ignore_conflicts=True,
    )
    prefs = {
        p.user_id: p
        for p in NotificationPreference.objects.filter(user_id__in=user_ids)
    }
    used = set(
        Notification.objects.filter(
            recipient_id__in=user_ids, key__in={w.key[:100] for w in wanted}
        ).values_list("recipient_id", "key")
    )
    rows: list[tuple[_Wanted, Notification, bool]] = []
    for w in wanted:
        pref = prefs[w.recipient.pk]
        on_site = pref.wants(w.kind, "site")
        by_email = pref.wants(w.kind, "email") and bool(w.recipient.email)
        pair = (w.recipient.pk, w.key[:100])
        if not (on_site or by_email) or pair in used:
            continue
        used.add(pair)
        notification = Notification(
            recipient=w.recipient,
            kind=w.kind,
            key=w.key[:100],
            message=w.message,
            url=w.url,
            show_on_site=on_site,
        )
        rows.append((w, notification, by_email))
    try:
        with transaction.atomic():
            created = Notification.objects.bulk_create([n for _, n, _ in rows])
    except IntegrityError:
        # Another process notified some of them meanwhile: one at a time, each
        # skipping the keys now used (a single one lost its race: nothing to do).
        if len(rows) == 1:
            return []
        return [n for w, _, _ in rows for n in notifications_create([w])]
    deliveries = EmailDelivery.objects.bulk_create(
        [
            EmailDelivery(
                to_address=w.recipient.email,
                subject=SUBJECTS.get(NotificationKind(w.kind), "Parley")[:200],
                body=_email_body(w.recipient, w.message, w.url),
                purpose=w.kind,
                recipient=w.recipient,
                notification=n,
            )
            for w, n, by_email in rows
            if by_email
        ]
    )
    schedule_emails(delivery_ids=[d.pk for d in deliveries])
    return created


def _excerpt(comment: Comment, length: int = 60) -> str:
    text = " ".join(comment.body.split())
    return f"“{text[:length]}…”" if len(text) > length else f"“{text}”"


def might_notify(
    *, source: str, from_status: str, to_status: str, is_reply: bool
) -> bool:
    """Whether `notify_status_change` could notify anyone for such a change.

    Decided without a query, so the pipeline schedules no work for the common case
    of a top-level comment published straight away.
    """
    if source == Decision.Source.AUTHOR:
        return False
    if to_status == CommentStatus.PUBLISHED and is_reply:
        return True
    instant = (
        source == Decision.Source.PIPELINE
        and from_status == CommentStatus.PENDING
        and to_status == CommentStatus.PUBLISHED
    )
    return (
        to_status in (CommentStatus.PUBLISHED, CommentStatus.REJECTED) and not instant
    )


def status_changed_receiver(events: Sequence[StatusChanged]) -> None:
    """The lifecycle hook's batch subscriber: notify for the changes that might
    concern someone, all of a bulk action's changes together."""
    decision_ids = [
        event.decision_id
        for event in events
        if might_notify(
            source=event.source,
            from_status=event.old_status,
            to_status=event.new_status,
            is_reply=event.parent_id is not None,
        )
    ]
    if decision_ids:
        notify_status_changes(decision_ids=decision_ids)


def notify_status_change(*, decision_id: int) -> None:
    """`notify_status_changes` for one decision."""
    notify_status_changes(decision_ids=[decision_id])


def notify_status_changes(*, decision_ids: Sequence[int]) -> None:
    """Notify after status changes: the author when their comment is approved or
    rejected, and the parent's author when a reply is first published.

    A comment published straight away by the pipeline does not notify its author
    (they saw it published when posting); authors' own changes notify nobody. A
    batch costs a fixed number of queries, whatever its size.
    """
    decisions = (
        Decision.objects.select_related(
            "comment__author", "comment__article", "comment__parent__author"
        )
        .filter(pk__in=decision_ids)
        .exclude(source=Decision.Source.AUTHOR)
        .order_by("pk")
    )
    wanted: list[_Wanted] = []
    for decision in decisions:
        comment = decision.comment
        if decision.to_status in (CommentStatus.PUBLISHED, CommentStatus.REJECTED):
            instant = (
                decision.source == Decision.Source.PIPELINE
                and decision.from_status == CommentStatus.PENDING
                and decision.to_status == CommentStatus.PUBLISHED
            )
            if not instant:
                wanted.append(
                    _Wanted(
                        recipient=comment.author,
                        kind=NotificationKind.COMMENT_STATUS,
                        key=f"decision:{decision.pk}",
                        message=_status_message(decision),
                        url=_my_comments_url(comment),
                    )
                )
        parent = comment.parent
        if (
            decision.to_status == CommentStatus.PUBLISHED
            and parent is not None
            and parent.author_id != comment.author_id
        ):
            wanted.append(
                _Wanted(
                    recipient=parent.author,
                    kind=NotificationKind.REPLY,
                    key=f"reply:{comment.pk}",
                    message=f"{comment.author.public_name} replied to your comment "
                    f"{_excerpt(parent)} on “{comment.article.title}”.",
                    url=comment.get_absolute_url(),
                )
            )
    notifications_create(wanted)


def _my_comments_url(comment: Comment) -> str:
    return f"{reverse('readers:my_comments')}#c{comment.pk}"


def _status_message(decision: Decision) -> str:
    comment = decision.comment
    where = f"Your comment {_excerpt(comment)} on “{comment.article.title}”"
    if decision.to_status == CommentStatus.PUBLISHED:
        return f"{where} is published."
    reason = (
        decision.get_rejection_reason_display() if decision.rejection_reason else ""
    )
    because = f" Reason: {reason}." if reason else ""
    return (
        f"{where} was not published.{because} If you think this is a mistake, you "
        "can appeal from your comments page."
    )


def notify_report_outcome(
    *, recipient_id: int, report_id: int, message: str, url: str = ""
) -> Notification | None:
    """Tell a reader how their abuse report on a comment was resolved.

    For moderation's report service to call once per report (idempotent per
    report_id): `message` is the outcome in words for the reader.
    """
    recipient = User.objects.filter(pk=recipient_id).first()
    if recipient is None:
        return None
    return notification_create(
        recipient=recipient,
        kind=NotificationKind.REPORT_OUTCOME,
        key=f"abuse-report:{report_id}",
        message=message,
        url=url,
    )
