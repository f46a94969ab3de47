"""The after-commit hook: how other apps learn that a comment's status changed.

Subscribe once per process, in your app's `AppConfig.ready()`:

    from lifecycle.events import StatusChanged, on_status_changed

    class ReadersConfig(AppConfig):
        def ready(self) -> None:
            on_status_changed(notifications.status_changed_receiver)

`lifecycle.transitions` announces every real change (never a no-op) once the
transaction that made it commits; a rolled-back change announces nothing. Receivers
run in the process that made the change, in the order they subscribed, one event at
a time in the order the changes were made. A receiver that raises is logged and
skipped: it never undoes the change nor stops the other receivers. Receivers must be
quick (schedule a task for slow work) and must not change statuses themselves.

This module imports no models, so any app may import it.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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


Receiver = Callable[[StatusChanged], None]

_receivers: list[Receiver] = []


def on_status_changed(receiver: Receiver) -> Receiver:
    """Call `receiver(event)` after every committed status change.

    Subscribing the same function twice has no effect. Returns the receiver, so this
    also works as a decorator.
    """
    if receiver not in _receivers:
        _receivers.append(receiver)
    return receiver


def status_changed_receivers() -> tuple[Receiver, ...]:
    return tuple(_receivers)


def _deliver(events: Sequence[StatusChanged]) -> None:
    for event in events:
        for receiver in tuple(_receivers):
            try:
                receiver(event)
            except Exception:
                logger.exception(
                    "Status-change receiver %s failed for comment %s.",
                    getattr(receiver, "__qualname__", receiver),
                    event.comment_id,
                )


def announce_on_commit(events: Sequence[StatusChanged]) -> None:
    """Deliver `events` to every receiver once the current transaction commits."""
    if events and _receivers:
        batch = tuple(events)
        transaction.on_commit(lambda: _deliver(batch))
