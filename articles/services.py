"""Writes on stories' comment sections. Every refusal is a ServiceError."""

import contextlib
import hashlib
import json
from functools import cache
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from accounts.models import User
from core import rows
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
    comment = Comment(
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
    revision = CommentRevision(comment=comment, version=1, body=text, created_at=now)
    key = (
        IdempotencyKey(
            user=author,
            key=idempotency_key,
            comment=comment,
            request_hash=request_hash,
        )
        if idempotency_key
        else None
    )
    # Inside a caller's transaction a savepoint keeps a lost idempotency race from
    # breaking it; on its own the one statement is its own transaction.
    block = (
        transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    )
    try:
        with block:
            comment.pk = _insert_comment(comment, revision, key)
            comment._state.adding = False
            comment._state.db = connection.alias
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


# Each row the comment's INSERT writes, under its name in the statement; the
# comment's id goes into the others' `comment` column.
_ROWS: tuple[tuple[str, type[models.Model]], ...] = (
    ("r", CommentRevision),
    ("k", IdempotencyKey),
)


@cache
def _insert_sql(with_key: bool) -> str:
    """The comment, its first revision and (with a key) its idempotency key, in
    one INSERT statement: atomic by itself, so a write outside a transaction
    needs no BEGIN and COMMIT round trips, and built once (the ORM compiled two
    or three INSERTs on every comment, which cost more than running them)."""

    def names(model: type[models.Model]) -> str:
        return ", ".join(rows.quote(f.column) for f in rows.insert_fields(model))

    pk = rows.quote(Comment._meta.pk.column)
    values = ", ".join(["%s"] * len(rows.insert_fields(Comment)))
    parts = [
        # Identifiers from the models' _meta; values are parameters.
        f"c AS (INSERT INTO {rows.table(Comment)} ({names(Comment)}) "  # noqa: S608
        f"VALUES ({values}) RETURNING {pk})"
    ]
    for name, model in _ROWS[: 2 if with_key else 1]:
        selected = ", ".join(
            f"c.{pk}" if f.name == "comment" else "%s"
            for f in rows.insert_fields(model)
        )
        parts.append(
            f"{name} AS (INSERT INTO {rows.table(model)} ({names(model)}) "  # noqa: S608
            f"SELECT {selected} FROM c)"
        )
    return f"WITH {', '.join(parts)} SELECT {pk} FROM c"  # noqa: S608


def _insert_comment(
    comment: Comment, revision: CommentRevision, key: IdempotencyKey | None
) -> int:
    """Write the three rows (see `_insert_sql`); the new comment's id."""
    if connection.vendor != "postgresql":
        # SQLite (a newcomer's `make run`, the bare `make test`) has no INSERT
        # inside WITH: the ORM's INSERTs, in one transaction.
        with transaction.atomic():
            comment.save(force_insert=True)
            for row in (revision, key):
                if row is not None:
                    row.save(force_insert=True)
        return int(comment.pk)
    params = rows.insert_values(comment)
    for row in (revision, key):
        if row is not None:
            params += rows.insert_values(row, skip="comment")
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(key is not None), params)
        row = cursor.fetchone()
    assert row is not None  # noqa: S101  (RETURNING gives the inserted row)
    return int(row[0])


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
