"""Writes on stories' comment sections. Every refusal is a ServiceError."""

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from accounts.models import User
from core.errors import InvalidInput, NotAllowed, Unprocessable
from lifecycle.events import comment_submitted_announce
from lifecycle.transitions import comment_transition
from moderation.models import AuthorStanding, Decision

from .models import Article, Comment, CommentRevision, CommentStatus, IdempotencyKey
from .text import clean_body, render_body

_UNREAD = object()


def _require_reader(user: User) -> None:
    if not user.is_authenticated or not user.is_active:
        raise NotAllowed("Please log in to comment.", code="not_authenticated")
    # Read with an API token already (config.authentication); else one query.
    preloaded: Any = getattr(user, "preloaded_standing", _UNREAD)
    standing: AuthorStanding | None = (
        AuthorStanding.objects.filter(user=user).first()
        if preloaded is _UNREAD
        else preloaded
    )
    if standing is None:
        return
    if standing.banned:
        raise NotAllowed(
            "Your account may no longer post comments. If you think this is a "
            "mistake, tell us through the help link below the comments.",
            code="author_banned",
        )
    if standing.is_suspended():
        until = timezone.localtime(standing.suspended_until)
        raise NotAllowed(
            f"Your account is suspended from commenting until {until:%d %B %Y, %H:%M} "
            f"{until:%Z}.",
            code="author_suspended",
        )


def _request_hash(*, article: Article, parent: Comment | None, body: object) -> str:
    payload = json.dumps(
        [article.pk, parent.pk if parent else None, str(body)], ensure_ascii=False
    )
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def _require_same_request(used: IdempotencyKey, request_hash: str) -> None:
    if used.request_hash and used.request_hash != request_hash:
        raise Unprocessable(
            "This Idempotency-Key was already used for a different comment (another "
            "story, parent or text). Send a new key with each new comment, and "
            "repeat a key only to retry the very same request.",
            code="idempotency_key_reused",
        )


def comment_create(
    *,
    article: Article,
    author: User,
    body: object,
    parent: Comment | None = None,
    idempotency_key: str | None = None,
) -> tuple[Comment, bool]:
    """Save a new comment as pending; moderation hears of it after commit.

    Returns the comment and whether it was created now; with an idempotency key
    already used by this author, the first request's comment is returned instead of
    a duplicate.
    """
    _require_reader(author)
    request_hash = _request_hash(article=article, parent=parent, body=body)
    if idempotency_key:
        existing = (
            IdempotencyKey.objects.filter(user=author, key=idempotency_key)
            .select_related("comment")
            .first()
        )
        if existing is not None:
            _require_same_request(existing, request_hash)
            return existing.comment, False
    reason = article.comments_closed_reason()
    if reason:
        raise NotAllowed(reason, code="comments_closed")
    text = clean_body(body, max_length=settings.PARLEY_COMMENT_MAX_LENGTH)
    if parent is not None:
        if parent.article_id != article.pk:
            raise InvalidInput(
                "You can only reply to a comment on the same story.",
                code="parent_other_article",
            )
        if parent.status != CommentStatus.PUBLISHED:
            raise InvalidInput(
                "That comment is not open for replies: it is awaiting review, was "
                "withdrawn or was removed.",
                code="parent_not_published",
            )
    now = timezone.now()
    try:
        with transaction.atomic():
            comment = Comment.objects.create(
                article=article,
                parent=parent,
                root_id=(parent.root_id or parent.pk) if parent else None,
                depth=parent.depth + 1 if parent else 0,
                author=author,
                body=text,
                body_html=render_body(text),
                status=CommentStatus.PENDING,
                created_at=now,
                status_changed_at=now,
            )
            CommentRevision.objects.create(
                comment=comment, version=1, body=text, created_at=now
            )
            if idempotency_key:
                IdempotencyKey.objects.create(
                    user=author,
                    key=idempotency_key,
                    comment=comment,
                    request_hash=request_hash,
                )
            comment_submitted_announce(
                comment_id=comment.pk, article_id=article.pk, text_version=1
            )
    except IntegrityError:
        # A concurrent retry with the same key won the race: answer with its comment.
        if idempotency_key:
            winner = IdempotencyKey.objects.select_related("comment").get(
                user=author, key=idempotency_key
            )
            _require_same_request(winner, request_hash)
            return winner.comment, False
        raise
    return comment, True


def _require_author(comment: Comment, user: User, action: str) -> None:
    if not user.is_authenticated or comment.author_id != user.pk:
        raise NotAllowed(f"You can only {action} your own comments.", code="not_author")


def comment_edit(*, comment: Comment, editor: User, body: object) -> Comment:
    """Replace the text (keeping every earlier version) and send it back to review."""
    _require_author(comment, editor, "edit")
    text = clean_body(body, max_length=settings.PARLEY_COMMENT_MAX_LENGTH)
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if locked.status in (CommentStatus.WITHDRAWN, CommentStatus.REJECTED):
            raise NotAllowed(
                f"This comment was {locked.status} and can no longer be edited.",
                code="not_editable",
            )
        window = settings.PARLEY_EDIT_WINDOW
        now = timezone.now()
        if now - locked.created_at > window:
            minutes = int(window.total_seconds() // 60)
            raise NotAllowed(
                f"Comments can be edited for {minutes} minute{pluralize(minutes)} "
                "after posting; the time to edit this one has passed. You can "
                "withdraw it and post again.",
                code="edit_window_passed",
            )
        if text == locked.body:
            return locked
        locked.text_version += 1
        locked.body = text
        locked.body_html = render_body(text)
        locked.edited_at = now
        locked.save(update_fields=["text_version", "body", "body_html", "edited_at"])
        comment_transition(
            comment=locked,
            to_status=CommentStatus.PENDING,
            source=Decision.Source.AUTHOR,
            actor=editor,
            note="edited by its author",
        )
        CommentRevision.objects.create(
            comment=locked, version=locked.text_version, body=text, created_at=now
        )
        comment_submitted_announce(
            comment_id=locked.pk,
            article_id=locked.article_id,
            text_version=locked.text_version,
        )
    return locked


def comment_withdraw(*, comment: Comment, actor: User) -> Comment:
    """Take a comment down at its author's request; replies stay under a tombstone."""
    _require_author(comment, actor, "withdraw")
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        comment_transition(
            comment=locked,
            to_status=CommentStatus.WITHDRAWN,
            source=Decision.Source.AUTHOR,
            actor=actor,
            note="withdrawn by its author",
        )
    return locked
