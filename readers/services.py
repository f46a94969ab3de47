"""Readers' writes: problem reports, appeals, notification settings, their data.

Every refusal is a ServiceError whose message is written for the reader.
"""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import User
from articles.cache import story_versions_bump
from articles.models import Article, Comment, CommentStatus
from core.errors import Conflict, InvalidInput, NotAllowed
from lifecycle.transitions import Transition, comment_transition, comments_transition
from moderation.models import Decision

from .models import (
    Appeal,
    Notification,
    NotificationKind,
    NotificationPreference,
    ProblemReport,
)
from .notifications import email_queue, notification_create, preference_for

DESCRIPTION_MAX = 5000
APPEAL_NOTE_MAX = 2000
RECENT_COMMENTS = 5
DELETED_READER = "deleted reader"


def _text(value: object, *, field: str, required: bool, max_length: int) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"The {field} must be text.", code=f"invalid_{field}")
    text = value.strip()
    if "\x00" in text:
        raise InvalidInput(
            f"The {field} contains characters that cannot be saved.",
            code=f"invalid_{field}",
        )
    if required and not text:
        raise InvalidInput(f"Please write the {field}.", code=f"missing_{field}")
    if len(text) > max_length:
        raise InvalidInput(
            f"The {field} is {len(text)} characters long; please keep it under "
            f"{max_length}.",
            code=f"{field}_too_long",
        )
    return text


# Problem reports ------------------------------------------------------------------


def problem_report_create(
    *,
    kind: object,
    description: object,
    reporter: User | None,
    email: str = "",
    article: Article | None = None,
    user_agent: str = "",
    error_reference: str = "",
    ip_hash: str = "",
) -> ProblemReport:
    """Save a reader's problem report with the context support staff need.

    The reader's latest comments on the story (ids and statuses) are attached, so
    "my comment disappeared" can be traced without asking which comment.
    """
    if kind not in ProblemReport.Kind.values:
        choices = ", ".join(f'"{v}"' for v in ProblemReport.Kind.values)
        raise InvalidInput(
            f"Please choose what went wrong: one of {choices}.", code="invalid_kind"
        )
    text = _text(
        description, field="description", required=True, max_length=DESCRIPTION_MAX
    )
    signed_in = reporter is not None and reporter.is_authenticated
    if not signed_in and not email:
        raise InvalidInput(
            "Please give an email address so we can reply to you, or log in first.",
            code="missing_email",
        )
    recent: list[dict[str, Any]] = []
    if signed_in and article is not None:
        recent = [
            {"id": c.pk, "status": c.status, "created_at": c.created_at.isoformat()}
            for c in Comment.objects.filter(article=article, author=reporter).order_by(
                "-created_at", "-id"
            )[:RECENT_COMMENTS]
        ]
    return ProblemReport.objects.create(
        kind=kind,
        description=text,
        email=email,
        reporter=reporter if signed_in else None,
        article=article,
        user_agent=user_agent[:500],
        error_reference=error_reference[:16],
        recent_comments=recent,
        ip_hash=ip_hash,
    )


def problem_report_reply(
    *, report: ProblemReport, staff: User, reply: str | None = None
) -> ProblemReport:
    """Email the staff reply to the reader (and notify them on the site)."""
    with transaction.atomic():
        locked = ProblemReport.objects.select_for_update().get(pk=report.pk)
        text = (reply if reply is not None else locked.reply).strip()
        if not text:
            raise InvalidInput(
                f"Problem report {locked.pk} has no reply written yet.",
                code="missing_reply",
            )
        address = locked.reply_address
        if not address:
            raise InvalidInput(
                f"Problem report {locked.pk} has no email address to reply to.",
                code="no_address",
            )
        locked.reply = text
        locked.replied_at = timezone.now()
        if locked.status == ProblemReport.Status.NEW:
            locked.status = ProblemReport.Status.INVESTIGATING
        locked.save(update_fields=["reply", "replied_at", "status", "updated_at"])
        email_queue(
            to_address=address,
            subject=f"Re: your report about comments (#{locked.pk})",
            body=f"{text}\n\n— The Parley team\n\nYou wrote:\n{locked.description}",
            purpose="problem_report_reply",
            recipient=locked.reporter,
            problem_report_id=locked.pk,
        )
    return locked


def problem_report_set_status(
    *, report: ProblemReport, status: str, staff: User
) -> ProblemReport:
    """Move a report through triage; resolving it tells a signed-in reporter."""
    if status not in ProblemReport.Status.values:
        raise InvalidInput(f"Unknown status {status!r}.", code="invalid_status")
    with transaction.atomic():
        locked = ProblemReport.objects.select_for_update().get(pk=report.pk)
        if locked.status == status:
            return locked
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        if locked.reporter is not None and status in (
            ProblemReport.Status.RESOLVED,
            ProblemReport.Status.WONT_FIX,
        ):
            outcome = (
                "has been resolved"
                if status == ProblemReport.Status.RESOLVED
                else "was closed without a change"
            )
            notification_create(
                recipient=locked.reporter,
                kind=NotificationKind.REPORT_OUTCOME,
                key=f"problem-report:{locked.pk}:{status}",
                message=f"Your report “{locked.get_kind_display()}” (#{locked.pk}) "
                f"{outcome}." + (f" Our reply: {locked.reply}" if locked.reply else ""),
            )
    return locked


# Appeals --------------------------------------------------------------------------


def _rejecting_decision(comment: Comment) -> Decision | None:
    return (
        Decision.objects.filter(comment=comment, to_status=CommentStatus.REJECTED)
        .order_by("-created_at", "-id")
        .first()
    )


def appeal_create(*, comment: Comment, appellant: User, note: object) -> Appeal:
    """Ask for a second look at one's own rejected comment; once per comment."""
    if not appellant.is_authenticated or comment.author_id != appellant.pk:
        raise NotAllowed("You can only appeal your own comments.", code="not_author")
    if comment.status != CommentStatus.REJECTED:
        raise InvalidInput(
            "Only rejected comments can be appealed; this one is "
            f"{comment.get_status_display().lower()}.",
            code="not_rejected",
        )
    text = _text(note, field="note", required=True, max_length=APPEAL_NOTE_MAX)
    already = Conflict(
        "You have already appealed this comment; each comment can be appealed "
        "once. Its outcome is shown on your comments page.",
        code="already_appealed",
    )
    if Appeal.objects.filter(comment=comment).exists():
        raise already
    rejection = _rejecting_decision(comment)
    rejected_by = (
        rejection.actor
        if rejection is not None and rejection.source == Decision.Source.MODERATOR
        else None
    )
    try:
        with transaction.atomic():
            return Appeal.objects.create(
                comment=comment, appellant=appellant, note=text, rejected_by=rejected_by
            )
    except IntegrityError:
        raise already from None


def appeal_decide(
    *, appeal: Appeal, moderator: User, overturn: bool, note: str = ""
) -> Appeal:
    """Uphold the rejection or overturn it (publishing the comment), then tell the
    reader. The moderator who rejected the comment may not decide its appeal."""
    if not moderator.has_perm("readers.decide_appeal"):
        raise NotAllowed("You may not decide appeals.", code="forbidden")
    with transaction.atomic():
        locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if locked.status != Appeal.Status.PENDING:
            raise Conflict(
                f"The appeal on comment {locked.comment_id} was already decided.",
                code="already_decided",
            )
        # Checked on the latest moderator rejection, in case it changed since.
        rejection = _rejecting_decision(locked.comment)
        rejecters = {locked.rejected_by_id}
        if rejection is not None and rejection.source == Decision.Source.MODERATOR:
            rejecters.add(rejection.actor_id)
        if moderator.pk in rejecters:
            raise NotAllowed(
                f"You rejected comment {locked.comment_id}, so another moderator "
                "must decide its appeal.",
                code="same_moderator",
            )
        comment = Comment.objects.select_for_update().get(pk=locked.comment_id)
        if overturn:
            comment_transition(
                comment=comment,
                to_status=CommentStatus.PUBLISHED,
                source=Decision.Source.MODERATOR,
                actor=moderator,
                note=f"appeal {locked.pk} overturned" + (f": {note}" if note else ""),
            )
        locked.status = Appeal.Status.OVERTURNED if overturn else Appeal.Status.UPHELD
        locked.decided_by = moderator
        locked.decided_at = timezone.now()
        locked.decision_note = note
        locked.save(
            update_fields=["status", "decided_by", "decided_at", "decision_note"]
        )
        outcome = (
            "was successful: your comment is now published"
            if overturn
            else "was not successful: the rejection stands"
        )
        notification_create(
            recipient=locked.appellant,
            kind=NotificationKind.APPEAL_OUTCOME,
            key=f"appeal:{locked.pk}",
            message=f"Your appeal on your comment on “{comment.article.title}” "
            f"{outcome}." + (f" The moderator's note: {note}" if note else ""),
            url=comment.get_absolute_url() if overturn else "",
        )
    return locked


# Notifications --------------------------------------------------------------------


def notification_preference_update(
    *, user: User, values: Mapping[str, bool]
) -> NotificationPreference:
    pref = preference_for(user)
    fields = [
        f"{kind}_{channel}"
        for kind in NotificationKind.values
        for channel in ("site", "email")
    ]
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise InvalidInput(
            f"Unknown notification settings: {', '.join(unknown)}.",
            code="unknown_setting",
        )
    for name, value in values.items():
        if not isinstance(value, bool):
            raise InvalidInput(f"{name} must be true or false.", code="invalid_setting")
        setattr(pref, name, value)
    pref.save()
    return pref


def notifications_mark_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# Privacy --------------------------------------------------------------------------


def account_delete(*, user: User, password: str, withdraw_comments: bool) -> User:
    """Delete a reader's account without breaking the threads they wrote in.

    The account is anonymised rather than removed (comments and audit rows keep
    pointing at it): name "deleted reader", no email or usable password, inactive.
    With `withdraw_comments`, every visible comment is withdrawn first; otherwise
    comments stay, shown as from "deleted reader".
    """
    if not user.is_authenticated or not user.is_active:
        raise NotAllowed(
            "Please log in to delete your account.", code="not_authenticated"
        )
    if not password or not user.check_password(password):
        raise InvalidInput(
            "That password is not right. Type your current password to confirm.",
            code="wrong_password",
        )
    if user.is_staff or user.is_superuser:
        raise NotAllowed(
            "Staff accounts are deleted by an administrator.", code="staff_account"
        )
    with transaction.atomic():
        if withdraw_comments:
            # One bulk transition, as if the author withdrew each comment.
            comments_transition(
                [
                    Transition(
                        comment=comment,
                        to_status=CommentStatus.WITHDRAWN,
                        source=Decision.Source.AUTHOR,
                        actor=user,
                        note="withdrawn by its author",
                    )
                    for comment in Comment.objects.select_for_update()
                    .filter(author=user)
                    .exclude(
                        status__in=(CommentStatus.WITHDRAWN, CommentStatus.REJECTED)
                    )
                    .order_by("pk")
                ]
            )
        # Their name goes from every thread their comments appear in.
        story_versions_bump(
            Comment.objects.filter(author=user)
            .order_by()
            .values_list("article_id", flat=True)
            .distinct()
        )
        user.username = f"deleted-{user.pk}"
        user.display_name = DELETED_READER
        user.display_name_key = ""  # the name is free for someone else
        user.email = ""
        user.first_name = ""
        user.last_name = ""
        user.password = make_password(None)
        user.is_active = False
        user.save()
        Token.objects.filter(user=user).delete()
        NotificationPreference.objects.filter(user=user).delete()
        Notification.objects.filter(recipient=user).delete()
        user.problem_reports.update(email="", ip_hash="", user_agent="")
        user.email_deliveries.update(to_address="", body="")
    return user
