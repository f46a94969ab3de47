"""Prometheus metrics computed from the database at scrape time.

Web processes and workers are separate processes on separate machines, so counters
kept in memory would each see part of the picture. Every figure here is read from
the shared database (and the broker's queue lengths), so any web process answers
for the whole site.
"""

from collections.abc import Iterator

import redis
from django.conf import settings
from django.db import connection
from django.db.models import Count, Min, Q, Sum
from django.utils import timezone
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from articles.models import Comment, CommentStatus
from moderation.models import Decision, PipelineResult

LATENCY_BUCKETS_MS = (5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)
QUEUES = ("scoring", "default")


class ParleyCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        posted = CounterMetricFamily(
            "parley_comments_posted",
            "Comments posted, by current status",
            labels=["status"],
        )
        for row in Comment.objects.values("status").annotate(n=Count("pk")).order_by():
            posted.add_metric([row["status"]], row["n"])
        yield posted

        decisions = CounterMetricFamily(
            "parley_decisions",
            "Status changes, by source and new status",
            labels=["source", "outcome"],
        )
        for outcome in (
            Decision.objects.values("source", "to_status")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            decisions.add_metric(
                [outcome["source"], outcome["to_status"]], outcome["n"]
            )
        yield decisions

        reasons = CounterMetricFamily(
            "parley_pipeline_reasons",
            "Reasons the pipeline recorded on its latest run per comment",
            labels=["reason"],
        )
        for code, n in _reason_counts():
            reasons.add_metric([code], n)
        yield reasons

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
        yield HistogramMetricFamily(
            "parley_scoring_seconds",
            "Time the pipeline took to score a comment",
            buckets=buckets,
            sum_value=(agg["sum_ms"] or 0.0) / 1000,
        )

        oldest = Comment.objects.filter(status=CommentStatus.PENDING).aggregate(
            oldest=Min("status_changed_at")
        )["oldest"]
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
