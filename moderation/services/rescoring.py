"""Re-scoring comments that wait for a person, with the active model."""

from collections.abc import Iterable
from functools import partial

from django.db import transaction

from articles.models import Comment, CommentStatus
from moderation.tasks import comment_rescore_task


def comments_rescore_schedule(*, comment_ids: Iterable[int] | None = None) -> int:
    """Queue the pending and held comments among `comment_ids` (None: all of them)
    for re-scoring once the current transaction commits; returns how many.

    Published, rejected and withdrawn comments are left alone: re-scoring never
    takes a decision back.
    """
    waiting = Comment.objects.filter(
        status__in=(CommentStatus.PENDING, CommentStatus.HELD)
    )
    if comment_ids is not None:
        waiting = waiting.filter(pk__in=list(comment_ids))
    pairs = list(waiting.order_by("created_at", "id").values_list("pk", "text_version"))
    for pk, version in pairs:
        transaction.on_commit(partial(comment_rescore_task.delay, pk, version))
    return len(pairs)
