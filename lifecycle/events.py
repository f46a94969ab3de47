"""The after-commit hooks: how other apps learn what happened to a comment.

Two events, each with its own subscription function. Subscribe once per process,
in your app's `AppConfig.ready()`:

    from lifecycle.events import on_status_changed

    class ReadersConfig(AppConfig):
        def ready(self) -> None:
            on_status_changed(notifications.status_changed_receiver)

- `StatusChanged`: `lifecycle.transitions` announces every real change of status
  (never a no-op). Subscribers today: readers (notifications, per batch),
  articles (cache versions, per batch). `on_status_changed_batch` subscribes a
  receiver that takes a whole committed batch at once.
- `CommentSubmitted`: a reader wrote a comment's text (a new comment or an edit),
  announced by articles' services. Subscriber today: moderation (queues scoring).
- `AuthorRenamed`: a reader's display name changed (accounts' services), so every
  page that shows it is stale. Subscriber today: articles (the thread cache).

Events are delivered once the transaction that made them commits; a rolled-back
change announces nothing. Receivers run in the process that made the change, in
the order they subscribed, one event at a time in the order of the changes. A
receiver that raises is logged and skipped: it never undoes the change nor stops
the other receivers. Receivers must be quick (schedule a task for slow work) and
must not change statuses themselves.

This module imports no models, so any app may import it.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StatusChanged:
    """One comment moved from `old_status` to `new_status` (values of CommentStatus).

    `source` is a Decision.Source value (pipeline, moderator, author, readers);
    `actor_id` the user who made the change, None for the pipeline and readers'
    reports; `bulk` is true when the change was one of several made together (a
    scoring batch, a ban that rejects an author's held comments), so a subscriber
    can coalesce work such as cache invalidation.
    """

    comment_id: int
    article_id: int
    parent_id: int | None
    decision_id: int
    old_status: str
    new_status: str
    source: str
    actor_id: int | None
    bulk: bool


@dataclass(frozen=True, slots=True)
class CommentSubmitted:
    """A comment's text `text_version` was written (1: a new comment) and waits."""

    comment_id: int
    article_id: int
    text_version: int


@dataclass(frozen=True, slots=True)
class AuthorRenamed:
    """The user's display name (shown with each of their comments) changed."""

    user_id: int


E = TypeVar("E")


class Hook(Generic[E]):
    """Receivers of one kind of event, called after commit."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._receivers: list[Callable[[E], None]] = []
        self._batch_receivers: list[Callable[[Sequence[E]], None]] = []

    def subscribe(self, receiver: Callable[[E], None]) -> Callable[[E], None]:
        """Subscribing the same function twice has no effect."""
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def subscribe_batch(
        self, receiver: Callable[[Sequence[E]], None]
    ) -> Callable[[Sequence[E]], None]:
        """Call `receiver(events)` once per committed batch (one event or many)."""
        if receiver not in self._batch_receivers:
            self._batch_receivers.append(receiver)
        return receiver

    def unsubscribe(self, receiver: Callable[..., None]) -> None:
        for receivers in (self._receivers, self._batch_receivers):
            if receiver in receivers:
                receivers.remove(receiver)

    def receivers(self) -> tuple[Callable[[E], None], ...]:
        return tuple(self._receivers)

    def batch_receivers(self) -> tuple[Callable[[Sequence[E]], None], ...]:
        return tuple(self._batch_receivers)

    def announce_on_commit(self, events: Sequence[E]) -> None:
        """Deliver `events` to every receiver once the current transaction commits."""
        if events and (self._receivers or self._batch_receivers):
            batch = tuple(events)
            transaction.on_commit(lambda: self._deliver(batch))

    def _deliver(self, events: Sequence[E]) -> None:
        for event in events:
            for receiver in self.receivers():
                self._call(receiver, event, event)
        for batch_receiver in self.batch_receivers():
            self._call(batch_receiver, events, f"{len(events)} events")

    def _call(self, receiver: Callable[[Any], None], arg: Any, what: object) -> None:
        try:
            receiver(arg)
        except Exception:
            logger.exception(
                "%s receiver %s failed for %s.",
                self.name,
                getattr(receiver, "__qualname__", receiver),
                what,
            )


status_changed: Hook[StatusChanged] = Hook("status_changed")
comment_submitted: Hook[CommentSubmitted] = Hook("comment_submitted")
author_renamed: Hook[AuthorRenamed] = Hook("author_renamed")


def on_status_changed(
    receiver: Callable[[StatusChanged], None],
) -> Callable[[StatusChanged], None]:
    """Call `receiver(event)` after every committed status change.

    Returns the receiver, so this also works as a decorator.
    """
    return status_changed.subscribe(receiver)


def on_status_changed_batch(
    receiver: Callable[[Sequence[StatusChanged]], None],
) -> Callable[[Sequence[StatusChanged]], None]:
    """Call `receiver(events)` once per committed batch of status changes: a bulk
    approval of 1,000 comments is one call with 1,000 events, so the receiver can
    read and write for all of them in a few queries. Batch receivers run after the
    per-event ones."""
    return status_changed.subscribe_batch(receiver)


def on_comment_submitted(
    receiver: Callable[[CommentSubmitted], None],
) -> Callable[[CommentSubmitted], None]:
    """Call `receiver(event)` after a comment's new text is committed."""
    return comment_submitted.subscribe(receiver)


def comment_submitted_announce(
    *, comment_id: int, article_id: int, text_version: int
) -> None:
    """For articles' services: the comment's new text waits for moderation."""
    comment_submitted.announce_on_commit(
        [
            CommentSubmitted(
                comment_id=comment_id, article_id=article_id, text_version=text_version
            )
        ]
    )


def on_author_renamed(
    receiver: Callable[[AuthorRenamed], None],
) -> Callable[[AuthorRenamed], None]:
    """Call `receiver(event)` after a changed display name is committed."""
    return author_renamed.subscribe(receiver)


def author_renamed_announce(*, user_id: int) -> None:
    """For accounts' services: the user's display name changed."""
    author_renamed.announce_on_commit([AuthorRenamed(user_id=user_id)])
