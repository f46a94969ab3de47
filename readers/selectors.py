"""Readers' reads: their comments with outcomes, notifications, and their data."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from articles.models import Comment, CommentStatus
from core.dates import reader_date
from core.errors import InvalidInput
from moderation.models import Decision, Report

from .models import (
    Appeal,
    EmailDelivery,
    Notification,
    NotificationKind,
    NotificationPreference,
    ProblemReport,
)


@dataclass(frozen=True)
class MyComment:
    comment: Comment
    rejection_reason: str
    appeal: Appeal | None
    # Links and the date as strings, made once per page (see `_links`).
    url: str = ""
    article_url: str = ""
    appeal_url: str = ""
    date: str = ""
    iso_date: str = ""

    @property
    def can_appeal(self) -> bool:
        return self.comment.status == CommentStatus.REJECTED and self.appeal is None


@dataclass
class MyCommentsPage:
    items: list[MyComment]
    number: int
    num_pages: int
    has_next: bool
    has_previous: bool


def my_comments_page(
    *, user: User, page: object = 1, per_page: int = 25
) -> MyCommentsPage:
    """A page of the reader's comments, newest first: a prolific reader's page costs
    what anyone's does (the author/created index, then the page's rows only)."""
    paginator = Paginator(
        Comment.objects.filter(author=user).order_by("-created_at", "-id"), per_page
    )
    try:
        current = paginator.page(page)  # type: ignore[arg-type]
    except (PageNotAnInteger, EmptyPage) as exc:
        raise InvalidInput(
            f"There is no page {page}; you have {paginator.num_pages}.",
            code="bad_page",
        ) from exc
    ids = [c.pk for c in current.object_list]
    return MyCommentsPage(
        items=my_comments(user=user, ids=ids),
        number=current.number,
        num_pages=paginator.num_pages,
        has_next=current.has_next(),
        has_previous=current.has_previous(),
    )


def my_comments(*, user: User, ids: list[int] | None = None) -> list[MyComment]:
    """Every comment the reader wrote (or those of `ids`), newest first, with the
    reason a rejected one was given (the moderator's chosen reason, else the
    pipeline's) and its appeal."""
    mine = Comment.objects.filter(author=user)
    if ids is not None:
        mine = mine.filter(pk__in=ids)
    comments = (
        mine.select_related("article")
        .defer("article__body")
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=Decision.objects.filter(
                    to_status=CommentStatus.REJECTED
                ).order_by("-created_at", "-id"),
                to_attr="rejections",
            ),
            Prefetch("appeals", queryset=Appeal.objects.all(), to_attr="appeal_list"),
        )
        .order_by("-created_at", "-id")
    )
    link = _links()
    zone = timezone.get_current_timezone()
    items = []
    for c in comments:
        at = c.created_at.astimezone(zone)
        items.append(
            MyComment(
                comment=c,
                rejection_reason=(
                    _reason(c) if c.status == CommentStatus.REJECTED else ""
                ),
                appeal=c.appeal_list[0] if c.appeal_list else None,
                url=link("articles:comment", c.pk),
                article_url=link("articles:detail", c.article.slug),
                appeal_url=link("readers:appeal", c.pk),
                date=reader_date(at),
                iso_date=at.isoformat(timespec="seconds"),
            )
        )
    return items


def _links() -> Callable[[str, object], str]:
    """URL makers that call reverse() once per route, not once per comment."""
    marker = "0000000000"
    patterns: dict[str, tuple[str, str]] = {}

    def link(name: str, arg: object) -> str:
        if name not in patterns:
            prefix, _, suffix = reverse(name, args=[marker]).partition(marker)
            patterns[name] = (prefix, suffix)
        prefix, suffix = patterns[name]
        return f"{prefix}{arg}{suffix}"

    return link


def _reason(comment: Comment) -> str:
    rejections: list[Decision] = comment.rejections  # type: ignore[attr-defined]
    if not rejections:
        return "It breaks the community rules."
    latest = rejections[0]
    if latest.rejection_reason:
        return latest.get_rejection_reason_display()
    if latest.source == Decision.Source.PIPELINE:
        return "It breaks the community rules (decided automatically)."
    return "It breaks the community rules."


def notifications_for(*, user: User, limit: int = 100) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, show_on_site=True)[:limit]


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(
        recipient=user, show_on_site=True, read_at__isnull=True
    ).count()


def decision_history(*, comment_id: int) -> QuerySet[Decision]:
    return (
        Decision.objects.filter(comment_id=comment_id)
        .select_related("actor")
        .order_by("created_at", "id")
    )


def personal_data(*, user: User) -> dict[str, Any]:
    """Everything Parley holds about a reader, for the JSON download."""
    comments = (
        Comment.objects.filter(author=user)
        .select_related("article")
        .prefetch_related("revisions", "decisions")
        .order_by("created_at", "id")
    )
    return {
        "profile": {
            "username": user.username,
            "display_name": user.display_name,
            "email": user.email,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "comments": [
            {
                "id": c.pk,
                "story": c.article.title,
                "url": c.get_absolute_url(),
                "parent_id": c.parent_id,
                "status": c.status,
                "created_at": c.created_at.isoformat(),
                "edited_at": c.edited_at.isoformat() if c.edited_at else None,
                "revisions": [
                    {
                        "version": r.version,
                        "body": r.body,
                        "created_at": r.created_at.isoformat(),
                    }
                    for r in c.revisions.all()
                ],
                "status_history": [
                    {
                        "from": d.from_status,
                        "to": d.to_status,
                        "by": d.get_source_display(),
                        "reason": d.get_rejection_reason_display()
                        if d.rejection_reason
                        else "",
                        "at": d.created_at.isoformat(),
                    }
                    for d in sorted(c.decisions.all(), key=lambda d: d.created_at)
                ],
            }
            for c in comments
        ],
        "comment_reports": [
            {
                "comment_id": r.comment_id,
                "comment_url": r.comment.get_absolute_url(),
                "reason": r.get_reason_display(),
                "note": r.note,
                "outcome": r.get_resolution_display(),
                "created_at": r.created_at.isoformat(),
                "resolved_at": r.resolved_at.isoformat() if r.resolved_at else None,
            }
            for r in Report.objects.filter(reporter=user)
            .select_related("comment")
            .order_by("created_at", "id")
        ],
        "problem_reports": [
            {
                "id": r.pk,
                "kind": r.kind,
                "description": r.description,
                "status": r.status,
                "reply": r.reply,
                "created_at": r.created_at.isoformat(),
            }
            for r in ProblemReport.objects.filter(reporter=user).order_by("created_at")
        ],
        "appeals": [
            {
                "comment_id": a.comment_id,
                "note": a.note,
                "status": a.status,
                "decision_note": a.decision_note,
                "created_at": a.created_at.isoformat(),
                "decided_at": a.decided_at.isoformat() if a.decided_at else None,
            }
            for a in Appeal.objects.filter(appellant=user).order_by("created_at")
        ],
        "notifications": [
            {
                "kind": n.kind,
                "message": n.message,
                "url": n.url,
                "created_at": n.created_at.isoformat(),
                "read": n.read_at is not None,
            }
            for n in Notification.objects.filter(recipient=user).order_by("created_at")
        ],
        "notification_settings": _notification_settings(user),
        "emails": [
            {
                "subject": e.subject,
                "to": e.to_address,
                "status": e.status,
                "created_at": e.created_at.isoformat(),
            }
            for e in EmailDelivery.objects.filter(recipient=user).order_by("created_at")
        ],
    }


def _notification_settings(user: User) -> dict[str, dict[str, bool]]:
    pref = NotificationPreference.objects.filter(user=user).first() or (
        NotificationPreference(user=user)
    )
    return {
        kind: {
            "on_site": getattr(pref, f"{kind}_site"),
            "by_email": getattr(pref, f"{kind}_email"),
        }
        for kind in NotificationKind.values
    }
