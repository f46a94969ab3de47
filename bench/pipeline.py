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
import signal
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PORT = 8765
CIVIL = "Thanks for the reporting on the bridge vote, it was useful ({n})."
TOXIC = "You are a stupid idiot and a moron, shut up ({n})."


def _scratch_url(base: str) -> tuple[str, str]:
    parts = urlsplit(base)
    name = f"parley_bench_{os.getpid()}"
    return urlunsplit(parts._replace(path=f"/{name}")), name


def _admin_sql(base: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(sql)


def _each_peak_rss_mb(pid: int) -> list[float]:
    """Peak resident memory (VmHWM) of a process and each of its descendants."""
    out: list[float] = []
    pids = [pid]
    while pids:
        p = pids.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                out.append(round(int(line.split()[1]) / 1024, 1))
        pids.extend(int(c) for c in children)
    return out


class Procs:
    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.rss: dict[str, list[float]] = {}

    def start(self, name: str, args: list[str]) -> None:
        log = (self.log_dir / f"{name}.log").open("ab")
        self.running[name] = subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def stop(self, name: str) -> None:
        proc = self.running.pop(name)
        self.rss[name] = _each_peak_rss_mb(proc.pid)
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)


def _worker_args(concurrency: int, name: str) -> list[str]:
    return [
        sys.executable, "-m", "celery", "-A", "config", "worker", "-Q",
        "scoring,default", "--concurrency", str(concurrency), "--without-mingle",
        "--without-gossip", "-l", "WARNING", "-n", f"{name}@%h",
    ]  # fmt: skip


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--backlog", type=int, default=3000)
    args = parser.parse_args()

    base_db = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not base_db.startswith("postgres") or not redis_url:
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL; see the docstring.")
    db_url, db_name = _scratch_url(base_db)
    _admin_sql(base_db, f'CREATE DATABASE "{db_name}"')
    log_dir = Path(tempfile.gettempdir()) / f"parley-bench-{os.getpid()}"
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "PARLEY_COMMENT_WRITE_RATE": "100000/m",
        "DB_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    procs = Procs(env, log_dir)
    try:
        result = _run(args, procs, redis_url)
    finally:
        procs.stop_all()
        from django.db import connections

        connections.close_all()
        _admin_sql(base_db, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    rss: dict[str, object] = dict(procs.rss)
    rss["bench"] = max(_each_peak_rss_mb(os.getpid()))
    result["peak_rss_mb"] = rss
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

    redis.Redis.from_url(redis_url).delete("scoring", "default", "unacked")
    base_env = dict(procs.env)
    settings = ModerationSettings.get_or_create_current()
    settings.new_commenter_count = 0
    settings.repeat_window_minutes = 0
    settings.save()
    article = Article.objects.create(
        slug="bench", title="Bench", body="Bench", section="Bench"
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
    procs.start("worker_rate", _worker_args(1, "rate"))
    _wait_http(f"http://127.0.0.1:{PORT}/api/v1/articles/")
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
        procs.start(f"worker_drain_{label}", _worker_args(workers, f"drain{label}"))
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
        "decision_p50_ms": _pct(latencies, 0.50),
        "decision_p95_ms": _pct(latencies, 0.95),
        "decision_p99_ms": _pct(latencies, 0.99),
        "decision_mean_ms": round(statistics.fmean(latencies), 1),
        "backlog": args.backlog,
        "drain_per_s_1_worker": drain[1],
        "drain_per_s_2_workers": drain[2],
        "baseline_drain_per_s_1_worker_unbatched": drain["unbatched"],
        "drain_ratio_1_worker_vs_unbatched": round(drain[1] / drain["unbatched"], 2),
        "drain_wall_s_1_worker": drain_wall[1],
        "drain_wall_s_2_workers": drain_wall[2],
        "post_p50_ms": _pct(post_ms, 0.50),
        "post_p99_ms": _pct(post_ms, 0.99),
        "decision_p50_vs_post_p50": round(_pct(latencies, 0.5) / _pct(post_ms, 0.5), 2),
    }


def _wait_http(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=2).read()  # noqa: S310
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


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
