"""Scoring a comment: run the pipeline, then apply its decision if still current."""

import logging
import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from articles.models import Comment, CommentStatus
from moderation.models import CommentScore, Decision, ModerationSettings, PipelineResult
from moderation.pipeline import PipelineRun, run_pipeline
from moderation.policy import Outcome

from .decisions import comment_set_status

logger = logging.getLogger(__name__)

OUTCOME_STATUS = {
    Outcome.PUBLISH: CommentStatus.PUBLISHED,
    Outcome.HOLD: CommentStatus.HELD,
    Outcome.REJECT: CommentStatus.REJECTED,
}


def _save_scores(comment: Comment, run: PipelineRun) -> None:
    for score in run.scores:
        CommentScore.objects.update_or_create(
            comment=comment,
            model_version=score.model_version,
            defaults={
                "text_version": run.text_version,
                "toxicity": score.toxicity,
                "categories": score.categories,
                "explanation": score.explanation,
                "is_shadow": score.is_shadow,
                "scored_at": timezone.now(),
            },
        )


def comment_score(
    *, comment_id: int, text_version: int, rescore: bool = False
) -> PipelineRun | None:
    """Decide a pending comment once; stale or repeated work changes nothing.

    The pipeline runs before the lock (it only reads). Under select_for_update the
    comment is read again: if it was edited, withdrawn or already decided since the
    task was queued, the run is dropped. With `rescore`, held comments get fresh
    scores and reasons but stay held: a person decides them.
    """
    comment = (
        Comment.objects.select_related("article", "author")
        .filter(pk=comment_id)
        .first()
    )
    allowed = (
        {CommentStatus.PENDING, CommentStatus.HELD}
        if rescore
        else {CommentStatus.PENDING}
    )
    if comment is None or comment.text_version != text_version:
        return None
    if comment.status not in allowed:
        return None
    started = time.perf_counter()
    run = run_pipeline(comment, ModerationSettings.current())
    scoring_ms = (time.perf_counter() - started) * 1000
    with transaction.atomic():
        locked = Comment.objects.select_for_update().filter(pk=comment_id).first()
        if locked is None or locked.text_version != text_version:
            logger.info("Comment %s changed while scoring; dropped.", comment_id)
            return None
        if locked.status not in allowed:
            return None
        _save_scores(locked, run)
        active = run.active_score
        PipelineResult.objects.update_or_create(
            comment=locked,
            defaults={
                "text_version": text_version,
                "outcome": run.outcome.value,
                "reasons": [f.to_dict() for f in run.findings],
                "toxicity": active.toxicity if active else None,
                "model_version": active.model_version if active else "",
                "text_fingerprint": run.fingerprint,
                "scoring_ms": scoring_ms,
                "decided_at": timezone.now(),
            },
        )
        if locked.status == CommentStatus.PENDING:
            comment_set_status(
                comment=locked,
                to_status=OUTCOME_STATUS[run.outcome],
                source=Decision.Source.PIPELINE,
                reasons=[f.to_dict() for f in run.findings],
                toxicity=active.toxicity if active else None,
                model_version=active.model_version if active else "",
            )
    return run


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
