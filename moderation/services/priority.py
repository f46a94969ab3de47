"""Keeping the ranked queues' stored rows current (moderation.models.QueuePriority).

Needs review and Reported are read from their stored rows: a comment's queue, its
priority (toxicity + reports + history + waiting, moderation.selectors) and what
the filters read (story, toxicity, reason codes). A row is written again wherever
one of those changes, and dropped when the comment leaves its queue:

- the comment's status changes (it enters or leaves a queue; its author gains or
  loses a rejection): `status_changed_receiver`, on lifecycle's after-commit hook;
- its toxicity and reasons are written again while it stays held: the scoring
  service;
- a report is filed or resolved, and so a reporter's weight: the report services;
- its author is suspended, banned, pre-moderated or lifted: the sanction actions;
- a suspension runs out: `priorities_refresh_expired` (the minutely beat);
- it waits past 1, 4 or 12 hours: `priorities_wait` (the minutely beat) steps its
  waiting points up, so no page computes them per request.

A status change also deletes the comment's row in its own transaction
(lifecycle.transitions), so a queue never lists a decided comment while the hook
is pending; `priorities_repair` (beat, every ten minutes) ranks any queued comment
without a row and drops rows left behind (a hook that failed, rows written around
the services).
"""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import cache

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from articles.models import Comment, CommentStatus
from core import rows
from lifecycle.events import StatusChanged
from moderation import selectors
from moderation.models import AuthorStanding, QueuePriority, Report

CHUNK = 1000


def _open_reports() -> Exists:
    return Exists(
        Report.objects.filter(
            comment_id=OuterRef("pk"), resolution=Report.Resolution.PENDING
        )
    )


def _queued() -> Q:
    return Q(status=CommentStatus.HELD) | Q(
        _open_reports(), status=CommentStatus.PUBLISHED
    )


def _queued_among(ids: list[int]) -> list[int]:
    """Which of `ids` are in a ranked queue (`_queued`).

    Read by primary key and decided here, not with `_queued()` in the WHERE
    clause: PostgreSQL (15) then reads the (status, status_changed_at, id) index
    for `status = 'published' AND id = ANY(...)`, every published comment's
    entry once per id, which took 50 ms for 100 ids among 8,000 comments and
    grows with the site (the scoring worker's hook asks this on every batch).
    """
    found: Iterable[tuple[int, str, bool]]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _queued_among_sql(),
                [Report.Resolution.PENDING.value, rows.int_array(ids)],
            )
            found = cursor.fetchall()
    else:
        found = (
            Comment.objects.filter(pk__in=ids)
            .annotate(reported=_open_reports())
            .order_by()
            .values_list("pk", "status", "reported")
        )
    return [
        pk
        for pk, status, reported in found
        if status == CommentStatus.HELD
        or (reported and status == CommentStatus.PUBLISHED)
    ]


@cache
def _queued_among_sql() -> str:
    """`_queued_among`'s read, built once per process (PostgreSQL)."""
    pk, status = rows.column(Comment, "id"), rows.column(Comment, "status")
    reported, resolution = (rows.column(Report, n) for n in ("comment", "resolution"))
    return (
        f"SELECT c.{pk}, c.{status}, EXISTS(SELECT 1 FROM {rows.table(Report)} r "  # noqa: S608
        f"WHERE r.{reported} = c.{pk} AND r.{resolution} = %s) "
        f"FROM {rows.table(Comment)} c WHERE c.{pk} = ANY(%s::bigint[])"
    )


_STORED_FIELDS = [
    "queue",
    "article",
    "waiting_since",
    "toxicity",
    "reason_bits",
    "toxicity_points",
    "report_points",
    "history_points",
    "base",
    "waiting_points",
    "priority",
    "report_weight",
    "author_rejected",
    "updated_at",
]


def _row(entry: selectors.QueueEntry, now: datetime) -> QueuePriority:
    waiting = selectors.waiting_points(entry.waiting_since, now)
    return QueuePriority(
        comment_id=entry.comment_id,
        queue=entry.queue,
        article_id=entry.article_id,
        waiting_since=entry.waiting_since,
        toxicity=entry.toxicity,
        reason_bits=entry.reason_bits,
        toxicity_points=entry.toxicity_points,
        report_points=entry.report_points,
        history_points=entry.history_points,
        base=entry.base,
        waiting_points=waiting,
        priority=entry.base + waiting,
        report_weight=entry.report_weight,
        author_rejected=entry.author_rejected,
        updated_at=now,
    )


def priorities_refresh(*, comment_ids: Iterable[int]) -> int:
    """Store the queue row of each of `comment_ids` in a ranked queue (Needs
    review, Reported) and drop the rows of the others; returns how many are
    queued."""
    ids = sorted(set(comment_ids))
    now = timezone.now()
    stored = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        # Parts are computed for queued comments only: a bulk approval refreshes
        # a thousand comments that all just left their queue.
        in_queue = _queued_among(chunk)
        entries = selectors.queue_entries(in_queue) if in_queue else []
        queued = {e.comment_id for e in entries}
        _store(
            [_row(e, now) for e in entries], [pk for pk in chunk if pk not in queued]
        )
        stored += len(entries)
    return stored


@cache
def _store_sql() -> str:
    """`_store` as one statement built once per process (PostgreSQL): atomic by
    itself, so outside a transaction it needs no BEGIN and COMMIT (the ORM's
    delete and upsert took three round trips each). The rows deleted and those
    written are different comments', so no row is written twice."""
    upsert = rows.insert_rows_sql(
        QueuePriority, conflict=("comment",), update=tuple(_STORED_FIELDS)
    )
    comment = rows.column(QueuePriority, "comment")
    return (
        f"WITH gone AS (DELETE FROM {rows.table(QueuePriority)} "  # noqa: S608
        f"WHERE {comment} = ANY(%s::bigint[])) {upsert}"
    )


def _store(stored: list[QueuePriority], dropped: list[int]) -> None:
    """Upsert these queue rows and delete those of the `dropped` comments."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _store_sql(),
                [rows.int_array(dropped), rows.records(QueuePriority, stored)],
            )
        return
    QueuePriority.objects.filter(comment_id__in=dropped).delete()
    QueuePriority.objects.bulk_create(
        stored,
        update_conflicts=True,
        unique_fields=["comment"],
        update_fields=_STORED_FIELDS,
    )


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
    """Every queued comment, and no row for any other (after loading data written
    around the services, or after deploying a change to what is stored)."""
    ids = set(Comment.objects.filter(_queued()).values_list("pk", flat=True))
    ids.update(QueuePriority.objects.values_list("comment_id", flat=True))
    return priorities_refresh(comment_ids=ids)


def priorities_wait(*, now: datetime | None = None) -> int:
    """Step up the waiting points of the comments that have waited past 1, 4 or 12
    hours since the last run (the minutely beat); returns how many rows moved."""
    now = now or timezone.now()
    moved = 0
    for hours, points in selectors.WAITING_STEPS:  # longest first
        moved += QueuePriority.objects.filter(
            waiting_points__lt=points, waiting_since__lte=now - timedelta(hours=hours)
        ).update(waiting_points=points, priority=F("base") + points, updated_at=now)
    return moved


def priorities_repair() -> int:
    """Rank the queued comments that have no row in their queue and drop the rows
    of comments that left it: what a failed after-commit hook, or rows written
    around the services, left behind. Returns how many comments were refreshed."""
    in_queue = QueuePriority.objects.filter(comment_id=OuterRef("pk"))
    held = Comment.objects.filter(status=CommentStatus.HELD).filter(
        ~Exists(in_queue.filter(queue=selectors.Queue.NEEDS_REVIEW))
    )
    reported = Report.objects.filter(
        resolution=Report.Resolution.PENDING, comment__status=CommentStatus.PUBLISHED
    ).filter(
        ~Exists(
            QueuePriority.objects.filter(
                comment_id=OuterRef("comment_id"), queue=selectors.Queue.REPORTED
            )
        )
    )
    open_reports = Report.objects.filter(
        comment_id=OuterRef("comment_id"), resolution=Report.Resolution.PENDING
    )
    left = QueuePriority.objects.filter(
        Q(queue=selectors.Queue.NEEDS_REVIEW) & ~Q(comment__status=CommentStatus.HELD)
        | Q(queue=selectors.Queue.REPORTED)
        & (~Q(comment__status=CommentStatus.PUBLISHED) | ~Exists(open_reports))
        | ~Q(queue__in=selectors.RANKED)
    )
    ids = {
        *held.values_list("pk", flat=True),
        *reported.values_list("comment_id", flat=True),
        *left.values_list("comment_id", flat=True),
    }
    priorities_refresh(comment_ids=ids)
    return len(ids)


def priorities_refresh_expired(*, within: timedelta) -> int:
    """Authors whose suspension ran out in the last `within` lose its points."""
    now = timezone.now()
    authors = AuthorStanding.objects.filter(
        suspended_until__gt=now - within, suspended_until__lte=now
    ).values_list("user_id", flat=True)
    return priorities_refresh_authors(author_ids=list(authors))


def status_changed_receiver(events: Sequence[StatusChanged]) -> None:
    """Subscribed per batch (ModerationConfig.ready): a comment that entered a
    queue gets its row, one that left loses it, and an author whose rejections
    changed gets every queued comment of theirs refreshed."""
    priorities_refresh(comment_ids=[e.comment_id for e in events])
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
