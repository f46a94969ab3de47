"""The moderators' queues, bulk approval and readers' own pages at a million comments.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parley \
    REDIS_URL=redis://127.0.0.1:6379/2 \
        .venv/bin/python bench/queues.py [--comments 1000000] [--requests 30]

It creates a scratch database beside DATABASE_URL's (dropped at the end), loads it
with `manage.py seed_load` (1,000,000 comments on 2,000 stories by 50,000 readers by
default; the load's time is reported; it runs VACUUM (ANALYZE)), then measures in
this process through Django's test client (the full middleware, view and template
stack, no network): the Needs review and Reported queue pages with and without
filters, the admin index with the dashboard, /metrics, a reader's "My comments"
page (the most active reader), bulk approval of 1,000 held comments in one
transaction, and the trivial view as the baseline. `--reuse NAME` measures an
already loaded database instead (kept). The last line is one JSON object, with
the peak RSS of this process and of the load.
"""

import sys
from pathlib import Path

# bench/http.py shares its name with the standard library's `http` package: keep
# this folder off the import path so `import http.client` finds the real one.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse
import json
import os
import statistics
import subprocess
import time
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.services import (
    admin_sql,
    each_peak_rss_mb,
    pct,
    required_services,
    scratch_url,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--stories", type=int, default=2_000)
    parser.add_argument("--readers", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--reuse", default="", help="an already loaded database")
    args = parser.parse_args()
    base_db, redis_url = required_services()
    if args.reuse:
        parts = urlsplit(base_db)
        db_url, db_name = urlunsplit(parts._replace(path=f"/{args.reuse}")), ""
    else:
        db_url, db_name = scratch_url(base_db)
        admin_sql(base_db, f'CREATE DATABASE "{db_name}"')
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "bench.benchsite",
        "DJANGO_DEBUG": "false",
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    load_at_start = os.getloadavg()[0]
    load: dict[str, float] = {}
    try:
        if not args.reuse:
            load = _load(args, env)
        result = _measure(args)
    finally:
        from django.db import connections

        connections.close_all()
        if db_name:
            admin_sql(base_db, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    result.update(load)
    # Figures from a busy machine are not a quiet machine's: say which this was.
    result["load_average_1min_at_start"] = load_at_start
    result["load_average_1min_at_end"] = os.getloadavg()[0]
    result["peak_rss_mb"] = {
        "bench": max(each_peak_rss_mb(os.getpid())),
        "seed_load": load.get("seed_rss_mb", 0.0),
    }
    print(json.dumps(result))


def _load(args: argparse.Namespace, env: dict[str, str]) -> dict[str, float]:
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, check=True, env=env)
    started = time.monotonic()
    proc = subprocess.Popen(
        [*manage, "seed_load", "--comments", str(args.comments), "--stories",
         str(args.stories), "--readers", str(args.readers),
         "--story-sizes", "50,500,2000,5000"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit("seed_load failed")
    return {
        "seed_s": round(time.monotonic() - started, 1),
        "seed_rss_mb": round(usage.ru_maxrss / 1024, 1),
    }


def _measure(args: argparse.Namespace) -> dict[str, object]:
    import django

    django.setup()
    from config.heap import settle_heap

    # As every web process does on start (config/wsgi.py).
    settle_heap()
    from django.contrib.auth.models import Group
    from django.core.cache import cache
    from django.db import transaction
    from django.db.models import Count
    from django.test import Client

    from accounts.models import User
    from articles.models import Comment, CommentStatus
    from moderation.services import actions, stats

    cache.clear()
    moderator, _ = User.objects.get_or_create(
        username="bench-moderator",
        defaults={"display_name": "Bench moderator", "is_staff": True},
    )
    moderator.groups.add(Group.objects.get(name="Moderators"))
    staff = Client(HTTP_HOST="127.0.0.1")
    staff.force_login(moderator)
    busiest = (
        Comment.objects.values("author_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    reader = User.objects.get(pk=busiest["author_id"]) if busiest else moderator
    reader_client = Client(HTTP_HOST="127.0.0.1")
    reader_client.force_login(reader)
    anon = Client(HTTP_HOST="127.0.0.1")

    def timed(client: Client, path: str) -> list[float]:
        response = client.get(path)  # warm: first use of the code path
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        times = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, path
        return times

    queue = "/admin/moderation/{}/"
    filters = ["", "?reason=TOXIC", "?section=News", "?score=high", "?reason=LINKS"]
    needs = {f or "none": timed(staff, queue.format("needsreviewcomment") + f)
             for f in filters}  # fmt: skip
    reported = {f or "none": timed(staff, queue.format("reportedcomment") + f)
                for f in filters}  # fmt: skip
    rollup = stats.stats_rollup()
    index = timed(staff, "/admin/")
    metrics = timed(anon, "/metrics")
    mine = timed(reader_client, "/me/comments/")
    trivial = timed(anon, "/bench/trivial/")

    held = list(
        Comment.objects.filter(status=CommentStatus.HELD)
        .order_by("status_changed_at")
        .values_list("pk", flat=True)[:1000]
    )
    # The transaction (locks, Decision rows, status changes, reports) is timed to
    # its commit; what runs after commit (notifications, cache versions) apart.
    started = time.perf_counter()
    with transaction.atomic():
        outcome = actions.comments_approve(
            seen=dict.fromkeys(held, None), moderator=moderator
        )
        conn = transaction.get_connection()
        after_commit, conn.run_on_commit = conn.run_on_commit, []
    bulk_s = time.perf_counter() - started
    started = time.perf_counter()
    for _, callback, _robust in after_commit:
        callback()
    after_commit_s = time.perf_counter() - started

    all_needs = [t for ts in needs.values() for t in ts]
    all_reported = [t for ts in reported.values() for t in ts]
    base = statistics.median(trivial)
    counts = {
        "comments": Comment.objects.count(),
        "held": Comment.objects.filter(status=CommentStatus.HELD).count(),
        "reported_comments": rollup.dashboard.reported_backlog,
    }
    return {
        "needs_review_p95_ms": pct(all_needs, 0.95),
        "needs_review_p95_ms_by_filter": {k: pct(v, 0.95) for k, v in needs.items()},
        "reported_p95_ms": pct(all_reported, 0.95),
        "reported_p95_ms_by_filter": {k: pct(v, 0.95) for k, v in reported.items()},
        "bulk_approve_1000_s": round(bulk_s, 3),
        "bulk_approved": len(outcome.decisions),
        "bulk_approve_1000_after_commit_s": round(after_commit_s, 3),
        "my_comments_p95_ms": pct(mine, 0.95),
        "my_comments_reader_comments": busiest["n"] if busiest else 0,
        "admin_index_dashboard_p95_ms": pct(index, 0.95),
        "metrics_p95_ms": pct(metrics, 0.95),
        "stats_rollup_s": rollup.took_s,
        "trivial_median_ms": round(base, 2),
        "ratios_to_trivial_median": {
            "needs_review_p95": round(pct(all_needs, 0.95) / base, 1),
            "reported_p95": round(pct(all_reported, 0.95) / base, 1),
            "my_comments_p95": round(pct(mine, 0.95) / base, 1),
        },
        "requests_per_figure": args.requests,
        "data": counts,
        "cpus": os.cpu_count(),
    }


if __name__ == "__main__":
    main()
