"""What readers send us (problem reports, appeals) and what we send them back
(notifications, emails), each with enough history to answer "what happened?"."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from articles.models import Article, Comment


class ProblemReport(models.Model):
    """A reader's "I'm having trouble with comments" message, with its context."""

    class Kind(models.TextChoices):
        CANNOT_POST = "cannot_post", "I cannot post a comment"
        DISAPPEARED = "disappeared", "My comment disappeared"
        CANNOT_LOG_IN = "cannot_log_in", "I cannot log in"
        PAGE_BROKEN = "page_broken", "The page is broken"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        NEW = "new", "New"
        INVESTIGATING = "investigating", "Investigating"
        RESOLVED = "resolved", "Resolved"
        WONT_FIX = "wont_fix", "Won't fix"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField()
    email = models.EmailField(
        blank=True, help_text="Given by signed-out readers so we can reply."
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="problem_reports",
    )
    article = models.ForeignKey(
        Article,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="problem_reports",
    )
    user_agent = models.CharField(max_length=500, blank=True)
    error_reference = models.CharField(
        max_length=16,
        blank=True,
        db_index=True,
        help_text="Reference id of the last error page the reader saw; search the "
        "server log for it.",
    )
    # [{"id": 12, "status": "rejected", "created_at": "..."}, ...] at report time.
    recent_comments = models.JSONField(default=list, blank=True)
    # Keyed hash of the client address, for abuse signals only; cleared after 90 days.
    ip_hash = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_problem_reports",
        limit_choices_to={"is_staff": True},
    )
    internal_notes = models.TextField(
        blank=True, help_text="Never shown to the reader."
    )
    reply = models.TextField(
        blank=True, help_text="Sent to the reader by email with the 'reply' action."
    )
    replied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"Problem report {self.pk}: {self.get_kind_display()}"

    @property
    def reply_address(self) -> str:
        if self.reporter is not None and self.reporter.email:
            return self.reporter.email
        return self.email


class Appeal(models.Model):
    """A reader asking for a second look at their rejected comment: one per comment."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        UPHELD = "upheld", "Rejection upheld"
        OVERTURNED = "overturned", "Overturned: comment published"

    comment = models.ForeignKey(
        Comment, on_delete=models.PROTECT, related_name="appeals"
    )
    appellant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appeals"
    )
    note = models.TextField()
    # The moderator who rejected the comment, if one did: they may not decide this.
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decided_appeals",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ("created_at", "id")
        constraints = [
            models.UniqueConstraint(fields=["comment"], name="one_appeal_per_comment")
        ]
        permissions = [("decide_appeal", "Can decide readers' appeals")]

    def __str__(self) -> str:
        return f"Appeal on comment {self.comment_id} ({self.status})"


class NotificationKind(models.TextChoices):
    REPLY = "reply", "A reply to my comment"
    COMMENT_STATUS = "comment_status", "My comment was approved or rejected"
    REPORT_OUTCOME = "report_outcome", "The outcome of my report"
    APPEAL_OUTCOME = "appeal_outcome", "The outcome of my appeal"


class NotificationPreference(models.Model):
    """Which notifications a reader wants on the site and by email."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    reply_site = models.BooleanField(default=True)
    reply_email = models.BooleanField(default=False)
    comment_status_site = models.BooleanField(default=True)
    comment_status_email = models.BooleanField(default=False)
    report_outcome_site = models.BooleanField(default=True)
    report_outcome_email = models.BooleanField(default=True)
    appeal_outcome_site = models.BooleanField(default=True)
    appeal_outcome_email = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"Notification settings of {self.user_id}"

    def wants(self, kind: str, channel: str) -> bool:
        return bool(getattr(self, f"{kind}_{channel}"))


class Notification(models.Model):
    """One thing a reader is told about; `key` makes producing it idempotent."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    key = models.CharField(max_length=100)
    message = models.TextField()
    url = models.CharField(max_length=500, blank=True)
    show_on_site = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], name="unique_notification_key"
            )
        ]
        indexes = [models.Index(fields=["recipient", "show_on_site", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class EmailDelivery(models.Model):
    """One email and every attempt to send it, so staff can answer "I never got it"."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RETRYING = "retrying", "Failed, will retry"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="email_deliveries",
    )
    to_address = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    purpose = models.CharField(max_length=40, blank=True)
    notification = models.ForeignKey(
        Notification,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="emails",
    )
    problem_report = models.ForeignKey(
        ProblemReport,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="emails",
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name_plural = "email deliveries"

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_address} ({self.status})"
