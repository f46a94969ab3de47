"""Trying a word rule on recent comments before saving it."""

from collections.abc import Collection
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef

from articles.models import Comment, CommentStatus
from moderation.classifier import normalise
from moderation.models import Decision
from moderation.pipeline import rule_matches

PREVIEW_SCAN = 1000
PREVIEW_SHOW = 200


@dataclass
class RulePreview:
    pattern: str
    scanned: int
    matched: list[Comment] = field(default_factory=list)
    # Of the matches, how many moderators had approved (published after a review).
    approved_by_moderators: int = 0

    @property
    def matched_count(self) -> int:
        return len(self.matched)


def rule_preview(
    *, pattern: str, scan: int = PREVIEW_SCAN, site_ids: Collection[int] | None = None
) -> RulePreview:
    """Which of the last `scan` comments a rule would have caught.

    Matching uses the pipeline's own `rule_matches` on normalised text, so the
    preview agrees with what the rule will do once saved.
    """
    approved = Decision.objects.filter(
        comment_id=OuterRef("pk"),
        source=Decision.Source.MODERATOR,
        to_status=CommentStatus.PUBLISHED,
    )
    recent = list(
        (
            Comment.objects.filter(article__site_id__in=site_ids)
            if site_ids is not None
            else Comment.objects
        )
        .select_related("article", "author")
        .exclude(status=CommentStatus.WITHDRAWN)
        .annotate(moderator_approved=Exists(approved))
        .order_by("-created_at", "-id")[:scan]
    )
    preview = RulePreview(pattern=pattern, scanned=len(recent))
    if not pattern.strip("* "):
        return preview
    for comment in recent:
        if rule_matches(pattern, normalise(comment.body)):
            preview.matched.append(comment)
            if comment.moderator_approved and comment.status == (
                CommentStatus.PUBLISHED
            ):
                preview.approved_by_moderators += 1
    return preview
