"""Prometheus metrics for the whole site, from any web process.

Web processes and workers are separate processes on separate machines, so counters
kept in memory would each see part of the picture. The figures come from the shared
database, but a scrape never aggregates a whole table: those figures are computed
by a periodic rollup (moderation.services.stats, every minute in beat) and a scrape
reads the latest one. Counters only grow: comments and decisions are never deleted.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import redis
from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from articles.cache import cache_counts
from articles.models import Comment, CommentStatus
from moderation.models import Decision, PipelineResult

LATENCY_BUCKETS_MS = (5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)
QUEUES = ("scoring", "default")


@dataclass
class Figures:
    """The whole-table figures /metrics reports, computed by the periodic rollup."""

    posted: int
    by_status: dict[str, int]
    decisions: list[tuple[str, str, int]]  # source, new status, count
    reasons: list[tuple[str, int]]
    scoring_buckets: list[tuple[str, int]]
    scoring_sum_seconds: float


def figures_compute() -> Figures:
    """Aggregate the tables (seconds at a million comments): for the rollup only."""
    by_status = dict(
        Comment.objects.values_list("status").annotate(n=Count("pk")).order_by()
    )
    decisions = [
        (row["source"], row["to_status"], row["n"])
        for row in Decision.objects.values("source", "to_status")
        .annotate(n=Count("pk"))
        .order_by()
    ]
    agg = PipelineResult.objects.aggregate(
        total=Count("pk"),
        sum_ms=Sum("scoring_ms"),
        **{
            f"le_{bound}": Count("pk", filter=Q(scoring_ms__lte=bound))
            for bound in LATENCY_BUCKETS_MS
        },
    )
    buckets = [(str(b / 1000), agg[f"le_{b}"]) for b in LATENCY_BUCKETS_MS]
    buckets.append(("+Inf", agg["total"]))
    return Figures(
        # Comments are never deleted, so the row count only grows.
        posted=sum(by_status.values()),
        by_status=by_status,
        decisions=decisions,
        reasons=_reason_counts(),
        scoring_buckets=buckets,
        scoring_sum_seconds=(agg["sum_ms"] or 0.0) / 1000,
    )


class ParleyCollector(Collector):
    """Reads the latest rollup (moderation.services.stats), plus the few live
    figures that are cheap: the oldest pending comment (an index lookup), the
    broker's queue lengths and the thread cache's hits and misses."""

    def __init__(self, figures: Figures) -> None:
        self.figures = figures

    def collect(self) -> Iterator[Metric]:
        f = self.figures
        yield CounterMetricFamily(
            "parley_comments_posted", "Comments posted", value=f.posted
        )
        now = GaugeMetricFamily(
            "parley_comments", "Comments by current status", labels=["status"]
        )
        for status, n in sorted(f.by_status.items()):
            now.add_metric([status], n)
        yield now

        decisions = CounterMetricFamily(
            "parley_decisions",
            "Status changes, by source and new status",
            labels=["source", "outcome"],
        )
        for source, outcome, n in f.decisions:
            decisions.add_metric([source, outcome], n)
        yield decisions

        reasons = CounterMetricFamily(
            "parley_pipeline_reasons",
            "Reasons the pipeline recorded on its latest run per comment",
            labels=["reason"],
        )
        for code, n in f.reasons:
            reasons.add_metric([code], n)
        yield reasons

        yield HistogramMetricFamily(
            "parley_scoring_seconds",
            "Time the pipeline took to score a comment",
            buckets=f.scoring_buckets,
            sum_value=f.scoring_sum_seconds,
        )

        oldest = (
            Comment.objects.filter(status=CommentStatus.PENDING)
            .order_by("status_changed_at")
            .values_list("status_changed_at", flat=True)
            .first()
        )
        age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily(
            "parley_oldest_pending_seconds",
            "Age of the oldest pending comment",
            value=age,
        )

        depth = GaugeMetricFamily(
            "parley_queue_depth", "Tasks waiting in the broker", labels=["queue"]
        )
        if settings.REDIS_URL:
            try:
                client = redis.Redis.from_url(
                    settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
                )
                for queue in QUEUES:
                    depth.add_metric([queue], client.llen(queue))
            except redis.RedisError:
                pass
        yield depth

        cache = CounterMetricFamily(
            "parley_thread_cache",
            "Thread page reads served from the cache (hit) or built (miss)",
            labels=["outcome"],
        )
        for outcome, n in cache_counts().items():
            cache.add_metric([outcome], n)
        yield cache


# One row per reason code, counted by the database: a scrape must not read every
# PipelineResult row into Python on a site with millions of comments.
_REASON_COUNT_SQL = {
    "postgresql": (
        "SELECT r.value->>'code', COUNT(*) FROM {table} "
        "CROSS JOIN LATERAL jsonb_array_elements({table}.reasons) AS r "
        "WHERE jsonb_typeof({table}.reasons) = 'array' GROUP BY 1 ORDER BY 1"
    ),
    "sqlite": (
        "SELECT json_extract(r.value, '$.code'), COUNT(*) FROM {table}, "
        "json_each({table}.reasons) AS r "
        "WHERE json_type({table}.reasons) = 'array' GROUP BY 1 ORDER BY 1"
    ),
}


def _reason_counts() -> list[tuple[str, int]]:
    """How many latest pipeline results carry each reason code."""
    sql = _REASON_COUNT_SQL.get(connection.vendor)
    if sql is None:  # another database: count in Python
        counts: dict[str, int] = {}
        for found in PipelineResult.objects.values_list(
            "reasons", flat=True
        ).iterator():
            for reason in found or []:
                counts[reason["code"]] = counts.get(reason["code"], 0) + 1
        return sorted(counts.items())
    table = connection.ops.quote_name(PipelineResult._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=table))
        return [(str(code), int(n)) for code, n in cursor.fetchall() if code]
