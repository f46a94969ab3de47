"""Scoring comments: run the pipeline and apply its decisions, exactly once.

A task names one comment and the text version it was queued for. If that comment
was edited, withdrawn or decided since, the task stops. Otherwise the service locks
the comment together with other comments still waiting (up to
PARLEY_SCORING_BATCH_SIZE in all; rows another worker holds are skipped), scores
them with one model call, and writes all their scores, results and decisions in one
transaction. The tasks of comments
decided as part of someone else's batch find them decided and stop, so every
comment gets exactly one pipeline decision however many tasks name it.
"""

import logging
from datetime import timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from articles.models import Article, Comment, CommentStatus
from core import rows
from lifecycle.transitions import Transition, comments_transition
from moderation.models import CommentScore, Decision, ModerationSettings, PipelineResult
from moderation.pipeline import PipelineRun, run_pipeline_batch
from moderation.policy import Outcome

from .priority import priorities_refresh

logger = logging.getLogger(__name__)

OUTCOME_STATUS = {
    Outcome.PUBLISH: CommentStatus.PUBLISHED,
    Outcome.HOLD: CommentStatus.HELD,
    Outcome.REJECT: CommentStatus.REJECTED,
}


def _locked() -> Any:
    # Rows another worker holds are skipped, so two workers take disjoint batches.
    return (
        Comment.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("article", "author")
        .order_by("created_at", "pk")
    )


@cache
def _lock_sql(*, by_pk: bool, excluding: bool) -> str:
    """`_locked()` as SQL built once per process: comments with their story and
    author, locked, rows another worker holds skipped; one by id, or pending
    ones (but one)."""
    pk, status, created, article, author = (
        rows.column(Comment, name)
        for name in ("id", "status", "created_at", "article", "author")
    )
    where = f"c.{pk} = %s" if by_pk else f"c.{status} = %s"
    if excluding:
        where += f" AND c.{pk} <> %s"
    return (
        # Identifiers from the models' _meta; values are parameters.
        f"SELECT {rows.columns(Comment, 'c')}, {rows.columns(Article, 'a')}, "  # noqa: S608
        f"{rows.columns(User, 'u')} FROM {rows.table(Comment)} c "
        f"JOIN {rows.table(Article)} a ON a.{rows.column(Article, 'id')} = c.{article} "
        f"JOIN {rows.table(User)} u ON u.{rows.column(User, 'id')} = c.{author} "
        f"WHERE {where} ORDER BY c.{created}, c.{pk} LIMIT %s "
        "FOR UPDATE OF c SKIP LOCKED"
    )


def _lock(
    *, pk: int | None = None, exclude: int | None = None, limit: int = 1
) -> list[Comment]:
    """Lock comment `pk`, or up to `limit` pending comments but `exclude`,
    oldest first, with their story and author loaded: the pipeline reads both."""
    if connection.vendor != "postgresql":
        found = _locked()
        if pk is not None:
            found = found.filter(pk=pk)
        else:
            found = found.filter(status=CommentStatus.PENDING)
        if exclude is not None:
            found = found.exclude(pk=exclude)
        return list(found[:limit])
    params: list[Any] = [CommentStatus.PENDING.value if pk is None else pk]
    if exclude is not None:
        params.append(exclude)
    with connection.cursor() as cursor:
        sql = _lock_sql(by_pk=pk is not None, excluding=exclude is not None)
        cursor.execute(sql, [*params, limit])
        found = rows.fetchall(cursor)
    n_comment, n_article = rows.width(Comment), rows.width(Article)
    comments = rows.instances(Comment, [r[:n_comment] for r in found])
    # One instance per story and per author: a batch is often one story's.
    article_rows = {
        c.article_id: r[n_comment : n_comment + n_article]
        for c, r in zip(comments, found, strict=True)
    }
    author_rows = {
        c.author_id: r[n_comment + n_article :]
        for c, r in zip(comments, found, strict=True)
    }
    articles = dict(
        zip(
            article_rows,
            rows.instances(Article, list(article_rows.values())),
            strict=True,
        )
    )
    authors = dict(
        zip(author_rows, rows.instances(User, list(author_rows.values())), strict=True)
    )
    for c in comments:
        Comment.article.field.set_cached_value(c, articles[c.article_id])
        Comment.author.field.set_cached_value(c, authors[c.author_id])
    return comments


_SCORE_UPDATE = (
    "text_version",
    "toxicity",
    "categories",
    "explanation",
    "is_shadow",
    "scored_at",
)
_RESULT_UPDATE = (
    "text_version",
    "outcome",
    "reasons",
    "toxicity",
    "model_version",
    "text_fingerprint",
    "scoring_ms",
    "decided_at",
)


@cache
def _write_sql() -> str:
    """Both upserts of `_write` in one statement (PostgreSQL): one round trip."""
    scores = rows.insert_rows_sql(
        CommentScore, conflict=("comment", "model_version"), update=_SCORE_UPDATE
    )
    results = rows.insert_rows_sql(
        PipelineResult, conflict=("comment",), update=_RESULT_UPDATE
    )
    return f"WITH scores AS ({scores}) {results}"


def _write(comments: list[Comment], runs: list[PipelineRun]) -> None:
    now = timezone.now()
    scores = [
        CommentScore(
            comment_id=c.pk,
            model_version=s.model_version,
            text_version=run.text_version,
            toxicity=s.toxicity,
            categories=s.categories,
            explanation=s.explanation,
            is_shadow=s.is_shadow,
            scored_at=now,
        )
        for c, run in zip(comments, runs, strict=True)
        for s in run.scores
    ]
    results = []
    for c, run in zip(comments, runs, strict=True):
        active = run.active_score
        results.append(
            PipelineResult(
                comment_id=c.pk,
                text_version=run.text_version,
                outcome=run.outcome.value,
                reasons=[f.to_dict() for f in run.findings],
                toxicity=active.toxicity if active else None,
                model_version=active.model_version if active else "",
                text_fingerprint=run.fingerprint,
                scoring_ms=run.scoring_ms,
                decided_at=now,
            )
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _write_sql(),
                [
                    rows.records(CommentScore, scores),
                    rows.records(PipelineResult, results),
                ],
            )
    else:
        CommentScore.objects.bulk_create(
            scores,
            update_conflicts=True,
            unique_fields=["comment", "model_version"],
            update_fields=list(_SCORE_UPDATE),
        )
        PipelineResult.objects.bulk_create(
            results,
            update_conflicts=True,
            unique_fields=["comment"],
            update_fields=list(_RESULT_UPDATE),
        )
    # Held comments being re-scored keep their status: a person decides them, by
    # the new toxicity. Pending ones are ranked when they enter a queue.
    priorities_refresh(
        comment_ids=[c.pk for c in comments if c.status != CommentStatus.PENDING]
    )
    comments_transition(
        [
            Transition(
                comment=c,
                to_status=OUTCOME_STATUS[run.outcome],
                source=Decision.Source.PIPELINE,
                reasons=[f.to_dict() for f in run.findings],
                toxicity=run.active_score.toxicity if run.active_score else None,
                model_version=(
                    run.active_score.model_version if run.active_score else ""
                ),
            )
            for c, run in zip(comments, runs, strict=True)
            if c.status == CommentStatus.PENDING
        ]
    )


def _moderation_settings() -> ModerationSettings:
    """`ModerationSettings.get_or_create_current()`, read on every batch: on
    PostgreSQL with SQL built once per process while the row exists."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_settings_sql(), [ModerationSettings.CURRENT_PK])
            found = rows.fetchall(cursor)
        if found:
            return rows.instance(ModerationSettings, found[0])
    return ModerationSettings.get_or_create_current()


@cache
def _settings_sql() -> str:
    return (
        f"SELECT {rows.columns(ModerationSettings, 's')} "  # noqa: S608
        f"FROM {rows.table(ModerationSettings)} s "
        f"WHERE s.{rows.column(ModerationSettings, 'id')} = %s"
    )


@cache
def _text_versions_sql() -> str:
    table, pk = rows.table(Comment), rows.column(Comment, "id")
    return (
        f"SELECT {pk}, {rows.column(Comment, 'text_version')} FROM {table} "  # noqa: S608
        f"WHERE {pk} = ANY(%s::bigint[])"
    )


def _text_versions(ids: list[int]) -> dict[int, int]:
    if connection.vendor != "postgresql":
        return dict(
            Comment.objects.filter(pk__in=ids).values_list("pk", "text_version")
        )
    with connection.cursor() as cursor:
        cursor.execute(_text_versions_sql(), [rows.int_array(ids)])
        return dict(cursor.fetchall())


def _score_locked(comments: list[Comment]) -> list[PipelineRun]:
    """Score comments locked in the current transaction and apply the outcomes."""
    if not comments:
        return []
    runs = run_pipeline_batch(comments, _moderation_settings())
    # The rows are locked, so another transaction cannot have changed their text
    # under the run; the check guards databases without row locks (SQLite in
    # development) and an edit made in this very transaction.
    current = _text_versions([c.pk for c in comments])
    kept = [
        (c, r)
        for c, r in zip(comments, runs, strict=True)
        if current.get(c.pk) == r.text_version
    ]
    if len(kept) < len(comments):
        logger.info(
            "Dropped %s comments edited while scoring.", len(comments) - len(kept)
        )
    _write([c for c, _ in kept], [r for _, r in kept])
    return [r for _, r in kept]


def comment_score(
    *,
    comment_id: int,
    text_version: int,
    rescore: bool = False,
    batch_size: int | None = None,
) -> list[PipelineRun] | None:
    """Decide the named comment (and others waiting) once; stale work is dropped.

    With `rescore`, a held comment gets fresh scores and reasons but stays held,
    and no other comments are taken along.
    """
    allowed = (
        [CommentStatus.PENDING, CommentStatus.HELD]
        if rescore
        else [CommentStatus.PENDING]
    )
    # Many tasks of a busy worker name a comment an earlier batch already decided:
    # answer those with one cheap read, without a transaction or a lock.
    seen = Comment.objects.filter(pk=comment_id).values_list("status", "text_version")
    if not any(s in allowed and v == text_version for s, v in seen):
        return None
    with transaction.atomic():
        own = next(iter(_lock(pk=comment_id)), None)
        if own is None or own.text_version != text_version or own.status not in allowed:
            return None  # deleted, edited, decided, or being scored by another worker
        comments = [own]
        batch_size = batch_size or settings.PARLEY_SCORING_BATCH_SIZE
        if not rescore and batch_size > 1:
            comments += _lock(exclude=comment_id, limit=batch_size - 1)
        runs = _score_locked(comments)
    return runs or None


def comments_score_waiting(*, batch_size: int | None = None) -> int:
    """Decide up to `batch_size` pending comments no other worker holds."""
    batch_size = batch_size or settings.PARLEY_SCORING_BATCH_SIZE
    with transaction.atomic():
        comments = _lock(limit=batch_size)
        return len(_score_locked(comments))


def pending_exists() -> bool:
    return Comment.objects.filter(status=CommentStatus.PENDING).exists()


def stale_pending_ids(*, older_than_seconds: int, limit: int) -> list[tuple[int, int]]:
    """Pending comments nobody has decided for a while: (id, text_version) pairs."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        Comment.objects.filter(
            status=CommentStatus.PENDING, status_changed_at__lt=cutoff
        )
        .order_by("status_changed_at")
        .values_list("pk", "text_version")[:limit]
    )
