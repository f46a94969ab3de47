"""The ordered phases every new or edited comment passes in a worker.

language → checks → word rules → classifier → author history → story policy →
decision

Phases work on a batch of comments at once, so a worker under load scores many
comments with one model call and a fixed number of queries; a batch of one is the
same code. Each phase reads only and returns the reasons it found per comment; the
decision itself is `moderation.policy.decide`.
"""

import hashlib
import re
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Count, Max
from django.template.defaultfilters import pluralize
from django.utils import timezone

from accounts.models import User
from articles.models import Comment, CommentStatus, ModerationPolicy
from core import rows
from moderation import language
from moderation.classifier import normalise
from moderation.models import (
    AuthorStanding,
    ModelVersion,
    ModerationSettings,
    PipelineResult,
    WordRule,
)
from moderation.policy import Outcome, PolicySettings, decide
from moderation.reasons import PipelineReason
from moderation.services import registry, thresholds

if TYPE_CHECKING:
    # Only for the annotation: the classifier loads numpy when a model does.
    from moderation.classifier import Prediction, ToxicityModel

_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
_WORDS = re.compile(r"[^\w<>]+")
# Scores below this fraction of the hold threshold need no explanation.
_EXPLAIN_FROM = 0.5
NEW_ACCOUNT_DAYS = 7


@dataclass(frozen=True)
class Finding:
    code: str
    phase: str
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "phase": self.phase, "detail": self.detail}


@dataclass
class ModelScore:
    model_version: str
    toxicity: float
    categories: dict[str, float]
    explanation: list[dict[str, Any]]
    is_shadow: bool = False


@dataclass
class PipelineRun:
    comment_id: int
    text_version: int
    findings: list[Finding] = field(default_factory=list)
    scores: list[ModelScore] = field(default_factory=list)
    outcome: Outcome = Outcome.HOLD
    fingerprint: str = ""
    scoring_ms: float = 0.0

    @property
    def active_score(self) -> ModelScore | None:
        return next((s for s in self.scores if not s.is_shadow), None)


def fingerprint(text: str) -> str:
    """Same for texts that differ only in case, spacing, punctuation or evasions."""
    words = _WORDS.sub(" ", normalise(text)).split()
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


@lru_cache(maxsize=512)
def _rule_regex(pattern: str) -> re.Pattern[str]:
    parts = [re.escape(normalise(p)) for p in pattern.strip().split("*")]
    body = r"\w*".join(parts)
    return re.compile(rf"(?<!\w){body}(?!\w)")


def rule_matches(pattern: str, normalised_text: str) -> bool:
    """Whole-word match of a rule (with * wildcards) against normalised text."""
    return bool(pattern.strip("* ")) and bool(
        _rule_regex(pattern).search(normalised_text)
    )


def phase_language(comments: Sequence[Comment]) -> dict[int, list[Finding]]:
    """Comments confidently in another language: the model scores English only,
    so they are held for a human rather than given a meaningless score. Short
    texts ("ok", "+1") are never held for being too short to identify."""
    found: dict[int, list[Finding]] = {}
    for c in comments:
        detected = language.detect(c.body)
        if detected.is_other_language:
            found[c.pk] = [
                Finding(
                    PipelineReason.OTHER_LANGUAGE,
                    "language",
                    f"{detected.language} ({detected.confidence:.2f})",
                )
            ]
    return found


def phase_checks(
    comments: Sequence[Comment], now: datetime
) -> dict[int, list[Finding]]:
    found: dict[int, list[Finding]] = defaultdict(list)
    standings = _standings({c.author_id for c in comments})
    for c in comments:
        if c.article.comments_closed_reason(now) is not None:
            found[c.pk].append(
                Finding(
                    PipelineReason.STORY_CLOSED, "checks", "story closed to comments"
                )
            )
        standing = standings.get(c.author_id)
        if standing is None:
            continue
        if standing.banned:
            found[c.pk].append(Finding(PipelineReason.AUTHOR_BANNED, "checks"))
        elif standing.is_suspended(now):
            until = f"{standing.suspended_until:%Y-%m-%d %H:%M}"
            found[c.pk].append(
                Finding(
                    PipelineReason.AUTHOR_SUSPENDED,
                    "checks",
                    f"suspended until {until}",
                )
            )
        if standing.premoderated:
            found[c.pk].append(Finding(PipelineReason.PREMOD_USER, "story_policy"))
    return found


def phase_words(
    comments: Sequence[Comment],
    normalised: dict[int, str],
    settings: ModerationSettings,
) -> dict[int, list[Finding]]:
    found: dict[int, list[Finding]] = defaultdict(list)
    rules = _word_rules()
    for c in comments:
        # A rule with a site applies to that site's stories only.
        site_id = c.article.site_id
        for pattern, kind, rule_site in rules:
            if rule_site is not None and rule_site != site_id:
                continue
            if rule_matches(pattern, normalised[c.pk]):
                code = (
                    PipelineReason.BANNED_WORD
                    if kind == WordRule.Kind.BANNED
                    else PipelineReason.SUSPECT_WORD
                )
                found[c.pk].append(Finding(code, "words", pattern))
        links = len(_URL.findall(c.body))
        if links > settings.max_links:
            found[c.pk].append(Finding(PipelineReason.LINKS, "words", f"{links} links"))
    return found


def _toxic_detail(prediction: "Prediction") -> str:
    """What moderators read beside a TOXIC hold: the score and the attribute
    that drove it (the strongest of the model's other attributes, e.g.
    IDENTITY_ATTACK 0.97), so a hold for a threat reads differently from one
    for an insult."""
    detail = f"toxicity {prediction.toxicity:.2f}"
    others = {k: v for k, v in prediction.attributes.items() if k != "TOXICITY"}
    if others:
        name, value = max(others.items(), key=lambda item: item[1])
        detail += f", driven by {name} {value:.2f}"
    return detail


def phase_classifier(
    comments: Sequence[Comment],
    row: ModelVersion | None,
    model: "ToxicityModel | None",
    hold_threshold: float,
) -> tuple[dict[int, list[ModelScore]], dict[int, list[Finding]]]:
    scores: dict[int, list[ModelScore]] = defaultdict(list)
    found: dict[int, list[Finding]] = defaultdict(list)
    if not comments:
        return scores, found
    if row is None or model is None:
        for c in comments:
            found[c.pk].append(
                Finding(
                    PipelineReason.MODEL_UNAVAILABLE,
                    "classifier",
                    "no model could be loaded",
                )
            )
        return scores, found
    texts = [c.body for c in comments]
    predictions = model.score(texts)
    for c, p in zip(comments, predictions, strict=True):
        explanation: list[dict[str, Any]] = []
        if p.toxicity >= hold_threshold * _EXPLAIN_FROM:
            explanation = [span.to_dict() for span in model.explain(c.body, k=5)]
        scores[c.pk].append(
            ModelScore(row.version, p.toxicity, p.categories, explanation)
        )
        if p.toxicity >= hold_threshold:
            found[c.pk].append(
                Finding(PipelineReason.TOXIC, "classifier", _toxic_detail(p))
            )
    for shadow_row in registry.shadow_model_versions():
        shadow = registry.load(shadow_row)
        if shadow is None:
            continue
        for c, p in zip(comments, shadow.score(texts), strict=True):
            scores[c.pk].append(
                ModelScore(
                    shadow_row.version, p.toxicity, p.categories, [], is_shadow=True
                )
            )
    return scores, found


@dataclass(frozen=True)
class _Earlier:
    """A comment already scored with the same fingerprint."""

    author_id: int
    article_id: int
    created_at: datetime  # the latest such comment of this author on this story
    author_joined: datetime


def phase_history(
    comments: Sequence[Comment],
    fingerprints: dict[int, str],
    settings: ModerationSettings,
    now: datetime,
) -> dict[int, list[Finding]]:
    found: dict[int, list[Finding]] = defaultdict(list)
    authors = {c.author_id for c in comments}
    batch_ids = [c.pk for c in comments]
    published: dict[int, int] = {}
    if settings.new_commenter_count:
        published = _published_counts(
            authors, batch_ids, up_to=settings.new_commenter_count
        )
    rejected: dict[int, int] = {}
    if settings.recent_rejections_count:
        since = now - timedelta(days=settings.recent_rejections_days)
        rejected = _rejected_counts(authors, since)
    horizon = now - timedelta(
        minutes=max(settings.repeat_window_minutes, settings.burst_window_minutes)
    )
    earlier: dict[str, list[_Earlier]] = defaultdict(list)
    for row in _same_texts(set(fingerprints.values()), horizon, batch_ids):
        fingerprint, author_id, article_id, joined, latest = row
        earlier[fingerprint].append(_Earlier(author_id, article_id, latest, joined))
    repeat_since = now - timedelta(minutes=settings.repeat_window_minutes)
    burst_since = now - timedelta(minutes=settings.burst_window_minutes)
    new_accounts = now - timedelta(days=NEW_ACCOUNT_DAYS)
    for c in sorted(comments, key=lambda c: (c.created_at, c.pk)):
        if settings.new_commenter_count:
            n = published.get(c.author_id, 0)
            if n < settings.new_commenter_count:
                found[c.pk].append(
                    Finding(
                        PipelineReason.NEW_COMMENTER, "history", f"{n} published so far"
                    )
                )
        if settings.recent_rejections_count:
            n = rejected.get(c.author_id, 0)
            if n >= settings.recent_rejections_count:
                found[c.pk].append(
                    Finding(
                        PipelineReason.RECENT_REJECTIONS,
                        "history",
                        f"{n} rejected in {settings.recent_rejections_days} "
                        f"day{pluralize(settings.recent_rejections_days)}",
                    )
                )
        same = earlier[fingerprints[c.pk]]
        if settings.repeat_window_minutes and any(
            e.author_id == c.author_id and e.created_at >= repeat_since for e in same
        ):
            found[c.pk].append(
                Finding(PipelineReason.REPEAT_POST, "history", "same text posted again")
            )
        if settings.burst_accounts and c.author.date_joined >= new_accounts:
            others = {
                e.author_id
                for e in same
                if e.article_id == c.article_id
                and e.created_at >= burst_since
                and e.author_joined >= new_accounts
                and e.author_id != c.author_id
            }
            if len(others) + 1 >= settings.burst_accounts:
                found[c.pk].append(
                    Finding(
                        PipelineReason.BURST,
                        "history",
                        f"same text from {len(others) + 1} new accounts on this story",
                    )
                )
        # Later comments in this batch see this one as already posted.
        same.append(
            _Earlier(c.author_id, c.article_id, c.created_at, c.author.date_joined)
        )
    return found


def phase_story_policy(comments: Sequence[Comment]) -> dict[int, list[Finding]]:
    return {
        c.pk: [Finding(PipelineReason.PREMOD_STORY, "story_policy")]
        for c in comments
        if c.article.moderation_policy == ModerationPolicy.PREMODERATED
    }


def run_pipeline_batch(
    comments: Sequence[Comment], settings: ModerationSettings
) -> list[PipelineRun]:
    """Every phase in order for each comment, then the policy's decision.

    Writes nothing. Comments need `article` and `author` loaded (select_related).
    """
    if not comments:
        return []
    started = time.perf_counter()
    now = timezone.now()
    normalised = {c.pk: normalise(c.body) for c in comments}
    fingerprints = {c.pk: fingerprint(c.body) for c in comments}
    languages = phase_language(comments)
    checks = phase_checks(comments, now)
    words = phase_words(comments, normalised, settings)
    to_score = [c for c in comments if c.pk not in languages]
    row, model = registry.active_model() if to_score else (None, None)
    # The moderator's threshold, else the operating point of the model that
    # scores this batch (so an upgrade moves it with the model).
    hold = thresholds.hold_threshold_in_force(settings=settings, model_version=row)
    scores, toxic = phase_classifier(to_score, row, model, hold.value)
    history = phase_history(comments, fingerprints, settings, now)
    story = phase_story_policy(comments)
    policy = PolicySettings(
        hold_threshold=hold.value,
        reject_threshold=settings.reject_threshold,
        auto_reject_by_score=settings.auto_reject_by_score,
    )
    elapsed_ms = (time.perf_counter() - started) * 1000 / len(comments)
    runs: list[PipelineRun] = []
    for c in comments:
        findings = [
            *languages.get(c.pk, []),
            *checks.get(c.pk, []),
            *words.get(c.pk, []),
            *toxic.get(c.pk, []),
            *history.get(c.pk, []),
            *story.get(c.pk, []),
        ]
        run = PipelineRun(
            c.pk,
            c.text_version,
            findings=findings,
            scores=scores.get(c.pk, []),
            fingerprint=fingerprints[c.pk],
            scoring_ms=elapsed_ms,
        )
        active = run.active_score
        run.outcome = decide(
            toxicity=active.toxicity if active else None,
            reasons=[f.code for f in findings if f.code != PipelineReason.TOXIC],
            settings=policy,
        )
        runs.append(run)
    return runs


# -- the phases' reads ------------------------------------------------------
#
# On PostgreSQL each is SQL built once per process (core.rows): compiling these
# ORM queries cost the worker more CPU than PostgreSQL spends running them, on
# every batch. Elsewhere (SQLite) the ORM's, the same queries.


def _standings(author_ids: set[int]) -> dict[int, AuthorStanding]:
    if connection.vendor != "postgresql":
        found = AuthorStanding.objects.filter(user_id__in=author_ids)
        return {s.user_id: s for s in found}
    with connection.cursor() as cursor:
        cursor.execute(_standings_sql(), [rows.int_array(author_ids)])
        made = rows.instances(AuthorStanding, rows.fetchall(cursor))
    return {s.user_id: s for s in made}


@cache
def _standings_sql() -> str:
    user = rows.column(AuthorStanding, "user")
    return (
        f"SELECT {rows.columns(AuthorStanding, 's')} "  # noqa: S608  (names from _meta)
        f"FROM {rows.table(AuthorStanding)} s WHERE s.{user} = ANY(%s::bigint[])"
    )


def _word_rules() -> list[tuple[str, str, int | None]]:
    """Active rules as (pattern, kind, site id), in the model's order."""
    if connection.vendor != "postgresql":
        return list(
            WordRule.objects.filter(is_active=True).values_list(
                "pattern", "kind", "site"
            )
        )
    with connection.cursor() as cursor:
        cursor.execute(_word_rules_sql())
        return cursor.fetchall()


@cache
def _word_rules_sql() -> str:
    pattern, kind, site, active = (
        rows.column(WordRule, n) for n in ("pattern", "kind", "site", "is_active")
    )
    return (
        f"SELECT {pattern}, {kind}, {site} FROM {rows.table(WordRule)} "  # noqa: S608
        f"WHERE {active} ORDER BY {kind}, {pattern}"  # WordRule.Meta.ordering
    )


def _published_counts(
    authors: set[int], batch_ids: list[int], *, up_to: int
) -> dict[int, int]:
    """Each author's published comments, those of the batch left out: exact up
    to `up_to`, which is all the new-commenter rule asks (on PostgreSQL each
    count stops there, so a prolific author's thousands of comments are not
    counted on every batch; its finding and detail are the same)."""
    if connection.vendor != "postgresql":
        return dict(
            Comment.objects.filter(
                author_id__in=authors, status=CommentStatus.PUBLISHED
            )
            .exclude(pk__in=batch_ids)
            .values_list("author_id")
            .annotate(n=Count("pk"))
            .values_list("author_id", "n")
        )
    with connection.cursor() as cursor:
        cursor.execute(
            _published_counts_sql(),
            [
                CommentStatus.PUBLISHED.value,
                rows.int_array(batch_ids),
                up_to,
                rows.int_array(authors),
            ],
        )
        return dict(cursor.fetchall())


@cache
def _published_counts_sql() -> str:
    pk, author, status = (rows.column(Comment, n) for n in ("id", "author", "status"))
    return (
        f"SELECT a.id, (SELECT COUNT(*) FROM (SELECT 1 FROM {rows.table(Comment)} c "  # noqa: S608
        f"WHERE c.{author} = a.id AND c.{status} = %s "
        f"AND NOT (c.{pk} = ANY(%s::bigint[])) LIMIT %s) AS found) "
        f"FROM unnest(%s::bigint[]) AS a(id)"
    )


def _rejected_counts(authors: set[int], since: datetime) -> dict[int, int]:
    """Each author's comments rejected since `since`."""
    if connection.vendor != "postgresql":
        return dict(
            Comment.objects.filter(
                author_id__in=authors,
                status=CommentStatus.REJECTED,
                status_changed_at__gte=since,
            )
            .values_list("author_id")
            .annotate(n=Count("pk"))
            .values_list("author_id", "n")
        )
    with connection.cursor() as cursor:
        cursor.execute(
            _rejected_counts_sql(),
            [rows.int_array(authors), CommentStatus.REJECTED.value, since],
        )
        return dict(cursor.fetchall())


@cache
def _rejected_counts_sql() -> str:
    pk, author, status, changed = (
        rows.column(Comment, n) for n in ("id", "author", "status", "status_changed_at")
    )
    return (
        f"SELECT c.{author}, COUNT(c.{pk}) FROM {rows.table(Comment)} c "  # noqa: S608
        f"WHERE c.{author} = ANY(%s::bigint[]) AND c.{status} = %s "
        f"AND c.{changed} >= %s GROUP BY c.{author}"
    )


def _same_texts(
    fingerprints: set[str], since: datetime, batch_ids: list[int]
) -> list[tuple[str, int, int, datetime, datetime]]:
    """Comments outside the batch written since `since` with one of these
    fingerprints: (fingerprint, author, story, author joined, latest time).

    One row per text, author and story, with the author's latest time: the
    history checks only ask whether such a comment exists since some moment,
    and a wave of one text (spam, or a benchmark) is then a few rows, not one
    per comment read and compared on every batch."""
    if connection.vendor != "postgresql":
        return list(
            PipelineResult.objects.filter(
                text_fingerprint__in=fingerprints, comment__created_at__gte=since
            )
            .exclude(comment_id__in=batch_ids)
            .order_by()
            .values_list(
                "text_fingerprint",
                "comment__author_id",
                "comment__article_id",
                "comment__author__date_joined",
            )
            .annotate(latest=Max("comment__created_at"))
        )
    with connection.cursor() as cursor:
        cursor.execute(
            _same_texts_sql(), [sorted(fingerprints), since, rows.int_array(batch_ids)]
        )
        return rows.fetchall(cursor)


@cache
def _same_texts_sql() -> str:
    result, comment = rows.column(PipelineResult, "comment"), rows.column(Comment, "id")
    text = rows.column(PipelineResult, "text_fingerprint")
    author, article, created = (
        rows.column(Comment, n) for n in ("author", "article", "created_at")
    )
    user, joined = rows.column(User, "id"), rows.column(User, "date_joined")
    shown = f"r.{text}, c.{author}, c.{article}, u.{joined}"
    return (
        f"SELECT {shown}, MAX(c.{created}) FROM {rows.table(PipelineResult)} r "  # noqa: S608
        f"JOIN {rows.table(Comment)} c ON c.{comment} = r.{result} "
        f"JOIN {rows.table(User)} u ON u.{user} = c.{author} "
        f"WHERE r.{text} = ANY(%s::varchar[]) AND c.{created} >= %s "
        f"AND NOT (r.{result} = ANY(%s::bigint[])) GROUP BY {shown}"
    )
