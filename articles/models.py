from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone

from core.urls import route_url


class ModerationPolicy(models.TextChoices):
    OPEN = "open", "Open: comments are scored and published by the site's rules"
    PREMODERATED = "premoderated", "Pre-moderated: every comment waits for a moderator"
    CLOSED = "closed", "Closed: no new comments"


class Article(models.Model):
    # The publication the story belongs to, and the story's id in its CMS.
    site = models.ForeignKey(
        "sites.Site", on_delete=models.PROTECT, related_name="articles"
    )
    external_id = models.CharField(
        max_length=200, help_text="The story's id in the site's CMS."
    )
    url = models.URLField(
        max_length=1000, blank=True, help_text="The story's canonical URL."
    )
    slug = models.SlugField(max_length=200, unique=True)
    title = models.CharField(max_length=300)
    standfirst = models.TextField(blank=True)
    body = models.TextField(blank=True)
    byline = models.CharField(max_length=200, blank=True)
    section = models.CharField(max_length=100, db_index=True)
    published_at = models.DateTimeField(default=timezone.now, db_index=True)
    comments_open = models.BooleanField(default=True)
    close_comments_after_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Close comments automatically this many days after publication.",
    )
    moderation_policy = models.CharField(
        max_length=20, choices=ModerationPolicy.choices, default=ModerationPolicy.OPEN
    )
    # Kept by lifecycle.transitions, so lists need no count per story.
    published_comment_count = models.PositiveIntegerField(default=0, editable=False)
    # The top-level comments a reader sees (published, or withdrawn or removed
    # with published replies, shown as a tombstone), kept by lifecycle.transitions:
    # a thread page's page count needs no count of the story's comments.
    shown_top_level_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ("-published_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["site", "external_id"], name="unique_story_per_site"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def comments_close_at(self) -> datetime | None:
        if self.close_comments_after_days is None:
            return None
        return self.published_at + timedelta(days=self.close_comments_after_days)

    def comments_closed_reason(self, now: datetime | None = None) -> str | None:
        """Why a reader cannot comment now, in words for the reader; None if open."""
        now = now or timezone.now()
        if not self.comments_open or self.moderation_policy == ModerationPolicy.CLOSED:
            return "Comments on this story are closed."
        close_at = self.comments_close_at()
        if close_at is not None and now >= close_at:
            return (
                "Comments on this story closed automatically "
                f"{self.close_comments_after_days} day"
                f"{pluralize(self.close_comments_after_days)} after publication."
            )
        if self.published_at > now:
            return "This story has not been published yet."
        return None


class CommentStatus(models.TextChoices):
    PENDING = "pending", "Pending (not yet scored)"
    PUBLISHED = "published", "Published"
    HELD = "held", "Held for review"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn by its author"


# A withdrawn or removed comment that holds published replies is shown as a
# tombstone, so its replies keep their place.
TOMBSTONE_STATUSES = (CommentStatus.WITHDRAWN, CommentStatus.REJECTED)


def shown_top_level(status: str, published_replies: int) -> bool:
    """Whether every reader sees this top-level comment in the thread: published,
    or a tombstone holding published replies (`Article.shown_top_level_count`)."""
    return status == CommentStatus.PUBLISHED or (
        status in TOMBSTONE_STATUSES and published_replies > 0
    )


def shown_top_level_q() -> models.Q:
    """`shown_top_level` as a filter on comments (top-level ones only)."""
    return models.Q(parent__isnull=True) & (
        models.Q(status=CommentStatus.PUBLISHED)
        | models.Q(status__in=TOMBSTONE_STATUSES, published_reply_count__gt=0)
    )


class Comment(models.Model):
    """A reader's comment or reply. Never deleted: removal is a status change."""

    # No single-column indexes on article, author, status or created_at: the
    # composite indexes in Meta lead with them and serve every query that would.
    article = models.ForeignKey(
        Article, on_delete=models.PROTECT, related_name="comments", db_index=False
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replies"
    )
    # The top-level comment of the thread, so a whole thread loads in one query.
    root = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="thread_comments",
    )
    depth = models.PositiveIntegerField(default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="comments",
        db_index=False,
    )
    body = models.TextField()
    # The body as safe HTML, rendered once when the text is written
    # (articles.text.render_body), so a thread read renders no text.
    body_html = models.TextField(default="", editable=False)
    status = models.CharField(
        max_length=20, choices=CommentStatus.choices, default=CommentStatus.PENDING
    )
    # Bumped on every edit; a scoring task carries the version it was queued for.
    text_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    # Published replies below this comment at any depth (for a top-level comment,
    # its whole thread), kept by lifecycle.transitions.
    published_reply_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ("created_at", "id")
        indexes = [
            # A story's comments, and a comment's replies in order.
            models.Index(
                fields=["article", "parent", "created_at", "id"],
                name="comment_thread_order_idx",
            ),
            # A story's top-level comments in the thread's order. Partial: PostgreSQL
            # does not treat `parent IS NULL` as an equality, so the index above
            # cannot give top-level comments in (created_at, id) order. The
            # included columns let the page count be read from the index alone.
            models.Index(
                fields=["article", "created_at", "id"],
                include=["status", "published_reply_count"],
                name="comment_top_in_order_idx",
                condition=models.Q(parent__isnull=True),
            ),
            # The thread's "most replies" order, top-level comments only.
            models.Index(
                F("article"),
                F("published_reply_count").desc(),
                F("created_at"),
                F("id"),
                name="comment_top_by_replies_idx",
                condition=models.Q(parent__isnull=True),
            ),
            # The pending queue and the sweeper, oldest first.
            models.Index(fields=["status", "created_at"]),
            # The other queues order by when the status last changed.
            models.Index(
                fields=["status", "status_changed_at", "id"],
                name="comment_status_changed_idx",
            ),
            # A reader's own comments, newest first.
            models.Index(fields=["author", "created_at"]),
            # An author's rejections, counted for each comment a queue ranks.
            models.Index(
                fields=["author"],
                name="comment_rejected_author_idx",
                condition=models.Q(status="rejected"),
            ),
            # The sweeper and /healthz look for the oldest pending comments; few
            # comments are pending at any time, so a partial index stays tiny.
            models.Index(
                fields=["status_changed_at"],
                condition=models.Q(status="pending"),
                name="comment_pending_since",
            ),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} by {self.author_id} on {self.article_id}"

    def get_absolute_url(self) -> str:
        return route_url("articles:comment", self.pk)

    @property
    def is_awaiting_review(self) -> bool:
        return self.status in (CommentStatus.PENDING, CommentStatus.HELD)


class CommentRevision(models.Model):
    """Every version of a comment's text, kept for moderators."""

    comment = models.ForeignKey(
        Comment, on_delete=models.PROTECT, related_name="revisions"
    )
    version = models.PositiveIntegerField()
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("comment", "version")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "version"], name="unique_comment_revision"
            )
        ]

    def __str__(self) -> str:
        return f"Comment {self.comment_id} v{self.version}"


class IdempotencyKey(models.Model):
    """Maps a client's Idempotency-Key to the comment its first request created."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE)
    # A digest of what the first request asked for, so a reused key with a
    # different story, parent or text is refused instead of answered wrongly.
    request_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], name="unique_idempotency_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
