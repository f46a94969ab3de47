"""The periodic rollup behind /metrics and the moderators' dashboard.

Both need figures that aggregate whole tables (comments by status, decisions by
source, reasons, the scoring histogram, the reported backlog, 30 days of decisions):
seconds of database time at a million comments. A beat task computes them once a
minute and keeps the result in the shared cache; a scrape or a dashboard view reads
it. When no fresh rollup exists (beat not running, cache flushed), the first reader
computes one under a lock while others keep the previous one.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from moderation import selectors
from moderation.metrics import Figures, figures_compute

_KEY = "stats-rollup"
_LOCK = "stats-rollup:lock"


@dataclass
class Rollup:
    computed_at: float  # time.time()
    took_s: float
    figures: Figures
    dashboard: selectors.Dashboard


def stats_rollup() -> Rollup:
    """Compute every whole-table figure now and keep it for readers."""
    started = time.monotonic()
    figures = figures_compute()
    board = selectors.dashboard()
    rollup = Rollup(
        computed_at=time.time(),
        took_s=round(time.monotonic() - started, 3),
        figures=figures,
        dashboard=board,
    )
    cache.set(_KEY, rollup, timeout=None)
    return rollup


def stats_latest() -> Rollup:
    """The latest rollup, refreshed here if older than PARLEY_STATS_MAX_AGE_SECONDS."""
    found: Rollup | None = cache.get(_KEY)
    max_age = settings.PARLEY_STATS_MAX_AGE_SECONDS
    if found is not None and time.time() - found.computed_at <= max_age:
        return found
    if found is not None and not cache.add(_LOCK, 1, timeout=60):
        return found  # another process is refreshing it
    try:
        return stats_rollup()
    finally:
        cache.delete(_LOCK)
