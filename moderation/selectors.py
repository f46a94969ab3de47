"""Reads for the moderators' workplace: queues, their priority, context, dashboard.

Priority (Needs review and Reported are ordered by it, highest first; ties go to
the comment waiting longest). Every part is computed in SQL, so a page of any size
costs the same number of queries:

    priority = toxicity + reports + history + waiting            (0 to 100)

    toxicity = 40 * the active model's toxicity (0-1)            0-40
    reports  = 10 * the weighted sum of pending reports, max 30   0-30
               (a reporter weighs 2·(upheld+1)/(upheld+overruled+2):
               1.0 when new, up to 2.0 if usually upheld, towards 0 if usually
               overruled)
    history  = 5 * the author's rejected comments, max 15,        0-20
               + 5 if the author is pre-moderated, suspended or banned
    waiting  = 0 under 1 hour, 4 from 1 hour, 7 from 4 hours,     0-10
               10 from 12 hours in the queue
"""

import statistics
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    FloatField,
    IntegerField,
    JSONField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Least
from django.utils import timezone

from accounts.models import User
from articles.models import Article, Comment, CommentRevision, CommentStatus
from moderation.models import (
    AuthorStanding,
    CommentScore,
    Decision,
    ModelVersion,
    ModerationSettings,
    PipelineResult,
    QueuePriority,
    Report,
)
from moderation.reasons import PipelineReason
from moderation.services.thresholds import hold_threshold_in_force

TOXICITY_POINTS = 40.0
REPORT_POINTS = 10.0
REPORT_MAX = 30.0
REJECTED_POINTS = 5
REJECTED_MAX = 15
SANCTION_POINTS = 5
WAITING_STEPS = ((12, 10), (4, 7), (1, 4))  # (hours waiting, points), longest first
# How long the filters' lists of choices (busiest stories, sections) are kept.
LISTS_KEPT_SECONDS = 60


class Queue:
    NEEDS_REVIEW = "needs_review"
    REPORTED = "reported"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    ALL = "all"


# The queues ranked by priority; each of their comments has a QueuePriority row.
RANKED = (Queue.NEEDS_REVIEW, Queue.REPORTED)


def reason_bit(code: str) -> int:
    """The bit of a pipeline reason in QueuePriority.reason_bits (0 if unknown).

    Bits follow PipelineReason's order: a new reason goes at the end, or the
    stored bits must be refreshed (`manage.py queue_priorities_refresh`)."""
    values = list(PipelineReason.values)
    return 1 << values.index(code) if code in values else 0


def _pending_reports() -> QuerySet[Report]:
    return Report.objects.filter(
        comment_id=OuterRef("pk"), resolution=Report.Resolution.PENDING
    )


def _open_report_ids() -> QuerySet[Report, Any]:
    return Report.objects.filter(resolution=Report.Resolution.PENDING).values(
        "comment_id"
    )


def _rejections_capped() -> Case:
    """The author's rejections up to the number that still adds points.

    Each comment of a queue is ranked on it, so it must not count every rejection
    of a prolific author: at most REJECTED_MAX / REJECTED_POINTS probes of the
    rejected-by-author index. The full count is shown only for the page's rows.
    """
    rejected = Comment.objects.filter(
        author_id=OuterRef("author_id"), status=CommentStatus.REJECTED
    )
    cap = REJECTED_MAX // REJECTED_POINTS
    return Case(
        *[When(Exists(rejected[n - 1 : n]), then=Value(n)) for n in range(cap, 0, -1)],
        default=Value(0),
        output_field=IntegerField(),
    )


def waiting_points(waiting_since: datetime | None, now: datetime) -> int:
    """Points for the time a comment has waited in its queue since `waiting_since`."""
    for hours, points in WAITING_STEPS:
        if waiting_since is not None and waiting_since <= now - timedelta(hours=hours):
            return points
    return 0


def _waiting_points(now: datetime) -> Case:
    """waiting_points() in SQL, for the `waiting_since` annotation."""
    return Case(
        *[
            When(waiting_since__lte=now - timedelta(hours=h), then=Value(p))
            for h, p in WAITING_STEPS
        ],
        default=Value(0),
        output_field=IntegerField(),
    )


def _with_parts(qs: QuerySet[Comment], now: datetime) -> QuerySet[Comment]:
    """Each part of the priority but waiting, computed from the source rows."""
    report_weight = (
        _pending_reports()
        .order_by()
        .values("comment_id")
        .annotate(w=Sum(Coalesce("reporter__reporter_record__weight", 1.0)))
        .values("w")
    )
    rejected = (
        Comment.objects.filter(
            author_id=OuterRef("author_id"), status=CommentStatus.REJECTED
        )
        .order_by()
        .values("author_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    sanctioned = AuthorStanding.objects.filter(user_id=OuterRef("author_id")).filter(
        Q(premoderated=True) | Q(banned=True) | Q(suspended_until__gt=now)
    )
    return qs.annotate(
        report_weight=Coalesce(
            Subquery(report_weight, output_field=FloatField()), Value(0.0)
        ),
        report_count=Coalesce(
            Subquery(
                _pending_reports()
                .order_by()
                .values("comment_id")
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        ),
        author_rejected=Coalesce(
            Subquery(rejected, output_field=IntegerField()), Value(0)
        ),
        p_toxicity=Coalesce(
            Subquery(
                PipelineResult.objects.filter(comment_id=OuterRef("pk")).values(
                    "toxicity"
                )[:1],
                output_field=FloatField(),
            ),
            Value(0.0),
        )
        * Value(TOXICITY_POINTS),
        p_reports=Least(F("report_weight") * Value(REPORT_POINTS), Value(REPORT_MAX)),
        p_history=_rejections_capped() * Value(REJECTED_POINTS)
        + Case(
            When(Exists(sanctioned), then=Value(SANCTION_POINTS)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    )


def priority_bases(comment_ids: list[int]) -> dict[int, float]:
    """The stored part of the priority (toxicity + reports + history) of each
    comment, computed from the source rows; for moderation.services.priority."""
    rows = _with_parts(Comment.objects.filter(pk__in=comment_ids), timezone.now())
    return {
        pk: float(tox + reports + history)
        for pk, tox, reports, history in rows.values_list(  # type: ignore[misc]
            "pk", "p_toxicity", "p_reports", "p_history"
        )
    }


@dataclass(frozen=True)
class QueueEntry:
    """A comment's place in a ranked queue, as QueuePriority stores it."""

    comment_id: int
    queue: str
    article_id: int
    waiting_since: datetime
    toxicity: float | None
    reason_bits: int
    toxicity_points: float
    report_points: float
    history_points: int
    report_weight: float
    author_rejected: int

    @property
    def base(self) -> float:
        return self.toxicity_points + self.report_points + self.history_points


def queue_entries(comment_ids: Collection[int]) -> list[QueueEntry]:
    """The entry of each of `comment_ids` that is in a ranked queue, computed from
    the source rows (for moderation.services.priority, which stores them).

    Needs review holds the held comments, waiting since their status changed;
    Reported the published ones with an open report, waiting since the first
    open report (a comment posted a week ago and reported a minute ago has waited
    a minute). Other comments have no entry."""
    now = timezone.now()
    first_report = _pending_reports().order_by("created_at").values("created_at")[:1]
    rows = (
        _with_parts(Comment.objects.filter(pk__in=list(comment_ids)), now)
        .annotate(
            first_report_at=Subquery(first_report, output_field=DateTimeField()),
            ever_reported=Exists(Report.objects.filter(comment_id=OuterRef("pk"))),
        )
        .order_by()
        .values(
            "pk",
            "status",
            "status_changed_at",
            "article_id",
            "pipeline_result__toxicity",
            "pipeline_result__reasons",
            "p_toxicity",
            "p_reports",
            "p_history",
            "report_weight",
            "author_rejected",
            "first_report_at",
            "ever_reported",
        )
    )
    entries = []
    for row in rows:
        if row["status"] == CommentStatus.HELD:
            name, since = Queue.NEEDS_REVIEW, row["status_changed_at"]
        elif row["status"] == CommentStatus.PUBLISHED and row["first_report_at"]:
            name, since = Queue.REPORTED, row["first_report_at"]
        else:
            continue
        codes = {r.get("code", "") for r in row["pipeline_result__reasons"] or []}
        if row["ever_reported"]:
            # The reason filter's "reported": any report, open or resolved.
            codes.add(PipelineReason.REPORTED)
        entries.append(
            QueueEntry(
                comment_id=row["pk"],
                queue=name,
                article_id=row["article_id"],
                waiting_since=since,
                toxicity=row["pipeline_result__toxicity"],
                reason_bits=sum(reason_bit(c) for c in codes),
                toxicity_points=float(row["p_toxicity"]),
                report_points=float(row["p_reports"]),
                history_points=int(row["p_history"]),
                report_weight=float(row["report_weight"]),
                author_rejected=int(row["author_rejected"]),
            )
        )
    return entries


def _ranked(name: str, site_ids: "SiteIds") -> QuerySet[Comment]:
    """A ranked queue's comments with their stored priority and parts: the rows
    of one range of the queue_priority_order index, in its order."""
    # Only the stored row decides membership: a transition deletes it in the same
    # transaction, so it never lists a decided comment (and a check of the
    # comment's status would make the planner read every queued comment's row).
    qs = Comment.objects.filter(queue_priority__queue=name)
    if site_ids is not None:
        qs = qs.filter(queue_priority__article__site_id__in=site_ids)
    stored = {
        "priority": "priority",
        "p_toxicity": "toxicity_points",
        "p_reports": "report_points",
        "p_history": "history_points",
        "p_waiting": "waiting_points",
        "report_weight": "report_weight",
        "author_rejected": "author_rejected",
        "waiting_since": "waiting_since",
    }
    return qs.annotate(
        **{name: F(f"queue_priority__{field}") for name, field in stored.items()}
    )


def _with_priority(qs: QuerySet[Comment]) -> QuerySet[Comment]:
    """The parts and the priority computed afresh, for the queues not ranked by
    it (their pages show it; only the page's rows are computed)."""
    now = timezone.now()
    return (
        _with_parts(qs.annotate(waiting_since=F("status_changed_at")), now)
        .annotate(p_waiting=_waiting_points(now))
        .annotate(
            priority=Cast(
                F("p_toxicity") + F("p_reports") + F("p_history") + F("p_waiting"),
                FloatField(),
            )
        )
    )


def _latest_decision_id() -> Subquery:
    return Subquery(
        Decision.objects.filter(comment_id=OuterRef("pk"))
        .order_by("-id")
        .values("id")[:1],
        output_field=IntegerField(),
    )


SiteIds = Collection[int] | None  # the sites a moderator sees; None: every site


def comments_in(site_ids: SiteIds) -> QuerySet[Comment]:
    """Comments on the given sites' stories (all comments for None)."""
    if site_ids is None:
        return Comment.objects.all()
    return Comment.objects.filter(article__site_id__in=site_ids)


# What a queue page reads of each comment and its related rows; a caller that
# needs whole comments (a bulk action) asks for them with `.defer(None)`.
QUEUE_PAGE_FIELDS = (
    "article_id",
    "author_id",
    "parent_id",
    "body",
    "status",
    "status_changed_at",
    "text_version",
    "article__title",
    "article__section",
    "author__username",
    "author__display_name",
    "author__standing__banned",
    "author__standing__suspended_until",
    "author__standing__premoderated",
    "pipeline_result__reasons",
    "pipeline_result__toxicity",
)


def queue(name: str, *, site_ids: SiteIds = None) -> QuerySet[Comment]:
    """The comments of one queue, with everything a queue page shows, by priority.

    `site_ids` limits it to those sites' stories (a moderator limited to some sites).
    """
    if name in RANKED:
        qs = _ranked(name, site_ids)
    else:
        qs = comments_in(site_ids)
        if name == Queue.PENDING:
            qs = qs.filter(status=CommentStatus.PENDING)
        elif name == Queue.APPROVED:
            qs = qs.filter(status=CommentStatus.PUBLISHED)
        elif name == Queue.REJECTED:
            qs = qs.filter(status=CommentStatus.REJECTED)
        qs = _with_priority(qs)
    # The page's rows come from an index range with a LIMIT, so their story,
    # author, standing, pipeline result, latest decision and the explanation of
    # their latest active score are read for those rows alone; the open reports
    # are prefetched with only the columns the page shows.
    latest_spans = (
        CommentScore.objects.filter(comment_id=OuterRef("pk"), is_shadow=False)
        .order_by("-scored_at", "-id")
        .values("explanation")[:1]
    )
    qs = (
        qs.annotate(
            seen_decision_id=_latest_decision_id(),
            score_spans=Subquery(latest_spans, output_field=JSONField()),
        )
        .select_related("article", "author", "author__standing", "pipeline_result")
        .only(*QUEUE_PAGE_FIELDS)
    )
    qs = qs.prefetch_related(
        Prefetch(
            "reports",
            queryset=Report.objects.filter(resolution=Report.Resolution.PENDING).only(
                "comment_id", "reason"
            ),
            to_attr="pending_reports",
        ),
    )
    return qs.order_by(*queue_ordering(name))


# A filter of a queue: a comment's lookup (e.g. "article__section",
# "pipeline_result__toxicity__gte", or "reason" for a pipeline reason code) and
# its value.
Narrowing = tuple[str, object]


def queue_narrow(
    qs: QuerySet[Comment], name: str, narrowing: Narrowing
) -> QuerySet[Comment]:
    """Queue `name`'s comments that match `narrowing`; on a ranked queue read from
    their stored rows, so a filtered page is still one range of its index."""
    lookup, value = narrowing
    if name in RANKED:
        return _narrow_stored(qs, "queue_priority__", narrowing)
    if lookup == "reason":
        return with_reason(qs, str(value))
    return qs.filter(**{lookup: value})


def _narrow_stored(
    qs: QuerySet[Any], prefix: str, narrowing: Narrowing
) -> QuerySet[Any]:
    """`narrowing` on QueuePriority rows reached by `prefix` ("" from the rows)."""
    lookup, value = narrowing
    if lookup == "reason":
        bit = F(f"{prefix}reason_bits").bitand(reason_bit(str(value)))
        return qs.alias(reason_match=bit).filter(reason_match__gt=0)
    # The row keeps the comment's story and its latest result's toxicity.
    if lookup.startswith("pipeline_result__toxicity"):
        lookup = "toxicity" + lookup.removeprefix("pipeline_result__toxicity")
    elif lookup.split("__")[0] not in ("article", "article_id"):
        raise ValueError(f"A ranked queue cannot filter on {lookup}.")
    return qs.filter(**{f"{prefix}{lookup}": value})


def queue_story_ids(name: str, *, site_ids: SiteIds = None) -> QuerySet[Any]:
    """The stories with a comment in queue `name`."""
    if name not in RANKED:
        return queue(name, site_ids=site_ids).distinct().values_list("article_id")
    return _stored_rows(name, site_ids).values_list("article_id").distinct()


def queue_size(
    name: str, *, site_ids: SiteIds = None, narrowing: Collection[Narrowing] = ()
) -> int:
    """How many comments ranked queue `name` holds, or those matching every
    `narrowing`: counted from its stored rows, without reading the comments."""
    rows = _stored_rows(name, site_ids)
    for each in narrowing:
        rows = _narrow_stored(rows, "", each)
    return rows.count()


def queue_busiest_stories(
    name: str, *, site_ids: SiteIds = None, limit: int = 20
) -> list[tuple[int, str, int]]:
    """(story id, title, comments waiting) of the `limit` stories with the most
    comments in ranked queue `name`, most first (read from its stored rows). A list
    to choose from, kept for a minute: grouping the whole backlog on every page
    would cost more than the page itself."""
    scope = "all" if site_ids is None else ",".join(map(str, sorted(site_ids)))
    key = f"moderation:busiest:{name}:{scope}:{limit}"
    found = cache.get(key)
    if found is None:
        found = list(
            _stored_rows(name, site_ids)
            .values_list("article_id", "article__title")
            .annotate(n=Count("pk"))
            .order_by("-n", "article_id")[:limit]
        )
        cache.set(key, found, LISTS_KEPT_SECONDS)
    return [(pk, title, n) for pk, title, n in found]


def story_sections() -> list[str]:
    """The stories' sections, sorted (the section filter's choices), kept for a
    minute."""
    found = cache.get("moderation:sections")
    if found is None:
        found = sorted(
            Article.objects.order_by().values_list("section", flat=True).distinct()
        )
        cache.set("moderation:sections", found, LISTS_KEPT_SECONDS)
    return list(found)


def _stored_rows(name: str, site_ids: SiteIds) -> QuerySet[QueuePriority]:
    rows = QueuePriority.objects.filter(queue=name)
    if site_ids is not None:
        rows = rows.filter(article__site_id__in=site_ids)
    return rows


def with_reason(qs: QuerySet[Comment], code: str) -> QuerySet[Comment]:
    """Comments whose latest pipeline result recorded the reason `code`.

    On PostgreSQL a JSON containment the reasons' GIN index serves; elsewhere (SQLite
    for trials and unit tests) a text match on the serialised reasons. (Ranked
    queues read a bit of their stored row instead: `queue_narrow`.)
    """
    if connection.vendor == "postgresql":
        return qs.filter(pipeline_result__reasons__contains=[{"code": code}])
    return qs.annotate(
        reasons_text=Cast("pipeline_result__reasons", TextField())
    ).filter(reasons_text__contains=f'"{code}"')


def queue_ordering(name: str) -> tuple[str, ...]:
    if name in (Queue.NEEDS_REVIEW, Queue.REPORTED):
        return ("-priority", "waiting_since", "id")
    if name == Queue.PENDING:
        return ("created_at", "id")
    return ("-status_changed_at", "-id")


def queue_counts(site_ids: SiteIds = None) -> dict[str, int]:
    comments = comments_in(site_ids)
    by_status = dict(comments.values_list("status").annotate(n=Count("pk")).order_by())
    reported = comments.filter(
        status=CommentStatus.PUBLISHED, pk__in=_open_report_ids()
    ).count()
    return {
        Queue.NEEDS_REVIEW: by_status.get(CommentStatus.HELD, 0),
        Queue.REPORTED: reported,
        Queue.PENDING: by_status.get(CommentStatus.PENDING, 0),
        Queue.APPROVED: by_status.get(CommentStatus.PUBLISHED, 0),
        Queue.REJECTED: by_status.get(CommentStatus.REJECTED, 0),
        Queue.ALL: sum(by_status.values()),
    }


@dataclass
class AuthorRecord:
    author: User
    published: int
    held: int
    rejected: int
    pending: int
    standing: AuthorStanding | None
    account_age_days: int
    reports_upheld: int = 0


def author_record(author: User) -> AuthorRecord:
    counts = dict(
        Comment.objects.filter(author=author)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return AuthorRecord(
        author=author,
        published=counts.get(CommentStatus.PUBLISHED, 0),
        held=counts.get(CommentStatus.HELD, 0),
        rejected=counts.get(CommentStatus.REJECTED, 0),
        pending=counts.get(CommentStatus.PENDING, 0),
        standing=AuthorStanding.objects.filter(user=author).first(),
        account_age_days=(timezone.now() - author.date_joined).days,
        reports_upheld=Report.objects.filter(
            comment__author=author, resolution=Report.Resolution.UPHELD
        ).count(),
    )


@dataclass
class CommentReviewContext:
    comment: Comment
    score: CommentScore | None
    result: PipelineResult | None
    reports: list[Report]
    decisions: list[Decision]
    record: AuthorRecord
    seen_decision_id: int


def comment_review_context(comment: Comment) -> CommentReviewContext:
    """Everything a moderator needs to decide one comment."""
    score = (
        CommentScore.objects.filter(comment=comment, is_shadow=False)
        .order_by("-scored_at")
        .first()
    )
    decisions = list(
        Decision.objects.filter(comment=comment).select_related("actor").order_by("-id")
    )
    return CommentReviewContext(
        comment=comment,
        score=score,
        result=PipelineResult.objects.filter(comment=comment).first(),
        reports=list(
            Report.objects.filter(comment=comment)
            .select_related("reporter", "reporter__reporter_record")
            .order_by("created_at")
        ),
        decisions=decisions,
        record=author_record(comment.author),
        seen_decision_id=decisions[0].pk if decisions else 0,
    )


def shadow_disagreements(
    *, shadow: ModelVersion, limit: int = 200
) -> list[tuple[Comment, float, float]]:
    """Comments the shadow and active models score on opposite sides of the
    hold threshold: (comment, active toxicity, shadow toxicity)."""
    active = ModelVersion.objects.filter(is_active=True).first()
    if active is None:
        return []
    threshold = hold_threshold_in_force(model_version=active).value
    active_score = CommentScore.objects.filter(
        comment_id=OuterRef("comment_id"), model_version=active.version
    ).values("toxicity")[:1]
    rows = (
        CommentScore.objects.filter(model_version=shadow.version, is_shadow=True)
        .annotate(active_toxicity=Subquery(active_score, output_field=FloatField()))
        .filter(active_toxicity__isnull=False)
        .filter(
            Q(toxicity__gte=threshold, active_toxicity__lt=threshold)
            | Q(toxicity__lt=threshold, active_toxicity__gte=threshold)
        )
        .select_related("comment", "comment__article", "comment__author")
        .order_by("-scored_at")[:limit]
    )
    return [(r.comment, r.active_toxicity, r.toxicity) for r in rows]


@dataclass
class Dashboard:
    counts: dict[str, int]
    oldest: dict[str, datetime | None]
    decisions_today: list[tuple[str, int]]
    median_minutes_to_decision: float | None
    overturns: list[tuple[str, int, int]]  # (reason, overturned, reviewed)
    reported_backlog: int
    oldest_reported: datetime | None
    bursts_7d: int
    appeals: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _appeals_count(site_ids: SiteIds = None) -> int | None:
    # The Appeals queue belongs to the readers app (issue 6); counted once it exists.
    try:
        model = apps.get_model("readers", "Appeal")
    except LookupError:
        return None
    status_field = {f.name for f in model._meta.get_fields()}
    qs = model._default_manager.all()
    if "status" in status_field:
        qs = qs.filter(status="pending")
    if site_ids is not None:
        qs = qs.filter(comment__article__site_id__in=site_ids)
    return qs.count()


def dashboard(days: int = 30, *, site_ids: SiteIds = None) -> Dashboard:
    """The dashboard's figures, for every site or for the given sites only."""
    comments = comments_in(site_ids)
    in_sites: dict[str, object] = (
        {} if site_ids is None else {"comment__article__site_id__in": site_ids}
    )
    now = timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    since = now - timedelta(days=days)
    oldest = {
        Queue.NEEDS_REVIEW: comments.filter(status=CommentStatus.HELD).aggregate(
            t=Min("status_changed_at")
        )["t"],
        Queue.PENDING: comments.filter(status=CommentStatus.PENDING).aggregate(
            t=Min("created_at")
        )["t"],
    }
    reported = Report.objects.filter(
        resolution=Report.Resolution.PENDING,
        comment__status=CommentStatus.PUBLISHED,
        **in_sites,
    )
    by_moderator = (
        Decision.objects.filter(
            source=Decision.Source.MODERATOR, created_at__gte=today, **in_sites
        )
        .values_list("actor__username")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    human = list(
        Decision.objects.filter(
            source=Decision.Source.MODERATOR,
            created_at__gte=since,
            from_status__in=(CommentStatus.HELD, CommentStatus.PENDING),
            **in_sites,
        ).values_list("created_at", "comment__created_at")
    )
    median = (
        statistics.median((d - c).total_seconds() / 60 for d, c in human)
        if human
        else None
    )
    # Overturns: held by the pipeline, then published by a moderator; by reason.
    reviewed: Counter[str] = Counter()
    overturned: Counter[str] = Counter()
    for to_status, reasons in Decision.objects.filter(
        source=Decision.Source.MODERATOR,
        created_at__gte=since,
        from_status=CommentStatus.HELD,
        **in_sites,
    ).values_list("to_status", "comment__pipeline_result__reasons"):
        for code in {r["code"] for r in reasons or []}:
            reviewed[code] += 1
            if to_status == CommentStatus.PUBLISHED:
                overturned[code] += 1
    bursts = (
        PipelineResult.objects.filter(
            decided_at__gte=now - timedelta(days=7), **in_sites
        )
        .annotate(text=Cast("reasons", TextField()))
        .filter(text__contains='"BURST"')
        .count()
    )
    return Dashboard(
        counts=queue_counts(site_ids),
        oldest=oldest,
        decisions_today=[(name or "?", n) for name, n in by_moderator],
        median_minutes_to_decision=median,
        overturns=sorted(
            ((code, overturned[code], n) for code, n in reviewed.items()),
            key=lambda row: -row[2],
        ),
        reported_backlog=reported.values("comment_id").distinct().count(),
        oldest_reported=reported.aggregate(t=Min("created_at"))["t"],
        bursts_7d=bursts,
        appeals=_appeals_count(site_ids),
    )


def decision_labels() -> list[tuple[str, int]]:
    """(text, label) from each comment's latest moderator decision.

    Rejected as abusive → 1; published after a hold → 0. The text is the
    revision the moderator saw (the decision's text_version).
    """
    decisions = (
        Decision.objects.filter(source=Decision.Source.MODERATOR)
        .filter(
            Q(to_status=CommentStatus.REJECTED, rejection_reason="abusive")
            | Q(to_status=CommentStatus.PUBLISHED, from_status=CommentStatus.HELD)
        )
        .order_by("comment_id", "-id")
        .values_list("comment_id", "text_version", "to_status")
    )
    latest: dict[int, tuple[int, int]] = {}
    for comment_id, version, to_status in decisions:
        if comment_id not in latest:
            latest[comment_id] = (version, int(to_status == CommentStatus.REJECTED))
    texts = {
        (r.comment_id, r.version): r.body
        for r in CommentRevision.objects.filter(comment_id__in=latest)
    }
    return [
        (texts[(cid, version)], label)
        for cid, (version, label) in sorted(latest.items())
        if (cid, version) in texts
    ]


def review_wait_minutes(*, days: int = 7, sample: int = 200) -> float | None:
    """The median time, in minutes, from posting to a moderator's decision over the
    latest `sample` held comments decided in the last `days`; None with none."""
    since = timezone.now() - timedelta(days=days)
    waits = list(
        Decision.objects.filter(
            source=Decision.Source.MODERATOR,
            created_at__gte=since,
            from_status=CommentStatus.HELD,
        )
        .order_by("-created_at")
        .values_list("created_at", "comment__created_at")[:sample]
    )
    if not waits:
        return None
    return statistics.median((d - c).total_seconds() / 60 for d, c in waits)


def is_new_commenter(author: User) -> bool:
    """Whether the author's comments are still checked by a person first because
    they have fewer published comments than the settings ask for."""
    needed = ModerationSettings.get_or_create_current().new_commenter_count
    if not needed:
        return False
    published = Comment.objects.filter(author=author, status=CommentStatus.PUBLISHED)[
        :needed
    ].count()
    return published < needed
