"""The base class of every Parley task: a soft time limit only stops a running task.

Celery's prefork pool enforces a task's soft time limit from the worker's main
process: a timer started when the pool process acknowledged the job sends SIGUSR1
to that process when it runs out, unless the job's result was read first. On a
busy machine the result of a task that finished just before its limit can still
be unread in the pipe when the timer fires (the event loop runs due timers before
it reads), so the signal lands on a pool process that has already finished: idle,
where billiard's handler raises SoftTimeLimitExceeded out of its job loop and the
process dies (the pool forks another, which loads the model again), or inside
Celery's own bookkeeping after the body returned, or in the next task.

Each task here records its own start and completion, and the pool process's
SIGUSR1 handler raises SoftTimeLimitExceeded only into a task body that has been
running for about its soft limit; any other arrival is logged and ignored.
"""

import logging
import signal
import threading
import time
from types import FrameType
from typing import Any

from billiard.exceptions import SoftTimeLimitExceeded
from billiard.pool import SIG_SOFT_TIMEOUT
from celery import Task

logger = logging.getLogger(__name__)

# The pool's timer starts when the parent reads the job's acknowledgement, after
# the child sent it and before its body starts, so a genuine signal never arrives
# earlier than the limit measured from the body's start, less this slack.
EARLY_SLACK_SECONDS = 0.5


class _Running:
    """The task body running in this process, if any (one at a time in a pool)."""

    name: str | None = None
    started: float = 0.0
    soft_limit: float | None = None
    last_finished: str | None = None


def is_genuine(*, running: bool, elapsed: float, soft_limit: float | None) -> bool:
    """Whether a soft-limit signal can be meant for the task body running now."""
    if not running:
        return False
    if not soft_limit:
        return True  # a limit given some other way: trust the pool
    return elapsed >= soft_limit - EARLY_SLACK_SECONDS


def _on_soft_time_limit(signum: int, frame: FrameType | None) -> None:
    running = _Running.name is not None
    elapsed = time.monotonic() - _Running.started
    if is_genuine(running=running, elapsed=elapsed, soft_limit=_Running.soft_limit):
        raise SoftTimeLimitExceeded()
    if running:
        logger.warning(
            "A soft time limit signal reached %s after %.1fs of its %ss limit; it "
            "was meant for the task before it, which had finished. Ignored.",
            _Running.name,
            elapsed,
            _Running.soft_limit,
        )
    else:
        logger.warning(
            "A soft time limit signal arrived after %s had finished (the pool's "
            "timer beat its result); ignored.",
            _Running.last_finished or "the last task",
        )


def _install_handler() -> None:
    if (
        SIG_SOFT_TIMEOUT is None
        or signal.getsignal(SIG_SOFT_TIMEOUT) is _on_soft_time_limit
    ):
        return
    if threading.current_thread() is not threading.main_thread():
        return  # not a pool process (threads pool): no signals for time limits
    # billiard installs its own handler after the process initialiser has run, so
    # this is done on the first task a pool process runs.
    signal.signal(SIG_SOFT_TIMEOUT, _on_soft_time_limit)


class ParleyTask(Task):
    """Records when its body runs so late soft-limit signals are told apart."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.request.is_eager or self.request.called_directly:
            return super().__call__(*args, **kwargs)
        _install_handler()
        _Running.soft_limit = _soft_limit(self)
        _Running.started = time.monotonic()
        _Running.name = f"{self.name}[{self.request.id}]"
        try:
            return super().__call__(*args, **kwargs)
        finally:
            _Running.last_finished, _Running.name = _Running.name, None


def _soft_limit(task: Task) -> float | None:
    limits = task.request.timelimit or (None, None)
    soft = limits[1] if len(limits) > 1 else None
    return float(soft or task.soft_time_limit or 0) or None
