from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from articles.models import Comment, CommentStatus

from .reasons import RejectionReason, ReportReason


class ModerationSettings(models.Model):
    """The site's moderation thresholds: one row, editable in the admin, no deploy."""

    hold_threshold = models.FloatField(
        null=True,
        blank=True,
        default=None,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Toxicity at or above this holds a comment for review. Leave "
        "empty to follow the active model's operating point for news comments "
        "(it moves with the model when a new one is activated).",
    )
    reject_threshold = models.FloatField(
        default=0.97,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Toxicity at or above this rejects a comment, but only when "
        "automatic rejection by score is switched on.",
    )
    auto_reject_by_score = models.BooleanField(
        default=False,
        help_text="Off by default: the model assists moderators, it does not "
        "replace them, so high scores are held rather than rejected.",
    )
    new_commenter_count = models.PositiveIntegerField(
        default=1,
        help_text="Hold an author's comments until this many have been published "
        "(0 switches the rule off).",
    )
    recent_rejections_count = models.PositiveIntegerField(
        default=2,
        help_text="Hold an author with at least this many rejections within the "
        "window below (0 switches the rule off).",
    )
    recent_rejections_days = models.PositiveIntegerField(default=7)
    repeat_window_minutes = models.PositiveIntegerField(
        default=10,
        help_text="The same author posting the same text within this window is held.",
    )
    burst_window_minutes = models.PositiveIntegerField(default=5)
    burst_accounts = models.PositiveIntegerField(
        default=3,
        help_text="Hold the same text on one story from this many new accounts "
        "within the burst window.",
    )
    max_links = models.PositiveIntegerField(
        default=3, help_text="Hold comments with more links than this."
    )
    report_hold_weight = models.FloatField(
        default=3.0,
        help_text="Hold a published comment once its weighted reports reach this.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    # The one row's primary key.
    CURRENT_PK = 1

    class Meta:
        verbose_name = "moderation settings"
        verbose_name_plural = "moderation settings"

    def __str__(self) -> str:
        return "Moderation settings"

    @classmethod
    def get_or_create_current(cls) -> "ModerationSettings":
        """The settings row, created with the defaults on first use."""
        obj, _ = cls.objects.get_or_create(pk=cls.CURRENT_PK)
        return obj


class WordRule(models.Model):
    class Kind(models.TextChoices):
        BANNED = "banned", "Banned: reject"
        SUSPECT = "suspect", "Suspect: hold for review"

    pattern = models.CharField(
        max_length=100,
        help_text="A whole word; * matches any letters (e.g. idiot*). Matched "
        "after the classifier's normalisation, so '1d10t' matches 'idiot'.",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    site = models.ForeignKey(
        "sites.Site",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Blank: the rule applies on every site.",
    )
    is_active = models.BooleanField(default=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("kind", "pattern")
        constraints = [
            models.UniqueConstraint(
                fields=["pattern", "kind"],
                condition=models.Q(site__isnull=True),
                name="unique_word_rule",
            ),
            models.UniqueConstraint(
                fields=["pattern", "kind", "site"], name="unique_word_rule_per_site"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.pattern}"


class ModelVersion(models.Model):
    """A classifier artifact the site can score with; one is active at a time."""

    version = models.CharField(max_length=100, unique=True)
    path = models.CharField(
        max_length=500, help_text="Path of the .skops file (its card sits beside it)."
    )
    metrics = models.JSONField(default=dict, blank=True)
    threshold = models.FloatField(null=True, blank=True)
    is_active = models.BooleanField(default=False)
    is_shadow = models.BooleanField(
        default=False,
        help_text="Scores alongside the active model but decides nothing.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="one_active_model",
            )
        ]

    def __str__(self) -> str:
        state = " (active)" if self.is_active else " (shadow)" if self.is_shadow else ""
        return f"{self.version}{state}"


class CommentScore(models.Model):
    """A model's scores for a comment: one row per (comment, model version)."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="scores"
    )
    model_version = models.CharField(max_length=100)
    text_version = models.PositiveIntegerField()
    toxicity = models.FloatField()
    categories = models.JSONField(default=dict)
    # [{"start": int, "end": int, "weight": float, "text": str}, ...]
    explanation = models.JSONField(default=list)
    is_shadow = models.BooleanField(default=False)
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "model_version"], name="unique_comment_score"
            )
        ]
        indexes = [
            models.Index(fields=["model_version", "toxicity"]),
            # The settings page's "last 1,000 scored comments" of a version.
            models.Index(
                fields=["model_version", "-scored_at"], name="score_version_recent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.comment_id} {self.model_version}: {self.toxicity:.3f}"


class PipelineResult(models.Model):
    """The pipeline's latest verdict on a comment, with every reason it recorded."""

    comment = models.OneToOneField(
        Comment, on_delete=models.CASCADE, related_name="pipeline_result"
    )
    text_version = models.PositiveIntegerField()
    outcome = models.CharField(max_length=20)
    # [{"code": "TOXIC", "phase": "classifier", "detail": "..."}, ...]; GIN-indexed
    # on PostgreSQL (migration 0004), see selectors.with_reason.
    reasons = models.JSONField(default=list)
    toxicity = models.FloatField(null=True, blank=True)
    model_version = models.CharField(max_length=100, blank=True)
    text_fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    scoring_ms = models.FloatField(default=0.0)
    decided_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.outcome}"

    @property
    def reason_codes(self) -> list[str]:
        return [r["code"] for r in self.reasons]


class Decision(models.Model):
    """An immutable record of one change of a comment's status, and who made it."""

    class Source(models.TextChoices):
        PIPELINE = "pipeline", "Moderation pipeline"
        MODERATOR = "moderator", "Moderator"
        AUTHOR = "author", "Author"
        READERS = "readers", "Readers' reports"

    comment = models.ForeignKey(
        Comment, on_delete=models.PROTECT, related_name="decisions"
    )
    text_version = models.PositiveIntegerField()
    from_status = models.CharField(max_length=20, choices=CommentStatus.choices)
    to_status = models.CharField(max_length=20, choices=CommentStatus.choices)
    source = models.CharField(max_length=20, choices=Source.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moderation_decisions",
    )
    reasons = models.JSONField(default=list, blank=True)
    rejection_reason = models.CharField(
        max_length=20, choices=RejectionReason.choices, blank=True
    )
    note = models.TextField(blank=True)
    toxicity = models.FloatField(null=True, blank=True)
    model_version = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["comment", "created_at"])]

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.from_status} → {self.to_status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Decisions are an audit trail: a reversal is a new decision, never an edit.
        if self.pk is not None:
            raise ValueError("Decisions are immutable; record a new decision instead.")
        super().save(*args, **kwargs)


class AuthorStanding(models.Model):
    """Sanctions and moderation flags on one author."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="standing"
    )
    premoderated = models.BooleanField(
        default=False, help_text="Hold every comment by this author for review."
    )
    suspended_until = models.DateTimeField(null=True, blank=True)
    banned = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Standing of {self.user_id}"

    def is_suspended(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.suspended_until is not None and self.suspended_until > now


# --- The moderators' workplace (issue 5): reports, features, queues, permissions ---


class ModerationPermissions(models.Model):
    """Holds the workplace's custom permissions; it has no rows."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("decide_comment", "Can approve, reject and feature comments"),
            ("sanction_author", "Can suspend, ban and pre-moderate authors"),
            ("edit_rules", "Can edit word rules and moderation settings"),
            ("manage_models", "Can activate, shadow and re-score with models"),
        ]

    def __str__(self) -> str:
        return "Moderation permissions"


class Report(models.Model):
    """A reader's report of a comment; one per reader per comment."""

    class Resolution(models.TextChoices):
        PENDING = "pending", "Waiting for a moderator"
        UPHELD = "upheld", "Upheld: the comment was removed"
        OVERRULED = "overruled", "Overruled: the comment stays"

    comment = models.ForeignKey(
        Comment, on_delete=models.PROTECT, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reports"
    )
    reason = models.CharField(max_length=20, choices=ReportReason.choices)
    note = models.CharField(max_length=500, blank=True)
    # The reporter's weight when reporting, kept for the audit trail.
    weight = models.FloatField(default=1.0)
    resolution = models.CharField(
        max_length=20, choices=Resolution.choices, default=Resolution.PENDING
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resolved_reports",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter"], name="one_report_per_reader"
            )
        ]
        indexes = [
            # The Reported queue and its counts read only open reports.
            models.Index(
                fields=["comment"],
                name="report_open_by_comment_idx",
                condition=models.Q(resolution="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"Report of {self.comment_id} by {self.reporter_id}: {self.reason}"


class ReporterRecord(models.Model):
    """How often a reader's reports were upheld; it sets their reports' weight."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reporter_record",
    )
    upheld = models.PositiveIntegerField(default=0)
    overruled = models.PositiveIntegerField(default=0)
    # 2 * (upheld + 1) / (upheld + overruled + 2): 1.0 for a new reporter,
    # towards 2.0 when usually upheld, towards 0 when usually overruled.
    weight = models.FloatField(default=1.0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Reporter {self.user_id}: weight {self.weight:.2f}"


class QueuePriority(models.Model):
    """A comment's place in a ranked queue (Needs review, Reported): which queue,
    its priority and each part of it (moderation.selectors explains the parts), and
    what the queue's filters read. Kept current where any of it changes
    (moderation.services.priority), so a queue page is a range of one index
    (`queue_priority_order`) joined to the page's comments only, never a ranking of
    the whole backlog. A comment in no ranked queue has no row."""

    comment = models.OneToOneField(
        Comment,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="queue_priority",
    )
    # selectors.Queue.NEEDS_REVIEW or REPORTED.
    queue = models.CharField(max_length=20, default="")
    # Copied from the comment (it never changes), so the story, section and site
    # filters narrow the queue without reading the comments' rows.
    article = models.ForeignKey(
        "articles.Article",
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    # When the comment started to wait in its queue.
    waiting_since = models.DateTimeField(null=True)
    # The latest pipeline result's toxicity and reason codes (a bit per
    # PipelineReason, selectors.reason_bit), for the score band and reason filters.
    toxicity = models.FloatField(null=True)
    reason_bits = models.IntegerField(default=0)
    # priority = base + waiting_points; base = toxicity + reports + history points.
    toxicity_points = models.FloatField(default=0.0)
    report_points = models.FloatField(default=0.0)
    history_points = models.PositiveSmallIntegerField(default=0)
    base = models.FloatField(default=0.0)
    # Stepped up on a schedule as the comment waits (services.priority).
    waiting_points = models.PositiveSmallIntegerField(default=0)
    priority = models.FloatField(default=0.0)
    # Shown beside the parts: the open reports' weight, the author's rejections.
    report_weight = models.FloatField(default=0.0)
    author_rejected = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # A queue page: highest priority first, then the longest waiting.
            models.Index(
                fields=["queue", "-priority", "waiting_since", "comment"],
                name="queue_priority_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.queue} {self.comment_id}: {self.priority:.1f}"


class FeaturedComment(models.Model):
    """A comment moderators picked to show first; unfeaturing removes the row."""

    comment = models.OneToOneField(
        Comment, on_delete=models.CASCADE, related_name="featured"
    )
    featured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    featured_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Featured {self.comment_id}"


class NeedsReviewComment(Comment):
    class Meta:
        proxy = True
        verbose_name = "comment needing review"
        verbose_name_plural = "1. Needs review"


class ReportedComment(Comment):
    class Meta:
        proxy = True
        verbose_name = "reported comment"
        verbose_name_plural = "2. Reported"


class PendingComment(Comment):
    class Meta:
        proxy = True
        verbose_name = "pending comment"
        verbose_name_plural = "3. Pending (not yet scored)"


class ApprovedComment(Comment):
    class Meta:
        proxy = True
        verbose_name = "approved comment"
        verbose_name_plural = "4. Approved"


class RejectedComment(Comment):
    class Meta:
        proxy = True
        verbose_name = "rejected comment"
        verbose_name_plural = "5. Rejected"


class AllComment(Comment):
    class Meta:
        proxy = True
        verbose_name = "comment"
        verbose_name_plural = "6. All comments"
