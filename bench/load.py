"""Soak: the production layout under mixed load, with a worker killed once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
    REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/load.py [--seconds 300] [--clients 8]

It creates a scratch database beside DATABASE_URL's (dropped at the end) and starts
what production runs (deploy/): nginx in front of gunicorn (2 workers) with the
production settings, a Celery worker (2 processes) and beat. Client threads then
mix reads (thread pages and the API), posts, edits and reports through nginx for
`--seconds`; half-way through the worker is killed with SIGKILL (no clean
shutdown) and started again, as a supervisor would. At the end it waits for the
backlog to drain and prints errors, 5xx, posted vs decided, the longest a posted
comment waited for its first decision, and web and worker memory at start and end.
The write limits are raised for the run: it measures the system, not the limiter.

Every figure is also given against a baseline: the first 30 s (before the kill),
for request latency. The last line is one JSON object, with the peak RSS of every
process started.
"""

import sys
from pathlib import Path

# bench/http.py shares its name with the standard library's `http` package: keep
# this folder off the import path so `import http.client` finds the real one.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.services import admin_sql, pct, required_services, scratch_url
from deploy import stack

APP_PORT, PROXY_PORT = 9431, 9432
BASELINE_SECONDS = 30.0
READERS = 200
CIVIL = "Thanks for the reporting on the bridge vote, it was useful ({n})."
TOXIC = "You are a stupid idiot and a moron, shut up ({n})."


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        out.append(p)
        todo.extend(int(c) for c in children)
    return out


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mb(pid: int) -> float:
    """Resident memory now of a process and all its descendants."""
    return round(sum(_status_kb(p, "VmRSS:") for p in _tree(pid)) / 1024, 1)


class Peaks:
    """Peak RSS of every process seen under each started process."""

    def __init__(self) -> None:
        self.peaks: dict[str, dict[int, float]] = {}

    def sample(self, name: str, pid: int) -> None:
        seen = self.peaks.setdefault(name, {})
        for p in _tree(pid):
            seen[p] = max(seen.get(p, 0.0), _status_kb(p, "VmHWM:") / 1024)

    def report(self) -> dict[str, list[float]]:
        return {
            name: sorted((round(v, 1) for v in seen.values()), reverse=True)
            for name, seen in self.peaks.items()
        }


def _worker(env: dict[str, str], log: Path) -> stack.Process:
    return stack.Process(
        "worker",
        [
            sys.executable, "-m", "celery", "-A", "config", "worker", "-Q",
            "scoring,default", "--concurrency", "2", "--without-mingle",
            "--without-gossip", "-l", "WARNING", "-n", "soak@%h",
        ],
        env,
        log,
    )  # fmt: skip


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: list[tuple[float, float]] = []  # (time since start, ms)
        self.by_kind: dict[str, int] = {}
        self.errors: list[str] = []
        self.server_errors = 0
        self.posted: list[int] = []

    def record(self, started: float, kind: str, status: int, ms: float) -> None:
        with self.lock:
            self.latency.append((started, ms))
            self.by_kind[kind] = self.by_kind.get(kind, 0) + 1
            if status >= 500:
                self.server_errors += 1
            if status >= 400 or status == 0:
                self.errors.append(f"{kind} {status}")


def _call(
    url: str, *, method: str = "GET", token: str = "", body: object = None
) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if data else {}
    if token:
        headers["Authorization"] = f"Token {token}"
    # Only the local proxy's http:// address is ever opened.
    request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError as error:
        return 0, str(error).encode()


def _client(
    base: str,
    tokens: list[str],
    slugs: list[str],
    stats: Stats,
    t0: float,
    stop: threading.Event,
    seed: int,
) -> None:
    rng = random.Random(seed)
    mine: dict[str, list[int]] = {}
    n = 0
    while not stop.is_set():
        n += 1
        token = rng.choice(tokens)
        slug = rng.choice(slugs)
        roll = rng.random()
        started = time.monotonic()
        if roll < 0.45:
            kind, (status, _) = "read_page", _call(f"{base}/stories/{slug}/")
        elif roll < 0.60:
            kind = "read_api"
            status, _ = _call(f"{base}/api/v1/articles/{slug}/comments/")
        elif roll < 0.85:
            kind = "post"
            text = (TOXIC if n % 5 == 0 else CIVIL).format(n=f"{seed}-{n}")
            status, raw = _call(
                f"{base}/api/v1/articles/{slug}/comments/",
                method="POST",
                token=token,
                body={"body": text},
            )
            if status == 201:
                pk = int(json.loads(raw)["id"])
                mine.setdefault(token, []).append(pk)
                with stats.lock:
                    stats.posted.append(pk)
        elif roll < 0.93 and mine.get(token):
            kind = "edit"
            status, _ = _call(
                f"{base}/api/v1/comments/{mine[token][-1]}/",
                method="PATCH",
                token=token,
                body={"body": CIVIL.format(n=f"edited {seed}-{n}")},
            )
        else:
            kind = "report"
            with stats.lock:
                target = rng.choice(stats.posted) if stats.posted else None
            if target is None:
                continue
            status, _ = _call(
                f"{base}/api/v1/comments/{target}/report/",
                method="POST",
                token=token,
                body={"reason": "abusive", "note": "soak"},
            )
            # Reporting a comment that is not published (yet), one's own, or one
            # already reported is refused: answers, not errors.
            if status in (400, 403, 404, 409):
                status = 200
        ms = (time.monotonic() - started) * 1000
        stats.record(started - t0, kind, status, ms)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    base_db, redis_url = required_services()
    if not stack.nginx_available():
        sys.exit("nginx is needed: apt-get install nginx-light")
    db_url, db_name = scratch_url(base_db, "parley_soak")
    admin_sql(base_db, f'CREATE DATABASE "{db_name}"')
    work = Path(tempfile.mkdtemp(prefix="parley-soak-"))
    env = stack.production_env(
        database_url=db_url,
        redis_url=redis_url,
        PARLEY_COMMENT_WRITE_RATE="100000/min",
        PARLEY_READER_WRITE_RATE="100000/m",
        PARLEY_STALE_PENDING_SECONDS="10",
        CELERY_VISIBILITY_TIMEOUT="30",
    )
    os.environ.update({**env, "DJANGO_SETTINGS_MODULE": "config.settings.local"})
    started: dict[str, stack.Process] = {}
    try:
        result = _run(args, env, redis_url, work, started)
    finally:
        for proc in started.values():
            proc.stop()
        from django.db import connections

        connections.close_all()
        admin_sql(base_db, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    print(json.dumps(result))


def _run(
    args: argparse.Namespace,
    env: dict[str, str],
    redis_url: str,
    work: Path,
    started: dict[str, stack.Process],
) -> dict[str, object]:
    import django

    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True,
        env=env,
    )  # fmt: skip
    django.setup()
    import redis
    from django.db import connection
    from django.db.models import Min
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from articles.models import Article, Comment, CommentStatus
    from moderation.models import Decision, ModerationSettings
    from sites.models import Site

    redis.Redis.from_url(redis_url).delete("scoring", "default", "unacked")
    mod = ModerationSettings.get_or_create_current()
    mod.new_commenter_count = 0
    mod.repeat_window_minutes = 0
    mod.save()
    site, _ = Site.objects.get_or_create(slug="soak", defaults={"name": "Soak"})
    slugs = []
    for n in range(5):
        Article.objects.create(
            site=site,
            external_id=f"soak-{n}",
            slug=f"soak-{n}",
            title=f"Soak {n}",
            body="Soak",
            section="News",
        )
        slugs.append(f"soak-{n}")
    users = [
        User.objects.create_user(f"soak{n}", password=None, display_name=f"Soak {n}")
        for n in range(READERS)
    ]
    tokens = [Token.objects.create(user=u).key for u in users]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    peaks = Peaks()
    started["gunicorn"] = stack.start_gunicorn(
        port=APP_PORT, env=env, log=work / "gunicorn.log", workers=2
    )
    started["nginx"] = stack.start_nginx(
        prefix=work / "nginx", port=PROXY_PORT, upstream=f"127.0.0.1:{APP_PORT}"
    )
    started["worker"] = _worker(env, work / "worker.log")
    started["beat"] = stack.Process(
        "beat",
        [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "WARNING",
         "--schedule", str(work / "beat-schedule")],
        env,
        work / "beat.log",
    )  # fmt: skip
    base = f"http://127.0.0.1:{PROXY_PORT}"
    for _ in range(6):  # every gunicorn worker imports its views once
        _call(f"{base}/stories/{slugs[0]}/")
    time.sleep(8)  # the worker loads its model
    web_start = tree_rss_mb(started["gunicorn"].pid)
    worker_start = tree_rss_mb(started["worker"].pid)

    stats = Stats()
    stop = threading.Event()
    t0 = time.monotonic()
    threads = [
        threading.Thread(
            target=_client, args=(base, tokens, slugs, stats, t0, stop, seed)
        )
        for seed in range(args.clients)
    ]
    for thread in threads:
        thread.start()
    killed_at = None
    while (elapsed := time.monotonic() - t0) < args.seconds:
        for name, proc in started.items():
            peaks.sample(name, proc.pid)
        if killed_at is None and elapsed >= args.seconds / 2:
            os.killpg(started["worker"].pid, signal.SIGKILL)
            started["worker"].popen.wait(timeout=10)
            killed_at = round(elapsed, 1)
            peaks.peaks["worker (killed)"] = peaks.peaks.pop("worker", {})
            started["worker"] = _worker(env, work / "worker.log")
        time.sleep(2)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    web_end = tree_rss_mb(started["gunicorn"].pid)
    worker_end = tree_rss_mb(started["worker"].pid)

    posted = set(stats.posted)
    drain_started = time.monotonic()
    while time.monotonic() - drain_started < 180:
        waiting = Comment.objects.filter(
            pk__in=posted, status=CommentStatus.PENDING
        ).count()
        if waiting == 0:
            break
        time.sleep(1)
    drain_s = round(time.monotonic() - drain_started, 1)
    for name, proc in started.items():
        peaks.sample(name, proc.pid)

    first = dict(
        Decision.objects.filter(comment_id__in=posted, source="pipeline")
        .values("comment_id")
        .annotate(at=Min("created_at"))
        .values_list("comment_id", "at")
    )
    created = dict(
        Comment.objects.filter(pk__in=posted).values_list("pk", "created_at")
    )
    waits = [(first[pk] - created[pk]).total_seconds() for pk in first]
    decided = (
        Comment.objects.filter(pk__in=posted)
        .exclude(status=CommentStatus.PENDING)
        .count()
    )
    pipeline = Decision.objects.filter(comment_id__in=posted, source="pipeline")
    decided_twice = (
        pipeline.count()
        - pipeline.values("comment_id", "text_version").distinct().count()
    )
    all_ms = [ms for _, ms in stats.latency]
    base_ms = [ms for at, ms in stats.latency if at < BASELINE_SECONDS]
    p99, base_p99 = pct(all_ms, 0.99), pct(base_ms, 0.99)
    p50, base_p50 = pct(all_ms, 0.5), pct(base_ms, 0.5)
    return {
        "seconds": args.seconds,
        "clients": args.clients,
        "requests": len(all_ms),
        "requests_by_kind": stats.by_kind,
        "worker_killed_at_s": killed_at,
        "errors": len(stats.errors),
        "error_kinds": sorted(set(stats.errors))[:20],
        "server_errors": stats.server_errors,
        "posted": len(posted),
        "decided": decided,
        "pipeline_decisions_beyond_one_per_version": decided_twice,
        "drain_after_load_s": drain_s,
        "max_pending_s": round(max(waits), 1) if waits else None,
        "p99_pending_s": pct(waits, 0.99),
        "median_pending_s": round(statistics.median(waits), 2) if waits else None,
        "request_ms_p50": p50,
        "request_ms_p99": p99,
        "baseline_first_30s_request_ms_p50": base_p50,
        "baseline_first_30s_request_ms_p99": base_p99,
        "request_ms_p50_vs_baseline": round(p50 / base_p50, 2) if base_p50 else None,
        "request_ms_p99_vs_baseline": round(p99 / base_p99, 2) if base_p99 else None,
        "web_rss_mb_start": web_start,
        "web_rss_mb_end": web_end,
        "web_rss_end_vs_start": round(web_end / web_start, 2) if web_start else None,
        "worker_rss_mb_start": worker_start,
        "worker_rss_mb_end": worker_end,
        "worker_rss_end_vs_start": (
            round(worker_end / worker_start, 2) if worker_start else None
        ),
        "peak_rss_mb": {
            **peaks.report(),
            "bench": round(_status_kb(os.getpid(), "VmHWM:") / 1024, 1),
        },
    }


if __name__ == "__main__":
    main()
