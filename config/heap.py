"""A long-running process's startup heap, kept out of the garbage collector's way.

A web process holds ~150,000 container objects once Django, the admin and the URL
conf are loaded (modules, classes, functions, templates), and none of them is ever
garbage. Python's full collection walks every one of them: measured at 100 to 200 ms
on a 2-core machine with the 1M-comment seed loaded, and the collector runs one
every few dozen admin requests, so it was the slowest request a moderator saw (the
queue pages' p95; docs/benchmarks.md). `gc.freeze()` moves what exists at startup
to a permanent generation the collector skips; what requests allocate is collected
as before. It also keeps forked workers from dirtying shared pages (the reason the
Python docs give for it). A Celery worker process does the same once its model is
loaded (moderation/signals.py).
"""

import gc

from django.urls import get_resolver


def settle_heap(*, urls: bool = True) -> int:
    """Load what the first request would (the URL conf and every admin module it
    imports; `urls=False` in a Celery worker, which serves none), collect once, and
    freeze the rest. Returns the frozen count."""
    if urls:
        get_resolver().url_patterns  # noqa: B018 - imports the URL conf now, not per request
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
