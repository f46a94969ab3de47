"""Keeping the queues' stored priority current (moderation.models.QueuePriority).

A queued comment's priority is toxicity + reports + history + waiting
(moderation.selectors). The first three are stored per comment and refreshed here
wherever one of them changes; waiting depends only on the clock and the comment's
own `status_changed_at`, so the queue adds it when it sorts.

Where each part changes, and who refreshes:
- the comment enters a queue (held), or its author gains or loses a rejection:
  `status_changed_receiver`, subscribed to lifecycle's after-commit hook;
- its toxicity is written again while it stays held: the scoring service;
- a report is filed or resolved, and so a reporter's weight: the report services;
- its author is suspended, banned, pre-moderated or lifted: the sanction actions;
- a suspension runs out: `priorities_refresh_expired` (the minutely beat).
"""

from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from articles.models import Comment, CommentStatus
from lifecycle.events import StatusChanged
from moderation import selectors
from moderation.models import AuthorStanding, QueuePriority, Report

CHUNK = 1000


def _queued() -> Q:
    open_reports = Report.objects.filter(
        comment_id=OuterRef("pk"), resolution=Report.Resolution.PENDING
    )
    return Q(status=CommentStatus.HELD) | Q(
        Exists(open_reports), status=CommentStatus.PUBLISHED
    )


def priorities_refresh(*, comment_ids: Iterable[int]) -> int:
    """Store the current priority base of those of `comment_ids` in a ranked queue
    (Needs review, Reported); returns how many were stored."""
    ids = sorted(set(comment_ids))
    stored = 0
    for start in range(0, len(ids), CHUNK):
        queued = list(
            Comment.objects.filter(_queued(), pk__in=ids[start : start + CHUNK])
            .values_list("pk", flat=True)
            .order_by()
        )
        bases = selectors.priority_bases(queued) if queued else {}
        QueuePriority.objects.bulk_create(
            [QueuePriority(comment_id=pk, base=base) for pk, base in bases.items()],
            update_conflicts=True,
            unique_fields=["comment"],
            update_fields=["base", "updated_at"],
        )
        stored += len(bases)
    return stored


def priorities_refresh_authors(*, author_ids: Iterable[int]) -> int:
    """Refresh the queued comments of these authors (their history part changed)."""
    ids = Comment.objects.filter(_queued(), author_id__in=set(author_ids)).values_list(
        "pk", flat=True
    )
    return priorities_refresh(comment_ids=list(ids))


def priorities_refresh_reporters(*, reporter_ids: Iterable[int]) -> int:
    """Refresh the comments these readers have open reports on (their weight
    changed)."""
    ids = Report.objects.filter(
        reporter_id__in=set(reporter_ids), resolution=Report.Resolution.PENDING
    ).values_list("comment_id", flat=True)
    return priorities_refresh(comment_ids=list(ids))


def priorities_refresh_all() -> int:
    """Every queued comment (after loading data written around the services)."""
    ids = Comment.objects.filter(_queued()).values_list("pk", flat=True)
    return priorities_refresh(comment_ids=list(ids))


def priorities_refresh_expired(*, within: timedelta) -> int:
    """Authors whose suspension ran out in the last `within` lose its points."""
    now = timezone.now()
    authors = AuthorStanding.objects.filter(
        suspended_until__gt=now - within, suspended_until__lte=now
    ).values_list("user_id", flat=True)
    return priorities_refresh_authors(author_ids=list(authors))


def status_changed_receiver(events: Sequence[StatusChanged]) -> None:
    """Subscribed per batch (ModerationConfig.ready): a comment that entered a
    queue gets its priority; an author whose rejections changed gets theirs
    refreshed on every queued comment."""
    entered = [
        e.comment_id
        for e in events
        if e.new_status in (CommentStatus.HELD, CommentStatus.PUBLISHED)
    ]
    priorities_refresh(comment_ids=entered)
    rejections_changed = [
        e.comment_id
        for e in events
        if CommentStatus.REJECTED in (e.old_status, e.new_status)
    ]
    if rejections_changed:
        authors = Comment.objects.filter(pk__in=rejections_changed).values_list(
            "author_id", flat=True
        )
        priorities_refresh_authors(author_ids=list(authors))
