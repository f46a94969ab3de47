"""Changing a comment's status, always with an immutable Decision row."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from articles.cache import story_versions_bump
from articles.models import Comment
from moderation.models import Decision
from readers.notifications import might_notify, notify_status_change


@dataclass
class StatusChange:
    comment: Comment
    to_status: str
    source: str
    actor: User | None = None
    reasons: Sequence[dict[str, Any]] = field(default_factory=list)
    rejection_reason: str = ""
    note: str = ""
    toxicity: float | None = None
    model_version: str = ""


def comments_set_status(changes: Sequence[StatusChange]) -> list[Decision]:
    """Apply status changes to locked comments, one Decision row per real change.

    The caller holds the comments under select_for_update in a transaction.
    Changes to the status a comment already has write nothing.
    """
    now = timezone.now()
    real = [c for c in changes if c.comment.status != c.to_status]
    decisions = Decision.objects.bulk_create(
        [
            Decision(
                comment=c.comment,
                text_version=c.comment.text_version,
                from_status=c.comment.status,
                to_status=c.to_status,
                source=c.source,
                actor=c.actor,
                reasons=list(c.reasons),
                rejection_reason=c.rejection_reason,
                note=c.note,
                toxicity=c.toxicity,
                model_version=c.model_version,
                created_at=now,
            )
            for c in real
        ]
    )
    by_status: dict[str, list[int]] = {}
    for c in real:
        c.comment.status = c.to_status
        c.comment.status_changed_at = now
        by_status.setdefault(c.to_status, []).append(c.comment.pk)
    for status, ids in by_status.items():
        Comment.objects.filter(pk__in=ids).update(status=status, status_changed_at=now)
    # What readers see of these stories changed: cached threads are dropped once
    # the change commits.
    story_versions_bump({c.comment.article_id for c in real})
    for decision, c in zip(decisions, real, strict=True):
        if might_notify(
            source=decision.source,
            from_status=decision.from_status,
            to_status=decision.to_status,
            is_reply=c.comment.parent_id is not None,
        ):
            # Tell the author (and a replied-to author) once the change is
            # committed; a failure there never undoes or breaks the decision.
            transaction.on_commit(
                partial(notify_status_change, decision_id=decision.pk), robust=True
            )
    return decisions


def comment_set_status(
    *,
    comment: Comment,
    to_status: str,
    source: str,
    actor: User | None = None,
    reasons: Sequence[dict[str, Any]] = (),
    rejection_reason: str = "",
    note: str = "",
    toxicity: float | None = None,
    model_version: str = "",
) -> Decision | None:
    """Move a locked comment to `to_status`; no row when the status is unchanged."""
    decisions = comments_set_status(
        [
            StatusChange(
                comment=comment,
                to_status=to_status,
                source=source,
                actor=actor,
                reasons=reasons,
                rejection_reason=rejection_reason,
                note=note,
                toxicity=toxicity,
                model_version=model_version,
            )
        ]
    )
    return decisions[0] if decisions else None
