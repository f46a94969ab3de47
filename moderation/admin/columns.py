"""Columns the audit pages (decisions, reports) share: the comment's text with links
to its review page and its public page, and people linked to records a moderator
may open (never to the user admin, which moderators may not see)."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts.models import User
from articles.models import Comment

EXCERPT = 200


def comment_text(comment: Comment, *, limit: int = EXCERPT) -> SafeString:
    body = comment.body if len(comment.body) <= limit else comment.body[:limit] + "…"
    return format_html(
        '<div class="comment-text">{}</div>'
        '<a href="{}">Review #{}</a> · <a href="{}">on the story</a>',
        body,
        reverse("admin:moderation_allcomment_change", args=[comment.pk]),
        comment.pk,
        comment.get_absolute_url(),
    )


def person_record(user: User | None, *, what: str = "comments") -> SafeString | str:
    """The person, linked to all their comments in the moderators' queues."""
    if user is None:
        return "—"
    return format_html(
        '<a href="{}?author={}" title="All their {}">{}</a>',
        reverse("admin:moderation_allcomment_changelist"),
        user.pk,
        what,
        user.public_name,
    )


def two_decimals(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"
