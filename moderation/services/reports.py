"""Readers' reports: filing one, holding a comment once they weigh enough, and
keeping each reporter's record when moderators resolve them.

A reporter's weight is 2 * (upheld + 1) / (upheld + overruled + 2): a new
reporter counts 1.0, one whose reports are usually upheld counts up to 2.0, one
who is usually overruled counts towards 0. A published comment is held for review
(source READERS, reason REPORTED) once the weights of its pending reports reach
ModerationSettings.report_hold_weight.
"""

from collections import Counter
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from articles.models import Comment, CommentStatus
from core.errors import Conflict, InvalidInput, NotAllowed
from lifecycle.transitions import comment_transition
from moderation.models import (
    Decision,
    ModerationSettings,
    PipelineResult,
    Report,
    ReporterRecord,
)
from moderation.reasons import PipelineReason, ReportReason

from .priority import priorities_refresh, priorities_refresh_reporters

NOTE_MAX = 500


def reporter_weight(*, upheld: int, overruled: int) -> float:
    return 2.0 * (upheld + 1) / (upheld + overruled + 2)


def weight_of(user: User) -> float:
    record = ReporterRecord.objects.filter(user=user).first()
    return record.weight if record else 1.0


def pending_report_weight(comment_id: int) -> float:
    """The weighted sum of a comment's unresolved reports, by current records."""
    total = Report.objects.filter(
        comment_id=comment_id, resolution=Report.Resolution.PENDING
    ).aggregate(w=Sum(Coalesce("reporter__reporter_record__weight", 1.0)))["w"]
    return float(total or 0.0)


def comment_report(
    *, comment: Comment, reporter: User, reason: str, note: str = ""
) -> Report:
    """File a reader's report; the comment is held once reports weigh enough."""
    if reason not in ReportReason.values:
        raise InvalidInput(
            "Choose why you are reporting: "
            + ", ".join(str(label).lower() for label in ReportReason.labels)
            + ".",
            code="bad_reason",
        )
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(
            f"Keep the note to {NOTE_MAX} characters (it has {len(note)}).",
            code="note_too_long",
        )
    if comment.author_id == reporter.pk:
        raise NotAllowed("You cannot report your own comment.", code="own_comment")
    if comment.status != CommentStatus.PUBLISHED:
        raise NotAllowed(
            "Only published comments can be reported; this one is not shown to "
            "readers.",
            code="not_published",
        )
    try:
        with transaction.atomic():
            locked = Comment.objects.select_for_update().get(pk=comment.pk)
            report = Report.objects.create(
                comment=locked,
                reporter=reporter,
                reason=reason,
                note=note,
                weight=weight_of(reporter),
            )
            _hold_if_heavy(locked)
            priorities_refresh(comment_ids=[locked.pk])
    except IntegrityError:
        raise Conflict(
            "You have already reported this comment; moderators will look at it.",
            code="already_reported",
        ) from None
    return report


def _hold_if_heavy(comment: Comment) -> Decision | None:
    if comment.status != CommentStatus.PUBLISHED:
        return None
    weight = pending_report_weight(comment.pk)
    if weight < ModerationSettings.get_or_create_current().report_hold_weight:
        return None
    result = PipelineResult.objects.filter(comment_id=comment.pk).first()
    return comment_transition(
        comment=comment,
        to_status=CommentStatus.HELD,
        source=Decision.Source.READERS,
        reasons=[
            {
                "code": PipelineReason.REPORTED,
                "phase": "reports",
                "detail": f"weighted reports {weight:.1f}",
            }
        ],
        toxicity=result.toxicity if result else None,
        model_version=result.model_version if result else "",
    )


def reports_resolve(*, comment: Comment, moderator: User, upheld: bool) -> int:
    """Resolve a comment's pending reports and update each reporter's record."""
    return comments_reports_resolve(
        comment_ids=[comment.pk], moderator=moderator, upheld=upheld
    )


def comments_reports_resolve(
    *, comment_ids: Sequence[int], moderator: User, upheld: bool
) -> int:
    """Resolve the pending reports of several comments (one decision for all)."""
    pending = list(
        Report.objects.select_for_update()
        .filter(comment_id__in=comment_ids, resolution=Report.Resolution.PENDING)
        .order_by("pk")
        .values_list("pk", "reporter_id")
    )
    if pending:
        Report.objects.filter(pk__in=[pk for pk, _ in pending]).update(
            resolution=(
                Report.Resolution.UPHELD if upheld else Report.Resolution.OVERRULED
            ),
            resolved_by=moderator,
            resolved_at=timezone.now(),
        )
        _reporter_records_add(Counter(r for _, r in pending), upheld=upheld)
    priorities_refresh(comment_ids=comment_ids)
    priorities_refresh_reporters(reporter_ids={r for _, r in pending})
    return len(pending)


def _reporter_records_add(counts: Counter[int], *, upheld: bool) -> None:
    """Add each reporter's newly resolved reports to their record and weight, in
    a fixed number of queries however many reporters a bulk action touches."""
    ReporterRecord.objects.bulk_create(
        [ReporterRecord(user_id=uid) for uid in sorted(counts)],
        ignore_conflicts=True,
    )
    records = list(
        ReporterRecord.objects.select_for_update()
        .filter(user_id__in=counts)
        .order_by("user_id")
    )
    now = timezone.now()
    for record in records:
        if upheld:
            record.upheld += counts[record.user_id]
        else:
            record.overruled += counts[record.user_id]
        record.weight = reporter_weight(
            upheld=record.upheld, overruled=record.overruled
        )
        record.updated_at = now
    ReporterRecord.objects.bulk_update(
        records, ["upheld", "overruled", "weight", "updated_at"]
    )
