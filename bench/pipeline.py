"""Post-to-decision latency and backlog drain of the real scoring pipeline.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
    REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/pipeline.py [--rate 50] [--seconds 10] [--backlog 3000]

It creates a scratch database beside DATABASE_URL's (dropped at the end), starts
gunicorn and Celery workers itself, posts comments through the HTTP API at a fixed
rate and measures the time from each POST to its pipeline decision, then queues a
backlog with no worker running and measures how fast 1 and then 2 worker processes
drain it. The last line is one JSON object.
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
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.services import (
    Procs,
    log_dir,
    pct,
    required_services,
    scratch_database,
    service_env,
    wait_http,
    worker_args,
)

PORT = 8765
CIVIL = "Thanks for the reporting on the bridge vote, it was useful ({n})."
TOXIC = "You are a stupid idiot and a moron, shut up ({n})."


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--backlog", type=int, default=3000)
    args = parser.parse_args()

    base_db, redis_url = required_services()
    with scratch_database(base_db) as db_url:
        env = service_env(
            db_url, redis_url, "config.settings.local", DJANGO_DEBUG="false",
            PARLEY_COMMENT_WRITE_RATE="100000/m", DB_CONN_MAX_AGE="60",
        )  # fmt: skip
        os.environ.update(env)
        procs = Procs(env, log_dir("parley-bench"))
        try:
            result = _run(args, procs, redis_url)
        finally:
            procs.stop_all()
    result["peak_rss_mb"] = procs.peak_rss_mb()
    print(json.dumps(result))


def _run(args: argparse.Namespace, procs: Procs, redis_url: str) -> dict[str, object]:
    import django

    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True,
        env=procs.env,
    )  # fmt: skip
    django.setup()
    import redis
    from django.db.models import Max, Min
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from articles.models import Article, Comment, CommentStatus
    from articles.services import comment_create
    from moderation.models import Decision, ModerationSettings
    from sites.models import Site

    redis.Redis.from_url(redis_url).delete("scoring", "default", "unacked")
    base_env = dict(procs.env)
    settings = ModerationSettings.get_or_create_current()
    settings.new_commenter_count = 0
    settings.repeat_window_minutes = 0
    settings.save()
    site, _ = Site.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    article = Article.objects.create(
        site=site,
        external_id="bench",
        slug="bench",
        title="Bench",
        body="Bench",
        section="Bench",
    )
    users = [
        User.objects.create_user(f"bench{n}", password=None, display_name=f"Bench {n}")
        for n in range(50)
    ]
    tokens = [Token.objects.create(user=u).key for u in users]

    # Phase 1: a fixed posting rate against gunicorn + 1 worker process.
    procs.start(
        "gunicorn",
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind",
         f"127.0.0.1:{PORT}", "--workers", "2", "--threads", "4", "--log-level",
         "warning"],
    )  # fmt: skip
    procs.start("worker_rate", worker_args(1, "rate"))
    wait_http(f"http://127.0.0.1:{PORT}/api/v1/articles/")
    time.sleep(3)  # let the worker warm its model
    sent: dict[int, float] = {}
    post_ms: list[float] = []
    lock = threading.Lock()
    total = int(args.rate * args.seconds)

    def post(n: int) -> None:
        body = json.dumps({"body": (TOXIC if n % 5 == 0 else CIVIL).format(n=n)})
        req = urllib.request.Request(
            f"http://127.0.0.1:{PORT}/api/v1/articles/bench/comments/",
            data=body.encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Token {tokens[n % len(tokens)]}",
            },
            method="POST",
        )
        started = time.time()
        with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310
            comment_id = json.loads(response.read())["id"]
        with lock:
            sent[comment_id] = started
            post_ms.append((time.time() - started) * 1000)

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=32) as pool:
        for n in range(total):
            delay = start + n / args.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(post, n)
    _wait_decided(Comment, CommentStatus, set(sent), timeout=120)
    decided = dict(
        Decision.objects.filter(comment_id__in=sent, source="pipeline")
        .values("comment_id")
        .annotate(at=Min("created_at"))
        .values_list("comment_id", "at")
    )
    latencies = [(decided[c].timestamp() - sent[c]) * 1000 for c in sent]
    procs.stop("worker_rate")
    procs.stop("gunicorn")

    # Phase 2: drain a backlog queued while no worker runs, with 1 then 2 processes.
    # The rate counts from the first decision to the last, so worker start-up (about
    # 3 s: Django, then the model) is left out; drain_wall_s includes it.
    drain: dict[int | str, float] = {}
    drain_wall: dict[int | str, float] = {}
    # Baseline, same run: one worker scoring one comment per batch.
    runs: list[tuple[int | str, int, dict[str, str]]] = [
        ("unbatched", 1, {"PARLEY_SCORING_BATCH_SIZE": "1"}),
        (1, 1, {}),
        (2, 2, {}),
    ]
    for label, workers, extra_env in runs:
        backlog = args.backlog if label != "unbatched" else max(args.backlog // 3, 100)
        ids: set[int] = set()
        for n in range(backlog):
            comment, _ = comment_create(
                article=article,
                author=users[n % len(users)],
                body=(TOXIC if n % 5 == 0 else CIVIL).format(n=f"{label}-{n}"),
            )
            ids.add(comment.pk)
        began = time.monotonic()
        procs.env = {**base_env, **extra_env}
        procs.start(f"worker_drain_{label}", worker_args(workers, f"drain{label}"))
        procs.env = base_env
        _wait_decided(Comment, CommentStatus, ids, timeout=600)
        drain_wall[label] = round(time.monotonic() - began, 2)
        span = Decision.objects.filter(comment_id__in=ids, source="pipeline").aggregate(
            first=Min("created_at"), last=Max("created_at")
        )
        seconds = (span["last"] - span["first"]).total_seconds()
        if seconds < 1.0:
            # Too small a backlog to time between decisions (one or two batches).
            seconds = drain_wall[label]
        drain[label] = round(len(ids) / seconds, 1)
        procs.stop(f"worker_drain_{label}")

    return {
        "rate_per_s": args.rate,
        "posted": len(sent),
        "decision_p50_ms": pct(latencies, 0.50),
        "decision_p95_ms": pct(latencies, 0.95),
        "decision_p99_ms": pct(latencies, 0.99),
        "decision_mean_ms": round(statistics.fmean(latencies), 1),
        "backlog": args.backlog,
        "drain_per_s_1_worker": drain[1],
        "drain_per_s_2_workers": drain[2],
        "baseline_drain_per_s_1_worker_unbatched": drain["unbatched"],
        "drain_ratio_1_worker_vs_unbatched": round(drain[1] / drain["unbatched"], 2),
        "drain_wall_s_1_worker": drain_wall[1],
        "drain_wall_s_2_workers": drain_wall[2],
        "post_p50_ms": pct(post_ms, 0.50),
        "post_p99_ms": pct(post_ms, 0.99),
        "decision_p50_vs_post_p50": round(pct(latencies, 0.5) / pct(post_ms, 0.5), 2),
    }


def _wait_decided(
    comment_model: type, status: type, ids: set[int], *, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = comment_model.objects.filter(pk__in=ids, status=status.PENDING).count()  # type: ignore[attr-defined]
        if left == 0:
            return
        time.sleep(0.05)
    raise SystemExit(f"{left} comments still pending after {timeout}s")


if __name__ == "__main__":
    main()
