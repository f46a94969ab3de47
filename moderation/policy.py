"""The site's moderation policy: a pure function from scores and reasons to a decision.

`decide` is the only place that turns what the pipeline found into publish, hold or
reject. It reads no database and has no side effects, so it is tested as a table.

How it decides, in order:

1. A **rejecting reason** (a banned word, a banned author) rejects: the site has said
   in advance that such comments never appear.
2. **No score** (no model could be loaded) holds: Parley fails closed, a person decides.
3. A **score at or above the reject threshold** rejects only when automatic rejection by
   score is switched on. It is off by default, because toxicity models are meant to
   assist human moderators, not replace them; such comments are held instead. The
   reject threshold never acts below the hold threshold: a score that would not even
   be held is never rejected (the hold threshold follows the active model, so a new
   model's point could rise above a reject threshold set for the old one).
4. A **score at or above the hold threshold** holds. The caller passes the threshold in
   force (`moderation.services.thresholds`: the moderator's value, or else the active
   model's operating point).
5. Any other **holding reason** (a suspect word, a new commenter, a pre-moderated story
   or author, a repeat post, a burst, too many links, recent rejections, a suspended
   author, a story that closed before scoring) holds.
6. Otherwise the comment is published.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

REJECTING_REASONS = frozenset({"BANNED_WORD", "AUTHOR_BANNED"})


class Outcome(StrEnum):
    PUBLISH = "publish"
    HOLD = "hold"
    REJECT = "reject"


@dataclass(frozen=True)
class PolicySettings:
    # No default: the threshold in force depends on the active model.
    hold_threshold: float
    reject_threshold: float = 0.97
    auto_reject_by_score: bool = False


def decide(
    *,
    toxicity: float | None,
    reasons: Iterable[str],
    settings: PolicySettings,
) -> Outcome:
    """Publish, hold for review or reject; see the module docstring for the rules.

    `reasons` are the codes the pipeline's phases recorded, excluding TOXIC (the
    score itself is passed as `toxicity`; None means no model could score it).
    """
    codes = set(reasons)
    if codes & REJECTING_REASONS:
        return Outcome.REJECT
    if toxicity is None:
        return Outcome.HOLD
    reject_at = max(settings.reject_threshold, settings.hold_threshold)
    if settings.auto_reject_by_score and toxicity >= reject_at:
        return Outcome.REJECT
    if toxicity >= settings.hold_threshold:
        return Outcome.HOLD
    if codes - {"TOXIC"}:
        return Outcome.HOLD
    return Outcome.PUBLISH
