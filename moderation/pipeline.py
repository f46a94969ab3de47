"""The ordered phases every new or edited comment passes in a worker.

checks → word rules → classifier → author history → story policy → decision

Each phase reads only and returns the reasons it found, so the whole pipeline can run
before the scoring service takes its lock, and `run_pipeline` is safe to repeat.
The decision itself is `moderation.policy.decide`.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from typing import Any

from django.utils import timezone

from articles.models import Comment, CommentStatus, ModerationPolicy
from moderation.classifier import normalise
from moderation.models import (
    AuthorStanding,
    ModerationSettings,
    PipelineResult,
    WordRule,
)
from moderation.policy import Outcome, PolicySettings, decide
from moderation.reasons import Reason
from moderation.services import registry

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
class Score:
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
    scores: list[Score] = field(default_factory=list)
    outcome: Outcome = Outcome.HOLD
    fingerprint: str = ""

    @property
    def active_score(self) -> Score | None:
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


def phase_checks(comment: Comment, now: Any) -> list[Finding]:
    found: list[Finding] = []
    if comment.article.comments_closed_reason(now) is not None:
        found.append(Finding(Reason.STORY_CLOSED, "checks", "story closed to comments"))
    standing = AuthorStanding.objects.filter(user_id=comment.author_id).first()
    if standing is not None:
        if standing.banned:
            found.append(Finding(Reason.AUTHOR_BANNED, "checks"))
        elif standing.is_suspended(now):
            found.append(
                Finding(
                    Reason.AUTHOR_SUSPENDED,
                    "checks",
                    f"suspended until {standing.suspended_until:%Y-%m-%d %H:%M}",
                )
            )
        if standing.premoderated:
            found.append(Finding(Reason.PREMOD_USER, "story_policy"))
    return found


def phase_words(normalised_text: str) -> list[Finding]:
    found: list[Finding] = []
    for rule in WordRule.objects.filter(is_active=True).only("pattern", "kind"):
        if rule_matches(rule.pattern, normalised_text):
            code = (
                Reason.BANNED_WORD
                if rule.kind == WordRule.Kind.BANNED
                else Reason.SUSPECT_WORD
            )
            found.append(Finding(code, "words", rule.pattern))
    return found


def phase_links(text: str, settings: ModerationSettings) -> list[Finding]:
    links = len(_URL.findall(text))
    if links > settings.max_links:
        return [Finding(Reason.LINKS, "words", f"{links} links")]
    return []


def phase_classifier(
    text: str, settings: ModerationSettings
) -> tuple[list[Score], list[Finding]]:
    scores: list[Score] = []
    row, model = registry.active_model()
    if row is None or model is None:
        return scores, [
            Finding(Reason.MODEL_UNAVAILABLE, "classifier", "no model could be loaded")
        ]
    prediction = model.score([text])[0]
    explanation: list[dict[str, Any]] = []
    if prediction.toxicity >= settings.hold_threshold * _EXPLAIN_FROM:
        explanation = [span.to_dict() for span in model.explain(text, k=5)]
    scores.append(
        Score(row.version, prediction.toxicity, prediction.categories, explanation)
    )
    for shadow_row in registry.shadow_model_versions():
        shadow = registry.load(shadow_row)
        if shadow is None:
            continue
        p = shadow.score([text])[0]
        scores.append(
            Score(shadow_row.version, p.toxicity, p.categories, [], is_shadow=True)
        )
    findings: list[Finding] = []
    if prediction.toxicity >= settings.hold_threshold:
        findings.append(
            Finding(Reason.TOXIC, "classifier", f"toxicity {prediction.toxicity:.2f}")
        )
    return scores, findings


def phase_history(
    comment: Comment, fp: str, settings: ModerationSettings, now: Any
) -> list[Finding]:
    found: list[Finding] = []
    author_comments = Comment.objects.filter(author_id=comment.author_id).exclude(
        pk=comment.pk
    )
    if settings.new_commenter_count:
        published = author_comments.filter(status=CommentStatus.PUBLISHED).count()
        if published < settings.new_commenter_count:
            found.append(
                Finding(
                    Reason.NEW_COMMENTER,
                    "history",
                    f"{published} published so far",
                )
            )
    if settings.recent_rejections_count:
        since = now - timedelta(days=settings.recent_rejections_days)
        rejected = author_comments.filter(
            status=CommentStatus.REJECTED, status_changed_at__gte=since
        ).count()
        if rejected >= settings.recent_rejections_count:
            found.append(
                Finding(
                    Reason.RECENT_REJECTIONS,
                    "history",
                    f"{rejected} rejected in {settings.recent_rejections_days} days",
                )
            )
    same_text = PipelineResult.objects.filter(text_fingerprint=fp).exclude(
        comment_id=comment.pk
    )
    repeat_since = now - timedelta(minutes=settings.repeat_window_minutes)
    if same_text.filter(
        comment__author_id=comment.author_id, comment__created_at__gte=repeat_since
    ).exists():
        found.append(Finding(Reason.REPEAT_POST, "history", "same text posted again"))
    burst_since = now - timedelta(minutes=settings.burst_window_minutes)
    new_accounts = now - timedelta(days=NEW_ACCOUNT_DAYS)
    if comment.author.date_joined >= new_accounts and settings.burst_accounts:
        others = (
            same_text.filter(
                comment__article_id=comment.article_id,
                comment__created_at__gte=burst_since,
                comment__author__date_joined__gte=new_accounts,
            )
            .exclude(comment__author_id=comment.author_id)
            .values("comment__author_id")
            .distinct()
            .count()
        )
        if others + 1 >= settings.burst_accounts:
            found.append(
                Finding(
                    Reason.BURST,
                    "history",
                    f"same text from {others + 1} new accounts on this story",
                )
            )
    return found


def phase_story_policy(comment: Comment) -> list[Finding]:
    if comment.article.moderation_policy == ModerationPolicy.PREMODERATED:
        return [Finding(Reason.PREMOD_STORY, "story_policy")]
    return []


def run_pipeline(comment: Comment, settings: ModerationSettings) -> PipelineRun:
    """Every phase in order, then the policy's decision. Writes nothing."""
    now = timezone.now()
    text = comment.body
    normalised_text = normalise(text)
    fp = fingerprint(text)
    run = PipelineRun(comment.pk, comment.text_version, fingerprint=fp)
    run.findings += phase_checks(comment, now)
    run.findings += phase_words(normalised_text)
    run.findings += phase_links(text, settings)
    scores, found = phase_classifier(text, settings)
    run.scores = scores
    run.findings += found
    run.findings += phase_history(comment, fp, settings, now)
    run.findings += phase_story_policy(comment)
    active = run.active_score
    run.outcome = decide(
        toxicity=active.toxicity if active else None,
        reasons=[f.code for f in run.findings if f.code != Reason.TOXIC],
        settings=PolicySettings(
            hold_threshold=settings.hold_threshold,
            reject_threshold=settings.reject_threshold,
            auto_reject_by_score=settings.auto_reject_by_score,
        ),
    )
    return run
