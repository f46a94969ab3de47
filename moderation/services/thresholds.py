"""The hold threshold in force, and what each candidate would have held.

A site's hold threshold follows the active model's operating point for news
comments (the point its card names; `held` in `python -m moderation.classifier
score`) unless a moderator has set one in Moderation settings. The pipeline,
the shadow comparison and the admin all read it from `hold_threshold_in_force`
so they never disagree; `moderation.policy` gets the number passed in.

Reads only: nothing here writes, and nothing loads a model (the operating
point is the registry's copy on the ModelVersion row), so the admin can show it
from a web process.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Count, Q

from moderation.models import CommentScore, ModelVersion, ModerationSettings

# What applies when the active model names no operating point (or no model is
# registered yet): the site's default before models carried one. A comment with
# no score is held whatever the threshold, so this only matters for a model
# whose card lacks a news threshold.
FALLBACK_HOLD_THRESHOLD = 0.5
PREVIEW_COMMENTS = 1000


class ThresholdSource(StrEnum):
    MODERATOR = "moderator"
    MODEL = "model"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class HoldThreshold:
    """The threshold in force and where it comes from, with both candidates."""

    value: float
    source: ThresholdSource
    moderator_value: float | None
    model_version: str | None
    model_point: float | None

    @property
    def follows_model(self) -> bool:
        return self.source is not ThresholdSource.MODERATOR


def hold_threshold_resolve(
    *, moderator_value: float | None, model_version: ModelVersion | None
) -> HoldThreshold:
    """The moderator's value if set, else the model's point, else the fallback."""
    point = model_version.threshold if model_version is not None else None
    version = model_version.version if model_version is not None else None
    if moderator_value is not None:
        value, source = moderator_value, ThresholdSource.MODERATOR
    elif point is not None:
        value, source = point, ThresholdSource.MODEL
    else:
        value, source = FALLBACK_HOLD_THRESHOLD, ThresholdSource.FALLBACK
    return HoldThreshold(
        value=value,
        source=source,
        moderator_value=moderator_value,
        model_version=version,
        model_point=point,
    )


def hold_threshold_in_force(
    *,
    settings: ModerationSettings | None = None,
    model_version: ModelVersion | None = None,
) -> HoldThreshold:
    """The hold threshold the site applies now.

    Pass the rows already at hand (the pipeline has the active row the registry
    just resolved); otherwise they are read: the settings row and the active
    ModelVersion row.
    """
    if settings is None:
        settings = ModerationSettings.get_or_create_current()
    if model_version is None:
        model_version = ModelVersion.objects.filter(is_active=True).first()
    return hold_threshold_resolve(
        moderator_value=settings.hold_threshold, model_version=model_version
    )


@dataclass(frozen=True)
class HoldPreview:
    """How many of the last `scored` comments each candidate would have held."""

    model_version: str | None
    scored: int
    held_by_model_point: int | None
    held_by_moderator_value: int | None


def hold_threshold_preview(
    *, threshold: HoldThreshold, limit: int = PREVIEW_COMMENTS
) -> HoldPreview:
    """Counts over the active model's stored scores of the last `limit`
    comments it scored, in one aggregate query (no row reaches Python)."""
    if threshold.model_version is None:
        return HoldPreview(None, 0, None, None)
    recent = (
        CommentScore.objects.filter(model_version=threshold.model_version)
        .order_by("-scored_at", "-pk")
        .values("pk")[:limit]
    )
    counts: dict[str, Count] = {"scored": Count("pk")}
    if threshold.model_point is not None:
        counts["model"] = Count("pk", filter=Q(toxicity__gte=threshold.model_point))
    if threshold.moderator_value is not None:
        counts["moderator"] = Count(
            "pk", filter=Q(toxicity__gte=threshold.moderator_value)
        )
    totals = CommentScore.objects.filter(pk__in=recent).aggregate(**counts)
    return HoldPreview(
        model_version=threshold.model_version,
        scored=totals["scored"],
        held_by_model_point=totals.get("model"),
        held_by_moderator_value=totals.get("moderator"),
    )
