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
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from articles.models import Comment, CommentStatus
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


def _write(comments: list[Comment], runs: list[PipelineRun]) -> None:
    now = timezone.now()
    CommentScore.objects.bulk_create(
        [
            CommentScore(
                comment=c,
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
        ],
        update_conflicts=True,
        unique_fields=["comment", "model_version"],
        update_fields=[
            "text_version",
            "toxicity",
            "categories",
            "explanation",
            "is_shadow",
            "scored_at",
        ],
    )
    results = []
    for c, run in zip(comments, runs, strict=True):
        active = run.active_score
        results.append(
            PipelineResult(
                comment=c,
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
    PipelineResult.objects.bulk_create(
        results,
        update_conflicts=True,
        unique_fields=["comment"],
        update_fields=[
            "text_version",
            "outcome",
            "reasons",
            "toxicity",
            "model_version",
            "text_fingerprint",
            "scoring_ms",
            "decided_at",
        ],
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


def _score_locked(comments: list[Comment]) -> list[PipelineRun]:
    """Score comments locked in the current transaction and apply the outcomes."""
    if not comments:
        return []
    runs = run_pipeline_batch(comments, ModerationSettings.get_or_create_current())
    # The rows are locked, so their text cannot have changed under the run; the
    # check guards databases without row locks (SQLite in development).
    current = dict(
        Comment.objects.filter(pk__in=[c.pk for c in comments]).values_list(
            "pk", "text_version"
        )
    )
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
        own = _locked().filter(pk=comment_id).first()
        if own is None or own.text_version != text_version or own.status not in allowed:
            return None  # deleted, edited, decided, or being scored by another worker
        comments = [own]
        batch_size = batch_size or settings.PARLEY_SCORING_BATCH_SIZE
        if not rescore and batch_size > 1:
            comments += list(
                _locked()
                .filter(status=CommentStatus.PENDING)
                .exclude(pk=comment_id)[: batch_size - 1]
            )
        runs = _score_locked(comments)
    return runs or None


def comments_score_waiting(*, batch_size: int | None = None) -> int:
    """Decide up to `batch_size` pending comments no other worker holds."""
    batch_size = batch_size or settings.PARLEY_SCORING_BATCH_SIZE
    with transaction.atomic():
        comments = list(_locked().filter(status=CommentStatus.PENDING)[:batch_size])
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
