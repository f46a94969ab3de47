"""Changing a comment's status, always with an immutable Decision row."""

from collections.abc import Sequence
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from articles.models import Comment
from moderation.models import Decision
from readers.notifications import notify_status_change


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
    """Move a locked comment to `to_status`; no row when the status is unchanged.

    The caller holds the comment under select_for_update in a transaction.
    """
    if comment.status == to_status:
        return None
    now = timezone.now()
    decision = Decision.objects.create(
        comment=comment,
        text_version=comment.text_version,
        from_status=comment.status,
        to_status=to_status,
        source=source,
        actor=actor,
        reasons=list(reasons),
        rejection_reason=rejection_reason,
        note=note,
        toxicity=toxicity,
        model_version=model_version,
        created_at=now,
    )
    comment.status = to_status
    comment.status_changed_at = now
    comment.save(update_fields=["status", "status_changed_at"])
    # Tell the author (and a replied-to author) once the change is committed; a
    # failure there is logged and never undoes or breaks the decision.
    transaction.on_commit(
        partial(notify_status_change, decision_id=decision.pk), robust=True
    )
    return decision
