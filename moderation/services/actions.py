"""What a moderator can do to a comment or its author: one function per action.

Every action locks the comment, refuses if someone else decided it since the
moderator looked (`seen_decision_id`), and leaves an immutable Decision row with
who, when, from and to status, reason code, note and the model's score at that
moment. These are moderators' actions, not status transitions: a status change goes
through `lifecycle.transitions.comment_transition`, and actions that keep the status
(featuring, sanctions on a rejected comment, dismissing reports) record a Decision
whose from and to status are equal with `comment_decision_record`. Every action is
reversed by another.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from articles.models import Article, Comment, CommentStatus
from core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from lifecycle.transitions import (
    Transition,
    comment_decision_record,
    comment_transition,
    comments_transition,
)
from moderation.models import (
    AuthorStanding,
    Decision,
    FeaturedComment,
    PipelineResult,
)
from moderation.reasons import RejectionReason
from sites.selectors import moderated_site_ids

from .priority import priorities_refresh_authors
from .reports import comments_reports_resolve, reports_resolve

SUSPEND_DAYS_CHOICES = (1, 7)


@dataclass(frozen=True)
class _ScoreAtDecision:
    toxicity: float | None
    model_version: str


_NO_SCORE = _ScoreAtDecision(None, "")


def _scores_at_decision(comment_ids: list[int]) -> dict[int, _ScoreAtDecision]:
    return {
        pk: _ScoreAtDecision(toxicity, version)
        for pk, toxicity, version in PipelineResult.objects.filter(
            comment_id__in=comment_ids
        ).values_list("comment_id", "toxicity", "model_version")
    }


def _score(comment: Comment) -> _ScoreAtDecision:
    return _scores_at_decision([comment.pk]).get(comment.pk, _NO_SCORE)


def latest_decision(comment_id: int) -> Decision | None:
    return (
        Decision.objects.filter(comment_id=comment_id)
        .select_related("actor")
        .order_by("-id")
        .first()
    )


def decided_by(decision: Decision) -> str:
    if decision.actor is not None:
        return str(decision.actor)
    return decision.get_source_display().lower()


def _lock(comment: Comment, seen_decision_id: int | None) -> Comment:
    """The comment re-read under lock; Conflict if decided since the moderator looked.

    `seen_decision_id` is the newest decision the moderator's page showed (0 for
    none); None skips the check (callers with nothing on screen, e.g. scripts).
    """
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if seen_decision_id is None:
        return locked
    latest = latest_decision(locked.pk)
    if latest is not None and latest.pk != seen_decision_id:
        raise Conflict(already_decided(latest), code="already_decided")
    return locked


def already_decided(latest: Decision) -> str:
    return (
        f"Comment {latest.comment_id} was already decided by {decided_by(latest)} "
        f"at {timezone.localtime(latest.created_at):%H:%M:%S on %d %b %Y} "
        f"({latest.get_to_status_display().lower()}); reload to see it."
    )


def _refuse_other_sites(comment: Comment, moderator: User) -> None:
    """A moderator limited to some sites cannot see, so cannot decide, the others'."""
    allowed = moderated_site_ids(moderator)
    if allowed is None:
        return
    site_id = Article.objects.filter(pk=comment.article_id).values_list(
        "site_id", flat=True
    )
    if site_id.first() not in allowed:
        raise NotFound(f"There is no comment {comment.pk}.", code="comment_not_found")


def _record(
    comment: Comment,
    moderator: User,
    *,
    to_status: str | None = None,
    rejection_reason: str = "",
    note: str = "",
) -> Decision:
    """Change the status (or record an action that keeps it) as this moderator.

    Every action records through here, inside its transaction, so a refusal for a
    site the moderator does not moderate undoes everything the action did.
    """
    _refuse_other_sites(comment, moderator)
    score = _score(comment)
    if to_status is not None and to_status != comment.status:
        decision = comment_transition(
            comment=comment,
            to_status=to_status,
            source=Decision.Source.MODERATOR,
            actor=moderator,
            rejection_reason=rejection_reason,
            note=note,
            toxicity=score.toxicity,
            model_version=score.model_version,
        )
        if decision is not None:
            return decision
    return comment_decision_record(
        comment=comment,
        source=Decision.Source.MODERATOR,
        actor=moderator,
        rejection_reason=rejection_reason,
        note=note,
        toxicity=score.toxicity,
        model_version=score.model_version,
    )


def _refuse_withdrawn(comment: Comment) -> None:
    if comment.status == CommentStatus.WITHDRAWN:
        raise NotAllowed(
            f"Comment {comment.pk} was withdrawn by its author; it cannot be "
            "approved, rejected or featured.",
            code="withdrawn",
        )


def comment_approve(
    *,
    comment: Comment,
    moderator: User,
    note: str = "",
    seen_decision_id: int | None = None,
) -> Decision:
    """Publish a comment (or confirm a published one); pending reports are overruled."""
    with transaction.atomic():
        locked = _lock(comment, seen_decision_id)
        _refuse_withdrawn(locked)
        if locked.status == CommentStatus.PUBLISHED and not note:
            note = "Reports dismissed; the comment stays published."
        decision = _record(
            locked, moderator, to_status=CommentStatus.PUBLISHED, note=note
        )
        reports_resolve(comment=locked, moderator=moderator, upheld=False)
    comment.refresh_from_db()
    return decision


@dataclass
class BulkOutcome:
    decisions: list[Decision]
    refused: list[str]


def comments_approve(
    *,
    seen: dict[int, int | None],
    moderator: User,
    note: str = "",
) -> BulkOutcome:
    """Publish many comments in one transaction (a moderator's bulk action).

    `seen` maps each comment id to the newest decision the moderator's page showed
    (None: no check). One query locks them all and one bulk transition writes the
    Decision rows and counters; comments withdrawn or decided by someone else
    since are left as they are and named in `refused`. Their open reports are
    overruled; an already published one gets a decision that dismisses them, as
    comment_approve does.
    """
    return _comments_decide(
        seen=seen,
        moderator=moderator,
        to_status=CommentStatus.PUBLISHED,
        note=note,
        # As comment_approve: approving a published comment dismisses its reports.
        kept_note=note or "Reports dismissed; the comment stays published.",
    )


def comments_reject(
    *,
    seen: dict[int, int | None],
    moderator: User,
    reason: str,
    note: str = "",
) -> BulkOutcome:
    """Reject many comments in one transaction, as comment_reject does each: the
    same reason for all, open reports upheld, features removed; refusals as
    comments_approve."""
    _reason_check(reason)
    return _comments_decide(
        seen=seen,
        moderator=moderator,
        to_status=CommentStatus.REJECTED,
        rejection_reason=reason,
        note=note,
        kept_note=note,
    )


def _comments_decide(
    *,
    seen: dict[int, int | None],
    moderator: User,
    to_status: str,
    note: str,
    kept_note: str,
    rejection_reason: str = "",
) -> BulkOutcome:
    """Move many comments to `to_status` (published or rejected) in a fixed
    number of queries; those already there get a decision that keeps it."""
    refused: list[str] = []
    allowed = moderated_site_ids(moderator)
    if allowed is not None:
        # As _refuse_other_sites: other sites' comments do not exist for this
        # moderator, whatever page or client sent their ids.
        foreign = set(
            Comment.objects.filter(pk__in=seen)
            .exclude(article__site_id__in=allowed)
            .values_list("pk", flat=True)
        )
        refused += [f"There is no comment {pk}." for pk in sorted(foreign)]
        seen = {pk: d for pk, d in seen.items() if pk not in foreign}
    with transaction.atomic():
        locked = list(
            Comment.objects.select_for_update().filter(pk__in=seen).order_by("pk")
        )
        latest = dict(
            Decision.objects.filter(comment_id__in=seen)
            .order_by()
            .values_list("comment_id")
            .annotate(last=Max("pk"))
        )
        chosen: list[Comment] = []
        kept: list[Comment] = []  # already in `to_status`
        raced = {
            c.pk: latest[c.pk]
            for c in locked
            if seen[c.pk] is not None and latest.get(c.pk, 0) != seen[c.pk]
        }
        newer = Decision.objects.select_related("actor").in_bulk(raced.values())
        for comment in locked:
            if comment.status == CommentStatus.WITHDRAWN:
                refused.append(f"Comment {comment.pk} was withdrawn by its author.")
            elif comment.pk in raced:
                refused.append(already_decided(newer[raced[comment.pk]]))
            elif comment.status == to_status:
                kept.append(comment)
            else:
                chosen.append(comment)
        scores = _scores_at_decision([c.pk for c in chosen + kept])
        decisions = comments_transition(
            [
                Transition(
                    comment=c,
                    to_status=to_status,
                    source=Decision.Source.MODERATOR,
                    actor=moderator,
                    rejection_reason=rejection_reason,
                    note=note,
                    toxicity=scores.get(c.pk, _NO_SCORE).toxicity,
                    model_version=scores.get(c.pk, _NO_SCORE).model_version,
                )
                for c in chosen
            ],
            bulk=True,
        )
        decisions += [
            comment_decision_record(
                comment=c,
                source=Decision.Source.MODERATOR,
                actor=moderator,
                rejection_reason=rejection_reason,
                note=kept_note,
                toxicity=scores.get(c.pk, _NO_SCORE).toxicity,
                model_version=scores.get(c.pk, _NO_SCORE).model_version,
            )
            for c in kept
        ]
        decided = [c.pk for c in chosen + kept]
        if to_status == CommentStatus.REJECTED:
            FeaturedComment.objects.filter(comment_id__in=decided).delete()
        comments_reports_resolve(
            comment_ids=decided,
            moderator=moderator,
            upheld=to_status == CommentStatus.REJECTED,
        )
    return BulkOutcome(decisions=decisions, refused=refused)


def _reason_check(reason: str) -> None:
    if reason not in RejectionReason.values:
        raise InvalidInput(
            "Choose a rejection reason: "
            + ", ".join(str(label) for label in RejectionReason.labels)
            + ".",
            code="bad_reason",
        )


def comment_reject(
    *,
    comment: Comment,
    moderator: User,
    reason: str,
    note: str = "",
    seen_decision_id: int | None = None,
) -> Decision:
    """Reject with a reason code the author is shown; pending reports are upheld."""
    _reason_check(reason)
    with transaction.atomic():
        locked = _lock(comment, seen_decision_id)
        _refuse_withdrawn(locked)
        decision = _record(
            locked,
            moderator,
            to_status=CommentStatus.REJECTED,
            rejection_reason=reason,
            note=note,
        )
        FeaturedComment.objects.filter(comment=locked).delete()
        reports_resolve(comment=locked, moderator=moderator, upheld=True)
    comment.refresh_from_db()
    return decision


def _standing(user_id: int) -> AuthorStanding:
    standing, _ = AuthorStanding.objects.select_for_update().get_or_create(
        user_id=user_id
    )
    return standing


def _standing_save(standing: AuthorStanding, fields: list[str]) -> None:
    """Save a sanction; the author's queued comments are ranked with it."""
    standing.save(update_fields=fields)
    priorities_refresh_authors(author_ids=[standing.user_id])


def author_suspend(
    *,
    comment: Comment,
    moderator: User,
    days: int,
    reason: str = RejectionReason.ABUSIVE,
    note: str = "",
    seen_decision_id: int | None = None,
) -> Decision:
    """Reject the comment and suspend its author for `days` days (1 to 365)."""
    if not 1 <= days <= 365:
        raise InvalidInput(
            "A suspension lasts from 1 to 365 days.", code="bad_suspension"
        )
    with transaction.atomic():
        decision = comment_reject(
            comment=comment,
            moderator=moderator,
            reason=reason,
            note=f"Author suspended for {days} day{'s' if days > 1 else ''}. {note}",
            seen_decision_id=seen_decision_id,
        )
        standing = _standing(comment.author_id)
        standing.suspended_until = timezone.now() + timedelta(days=days)
        _standing_save(standing, ["suspended_until", "updated_at"])
    return decision


def author_ban(
    *,
    comment: Comment,
    moderator: User,
    reason: str = RejectionReason.ABUSIVE,
    note: str = "",
    reject_held: bool = True,
    seen_decision_id: int | None = None,
) -> list[Decision]:
    """Reject the comment, ban its author and (optionally) reject their held ones."""
    with transaction.atomic():
        decisions = [
            comment_reject(
                comment=comment,
                moderator=moderator,
                reason=reason,
                note=f"Author banned. {note}".strip(),
                seen_decision_id=seen_decision_id,
            )
        ]
        standing = _standing(comment.author_id)
        standing.banned = True
        _standing_save(standing, ["banned", "updated_at"])
        if reject_held:
            decisions += _reject_held(
                author_id=comment.author_id,
                but=comment.pk,
                moderator=moderator,
                reason=reason,
            )
    return decisions


def _reject_held(
    *, author_id: int, but: int, moderator: User, reason: str
) -> list[Decision]:
    """Reject an author's other waiting comments with one bulk transition (on the
    moderator's sites only)."""
    allowed = moderated_site_ids(moderator)
    candidates = Comment.objects.select_for_update().filter(
        author_id=author_id,
        status__in=(CommentStatus.HELD, CommentStatus.PENDING),
    )
    if allowed is not None:
        candidates = candidates.filter(article__site_id__in=allowed)
    waiting = list(candidates.exclude(pk=but).order_by("pk"))
    if not waiting:
        return []
    scores = _scores_at_decision([c.pk for c in waiting])
    decisions = comments_transition(
        [
            Transition(
                comment=c,
                to_status=CommentStatus.REJECTED,
                source=Decision.Source.MODERATOR,
                actor=moderator,
                rejection_reason=reason,
                note="Author banned; their held comments were rejected.",
                toxicity=scores.get(c.pk, _NO_SCORE).toxicity,
                model_version=scores.get(c.pk, _NO_SCORE).model_version,
            )
            for c in waiting
        ],
        bulk=True,
    )
    FeaturedComment.objects.filter(comment__in=waiting).delete()
    comments_reports_resolve(
        comment_ids=[c.pk for c in waiting], moderator=moderator, upheld=True
    )
    return decisions


def author_premoderate(
    *,
    comment: Comment,
    moderator: User,
    premoderated: bool = True,
    note: str = "",
    seen_decision_id: int | None = None,
) -> Decision:
    """Always (or no longer) hold this author's comments for review."""
    with transaction.atomic():
        locked = _lock(comment, seen_decision_id)
        standing = _standing(locked.author_id)
        standing.premoderated = premoderated
        _standing_save(standing, ["premoderated", "updated_at"])
        action = "pre-moderated" if premoderated else "no longer pre-moderated"
        return _record(locked, moderator, note=f"Author {action}. {note}".strip())


def author_sanctions_lift(
    *, comment: Comment, moderator: User, note: str = ""
) -> Decision:
    """Reverse a suspension, ban or pre-moderation of the comment's author."""
    with transaction.atomic():
        locked = _lock(comment, None)
        standing = _standing(locked.author_id)
        standing.banned = False
        standing.suspended_until = None
        standing.premoderated = False
        _standing_save(
            standing, ["banned", "suspended_until", "premoderated", "updated_at"]
        )
        return _record(
            locked, moderator, note=f"Author's sanctions lifted. {note}".strip()
        )


def comment_feature(
    *,
    comment: Comment,
    moderator: User,
    featured: bool = True,
    note: str = "",
    seen_decision_id: int | None = None,
) -> Decision:
    """Feature a comment (publishing it if it was waiting), or unfeature it."""
    with transaction.atomic():
        locked = _lock(comment, seen_decision_id)
        _refuse_withdrawn(locked)
        if featured and locked.status == CommentStatus.REJECTED:
            raise NotAllowed(
                f"Comment {locked.pk} is rejected; approve it before featuring it.",
                code="rejected",
            )
        if featured:
            FeaturedComment.objects.get_or_create(
                comment=locked, defaults={"featured_by": moderator}
            )
            decision = _record(
                locked,
                moderator,
                to_status=CommentStatus.PUBLISHED,
                note=f"Featured. {note}".strip(),
            )
            reports_resolve(comment=locked, moderator=moderator, upheld=False)
        else:
            FeaturedComment.objects.filter(comment=locked).delete()
            decision = _record(locked, moderator, note=f"Unfeatured. {note}".strip())
    comment.refresh_from_db()
    return decision
