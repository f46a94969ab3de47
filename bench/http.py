"""Reads and writes over HTTP, each as a ratio to a trivial Django view.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parley \
    REDIS_URL=redis://127.0.0.1:6379/2 \
        .venv/bin/python bench/http.py [--seconds 8] [--port 9210] [--background 0]
            [--only-post]    # the trivial view and the POST alone (about a minute)
            [--only-post --no-worker]   # the same with nothing scoring the posts

It creates a scratch database beside DATABASE_URL's, named after it (e.g.
parley_hh_bench_<pid> for .../parley_hh; dropped at the end), loads
stories of 50, 500, 2,000 and 5,000 comments with `seed_load` (plus --background
comments on other stories; it runs VACUUM (ANALYZE)), empties the Redis database
of REDIS_URL (use one of your own) and starts gunicorn with 2 sync workers itself.
With wrk -c16 it measures, in one run: the trivial view (bench/benchurls.py) at
the start and at the end, and alternating with every other figure, a second of
each; the story page and the thread API, first page, for each
story, cached (warm) and uncached (a second gunicorn whose thread cache keeps
nothing, so every request renders from the database); a reader reading the
2,000-comment thread whole through the API's cursor and through the pages; and
comment POSTs through the API with a Celery worker scoring them. Every rate is
also given as a ratio: the median, over its alternations, of its rate divided
by the trivial view's of the second before (the machine's load changes from one
second to the next; a baseline from minutes before would be another machine's).
After the POSTs, `post_cpu` says where a POST's CPU goes: each process group's
CPU (gunicorn, the worker, PostgreSQL, Redis, wrk) per request in one metered run
of the POST and one of the trivial view, and `ceiling_ratio`, the ratio CPU
alone would allow on this machine.
The last line is one JSON object, with the peak RSS of every process started.
"""

import sys
from pathlib import Path

# This file shares its name with the standard library's `http` package; keep its
# folder off the import path so `import http.client` finds the real one.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
ROOT = _HERE.parent
sys.path.insert(0, str(ROOT))

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import time
from typing import Any
from urllib.parse import urlsplit

from bench.services import (
    CpuMeter,
    Procs,
    log_dir,
    poster_token,
    process_tree,
    processes_named,
    required_services,
    scratch_database,
    service_env,
    wait_http,
    worker_args,
)

SIZES = (50, 500, 2000, 5000)
_WRK_RSS: list[float] = []
POST_LUA = """
wrk.method = "POST"
wrk.body = '{"body": "Thanks for the reporting on the bridge vote, it was useful."}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Token %s"
"""


def _wrk(url: str, seconds: int, *, script: Path | None = None) -> dict[str, float]:
    args = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency"]
    if script is not None:
        args += ["-s", str(script)]
    proc = subprocess.Popen([*args, url], stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"wrk failed on {url}")
    _WRK_RSS.append(round(usage.ru_maxrss / 1024, 1))
    done = re.search(r"(\d+) requests in", out)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    p99_ms = 0.0
    if p99:
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
        p99_ms = float(p99.group(1)) * scale
    return {
        "rps": round(rate, 1),
        "p99_ms": round(p99_ms, 1),
        "errors": int(errors.group(1)) if errors else 0,
        "requests": int(done.group(1)) if done else 0,
        "cpu_s": usage.ru_utime + usage.ru_stime,
    }


def _gunicorn(port: int) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind",
            f"127.0.0.1:{port}", "--workers", "2", "--worker-class", "sync",
            "--log-level", "warning"]  # fmt: skip


def _read_whole(port: int, slug: str, *, pages: bool) -> tuple[float, int, int]:
    """Read a whole thread as one client would: (ms, requests, comments seen)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    requests = seen = 0
    if pages:
        number = 1
        while True:
            conn.request("GET", f"/stories/{slug}/?page={number}")
            body = conn.getresponse().read().decode()
            requests += 1
            seen += body.count('class="comment ')
            if "More comments</a>" not in body:
                break
            number += 1
    else:
        path = f"/api/v1/articles/{slug}/comments/?limit=100"
        while path:
            conn.request("GET", path)
            data = json.loads(conn.getresponse().read())
            requests += 1
            seen += len(data["results"])
            cursor = data["next_cursor"]
            path = (
                f"/api/v1/articles/{slug}/comments/?limit=100&cursor={cursor}"
                if cursor
                else ""
            )
    conn.close()
    return round((time.perf_counter() - started) * 1000, 1), requests, seen


def _read_whole_times(
    port: int, slug: str, *, pages: bool, times: int = 5
) -> tuple[float, int, int, list[float]]:
    """`_read_whole` `times` times: (median ms, requests, comments, every ms). One
    read is nine requests of one client; a single sample swung by a third from
    run to run."""
    reads = [_read_whole(port, slug, pages=pages) for _ in range(times)]
    samples = [r[0] for r in reads]
    return statistics.median(samples), reads[0][1], reads[0][2], samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--port", type=int, default=9210)
    parser.add_argument(
        "--background", type=int, default=0, help="extra comments on other stories"
    )
    parser.add_argument(
        "--only-post",
        action="store_true",
        help="measure only the trivial view and the comment POST (a shorter run)",
    )
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="with --only-post: start no Celery worker (the comments stay pending), "
        "to see what scoring them on the same cores costs the POST",
    )
    args = parser.parse_args()
    if args.no_worker and not args.only_post:
        parser.error("--no-worker goes with --only-post")
    load_at_start = os.getloadavg()[0]
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk).")
    base_db, redis_url = required_services()
    # Named after DATABASE_URL's database, so sessions sharing a server each
    # drop only their own scratch databases.
    prefix = f"{urlsplit(base_db).path.strip('/') or 'parley'}_bench"
    with scratch_database(base_db, prefix) as db_url:
        env = service_env(
            db_url, redis_url, "bench.benchsite", DJANGO_DEBUG="false",
            PARLEY_COMMENT_WRITE_RATE="1000000/m", DB_CONN_MAX_AGE="600",
            PYTHONPATH=str(ROOT),
        )  # fmt: skip
        os.environ.update(env)
        log = log_dir("parley-bench-http")
        procs = Procs(env, log)
        try:
            result = _run(args, procs, redis_url, log)
        finally:
            procs.stop_all()
    rss = procs.peak_rss_mb()
    rss["wrk"] = max(_WRK_RSS, default=0.0)
    result["peak_rss_mb"] = rss
    # Figures from a busy machine are not a quiet machine's: say which this was.
    result["load_average_1min_at_start"] = load_at_start
    result["load_average_1min_at_end"] = os.getloadavg()[0]
    print(json.dumps(result))


def _run(
    args: argparse.Namespace, procs: Procs, redis_url: str, log_dir: Path
) -> dict[str, object]:
    import django

    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, check=True, env=procs.env)
    seeded = time.monotonic()
    subprocess.run(
        [*manage, "seed_load", "--comments", str(sum(SIZES) + 1 + args.background),
         "--stories", str(max(1, args.background // 500)), "--readers", "5000",
         "--story-sizes", ",".join(map(str, SIZES))],
        cwd=ROOT, check=True, env=procs.env,
    )  # fmt: skip
    seed_s = round(time.monotonic() - seeded, 1)
    django.setup()
    import redis

    from articles.models import Comment

    redis.Redis.from_url(redis_url).flushdb()
    token = poster_token()
    shapes = {
        size: {
            "top_level": Comment.objects.filter(
                article__slug=f"load-{size}", parent__isnull=True
            ).count(),
        }
        for size in SIZES
    }

    def url(path: str) -> str:
        return f"http://127.0.0.1:{args.port}{path}"

    def pages() -> dict[str, str]:
        found = {"trivial": "/bench/trivial/"}
        for size in SIZES:
            found[f"page_{size}"] = f"/stories/load-{size}/"
            found[f"api_{size}"] = f"/api/v1/articles/load-{size}/comments/"
        return found

    figures: dict[str, dict[str, float]] = {}
    whole: dict[str, tuple[Any, ...]] = {}
    # Each figure alternates with the trivial view on the same server, a second
    # of each, and its ratio is the median of the alternations' ratios: the machine
    # is shared and its load changes from one second to the next, so a figure is
    # divided by the baseline of its own moment, not by one from minutes before.
    paired: dict[str, float] = {}
    ratios: dict[str, float] = {}
    stalls: dict[str, int] = {}

    def measure(key: str, target: str, script: Path | None = None) -> None:
        bases, runs = [], []
        for _ in range(max(2, args.seconds)):
            bases.append(_wrk(url("/bench/trivial/"), 1))
            runs.append(_wrk(target, 1, script=script))
        paired[key] = round(statistics.mean(b["rps"] for b in bases), 1)
        # A second in which the trivial view answered nothing (the machine
        # stalled) gives no ratio; it is counted and left out.
        pairs = [(r, b) for r, b in zip(runs, bases, strict=True) if b["rps"]]
        if len(pairs) < len(bases):
            stalls[key] = len(bases) - len(pairs)
        ratios[key] = round(statistics.median(r["rps"] / b["rps"] for r, b in pairs), 3)
        figures[key] = {
            "rps": round(statistics.mean(r["rps"] for r in runs), 1),
            "p99_ms": max(r["p99_ms"] for r in runs),
            "errors": sum(r["errors"] for r in runs),
        }

    # Cached: the deployed configuration; each page read once before measuring.
    if args.only_post:
        return _posts_only(args, procs, log_dir, token)
    procs.start("gunicorn_cached", _gunicorn(args.port))
    wait_http(url("/bench/trivial/"))
    for name, path in pages().items():
        _read(url(path))
        if name == "trivial":
            figures["trivial_cached"] = _wrk(url(path), args.seconds)
        else:
            measure(f"{name}_cached", url(path))
    # The first whole read of a cached server builds each cursor chunk once; the
    # next four are served from the cache.
    whole["api_cached_first"] = _read_whole(args.port, "load-2000", pages=False)
    whole["pages_cached_first"] = _read_whole(args.port, "load-2000", pages=True)
    whole["api_cached"] = _read_whole_times(
        args.port, "load-2000", pages=False, times=4
    )
    whole["pages_cached"] = _read_whole_times(
        args.port, "load-2000", pages=True, times=4
    )
    procs.stop("gunicorn_cached")

    # Uncached: the same, with a thread cache that keeps nothing, and nothing left
    # in Redis by the cached server (it would still be read: every figure here was
    # a hit until this flush was added).
    redis.Redis.from_url(redis_url).flushdb()
    procs.env = {**procs.env, "PARLEY_THREAD_CACHE_SECONDS": "0"}  # a fresh dict
    procs.start("gunicorn_uncached", _gunicorn(args.port))
    wait_http(url("/bench/trivial/"))
    for name, path in pages().items():
        if name != "trivial":
            _read(url(path))
            measure(f"{name}_uncached", url(path))
    whole["api_uncached"] = _read_whole_times(args.port, "load-2000", pages=False)
    whole["pages_uncached"] = _read_whole_times(args.port, "load-2000", pages=True)
    procs.stop("gunicorn_uncached")
    procs.env = {
        k: v for k, v in procs.env.items() if k != "PARLEY_THREAD_CACHE_SECONDS"
    }

    # Posts: gunicorn with a worker scoring what is posted.
    procs.start("gunicorn_posts", _gunicorn(args.port))
    procs.start("worker", worker_args(1, "bench-http"))
    wait_http(url("/bench/trivial/"))
    script = log_dir / "post.lua"
    script.write_text(POST_LUA % token)
    posts = url("/api/v1/articles/bench-posts/comments/")
    measure("post", posts, script=script)
    figures["trivial_end"] = _wrk(url("/bench/trivial/"), args.seconds)
    post_cpu = _post_cpu(url(""), script, procs, args.seconds)
    procs.stop("worker")
    procs.stop("gunicorn_posts")
    cpu = _cpu_per_request(token)

    trivials = [figures["trivial_cached"]["rps"], figures["trivial_end"]["rps"]]
    trivials += paired.values()

    def ratio(key: str) -> float:
        return ratios[key]

    result: dict[str, object] = {
        "trivial_rps": round(sum(trivials) / len(trivials), 1),
        "trivial_rps_start_end": [
            figures["trivial_cached"]["rps"],
            figures["trivial_end"]["rps"],
        ],
        "trivial_rps_min_max": [min(trivials), max(trivials)],
        "ratio_basis": "median over alternating 1 s runs of figure / trivial view",
    }
    for size in SIZES:
        for kind in ("page", "api"):
            for state in ("cached", "uncached"):
                key = f"{kind}_{size}_{state}"
                result[f"{key}_rps"] = figures[key]["rps"]
                result[f"{key}_ratio"] = ratio(key)
                result[f"{key}_trivial_rps"] = paired[key]
                result[f"{key}_p99_ms"] = figures[key]["p99_ms"]
                if figures[key]["errors"]:
                    result[f"{key}_errors"] = figures[key]["errors"]
    result.update(
        {
            # The headline keys: the worst story size, so "flat as it grows" shows.
            "story_page_cached_ratio": min(ratio(f"page_{s}_cached") for s in SIZES),
            "story_page_uncached_ratio": min(
                ratio(f"page_{s}_uncached") for s in SIZES
            ),
            "thread_api_cached_ratio": min(ratio(f"api_{s}_cached") for s in SIZES),
            "thread_api_uncached_ratio": min(ratio(f"api_{s}_uncached") for s in SIZES),
            "whole_thread_2000_ms": whole["api_uncached"][0],
            # Medians of 5 reads (4 for the cached repeats), every read's ms beside.
            "whole_thread_2000": {
                k: {"ms": v[0], "requests": v[1], "comments": v[2]}
                | ({"each_ms": v[3]} if len(v) > 3 else {})
                for k, v in whole.items()
            },
            "post_rps": figures["post"]["rps"],
            "post_ratio": ratio("post"),
            "post_trivial_rps": paired["post"],
            "post_errors": figures["post"]["errors"],
            "post_cpu": post_cpu,
            "baseline_seconds_stalled": stalls,
            # CPU per request inside one process (no gunicorn, wrk or scheduling):
            # what the web process itself spends, less swayed by the machine's load.
            "cpu_us_per_request": cpu,
            "cpu_ratio_to_trivial": {
                k: round(cpu["trivial"] / v, 3)
                for k, v in cpu.items()
                if k != "trivial"
            },
            "top_level_per_story": {s: shapes[s]["top_level"] for s in SIZES},
            "seed_s": seed_s,
            "background_comments": args.background,
            "wrk": f"-t2 -c16 -d{args.seconds}s",
            "cpus": os.cpu_count(),
        }
    )
    return result


def _post_cpu(base: str, script: Path, procs: Procs, seconds: int) -> dict[str, object]:
    """Where the CPU of a comment POST goes, by process, against the trivial view's.

    One metered run of each through the same gunicorn (after the alternating
    figures): the CPU each group of processes used, per request, from /proc. The
    POST's run counts until the worker has decided every comment it posted (at
    most 20 s more), so the scoring is in it. PostgreSQL's and Redis's are every
    process of theirs on the machine (the bench's own database and Redis here).
    The two cores are the limit of both runs, so `ceiling_ratio` (the trivial
    view's CPU per request over the POST's) is the ratio the POST would reach if
    CPU were all it waited for.
    """
    from articles.models import Comment, CommentStatus

    meter = CpuMeter(
        {
            "gunicorn": lambda: process_tree(procs.running["gunicorn_posts"].pid),
            "worker": lambda: (
                process_tree(procs.running["worker"].pid)
                if "worker" in procs.running
                else []
            ),
            "postgres": lambda: processes_named("postgres"),
            "redis": lambda: processes_named("redis-server"),
        }
    )
    pending = Comment.objects.filter(
        article__slug="bench-posts", status=CommentStatus.PENDING
    )
    figures: dict[str, dict[str, int]] = {}
    for name, target, lua in (
        ("trivial", f"{base}/bench/trivial/", None),
        ("post", f"{base}/api/v1/articles/bench-posts/comments/", script),
    ):
        before = meter.snapshot()
        run = _wrk(target, seconds, script=lua)
        drained = time.monotonic() + 20
        scored = "worker" in procs.running
        while lua and scored and pending.exists() and time.monotonic() < drained:
            time.sleep(0.1)
        used = CpuMeter.used(before, meter.snapshot())
        used["wrk"] = run["cpu_s"]
        count = max(1, int(run["requests"]))
        per = {k: round(v / count * 1e6) for k, v in used.items()}
        per["total"] = sum(per.values())
        figures[name] = per
    return {
        "cpu_us_per_request_by_process": figures,
        "ceiling_ratio": round(
            figures["trivial"]["total"] / figures["post"]["total"], 3
        ),
    }


def _posts_only(
    args: argparse.Namespace, procs: Procs, log_dir: Path, token: str
) -> dict[str, object]:
    """The trivial view and the comment POST alone, measured as in a full run."""
    base = f"http://127.0.0.1:{args.port}"
    procs.start("gunicorn_posts", _gunicorn(args.port))
    if not args.no_worker:
        procs.start("worker", worker_args(1, "bench-http"))
    wait_http(f"{base}/bench/trivial/")
    script = log_dir / "post.lua"
    script.write_text(POST_LUA % token)
    start = _wrk(f"{base}/bench/trivial/", args.seconds)
    bases, runs = [], []
    for _ in range(max(2, args.seconds)):
        bases.append(_wrk(f"{base}/bench/trivial/", 1))
        runs.append(
            _wrk(f"{base}/api/v1/articles/bench-posts/comments/", 1, script=script)
        )
    end = _wrk(f"{base}/bench/trivial/", args.seconds)
    post_cpu = _post_cpu(base, script, procs, args.seconds)
    if not args.no_worker:
        procs.stop("worker")
    procs.stop("gunicorn_posts")
    cpu = _cpu_per_request(token)
    return {
        "worker": not args.no_worker,
        "post_cpu": post_cpu,
        "trivial_rps_start_end": [start["rps"], end["rps"]],
        "post_rps": round(statistics.mean(r["rps"] for r in runs), 1),
        "post_ratio": round(
            statistics.median(
                r["rps"] / b["rps"] for r, b in zip(runs, bases, strict=True)
            ),
            3,
        ),
        "post_trivial_rps": round(statistics.mean(b["rps"] for b in bases), 1),
        "post_errors": sum(r["errors"] for r in runs),
        "cpu_us_per_request": cpu,
        "cpu_ratio_to_trivial": {
            k: round(cpu["trivial"] / v, 3) for k, v in cpu.items() if k != "trivial"
        },
        "wrk": f"-t2 -c16 -d{args.seconds}s",
        "cpus": os.cpu_count(),
    }


def _cpu_per_request(token: str) -> dict[str, float]:
    """CPU microseconds per request, served by Django's WSGI handler in this process:
    the trivial view, the cached first page of the 5,000-comment story and of its
    thread API, a comment POST (its scoring task is queued, not run), and the
    first pages of the 2,000- and 5,000-comment stories not cached. Each
    alternates with the others in rounds; each takes its cheapest round."""
    import io

    from django.core.handlers.wsgi import WSGIHandler

    app = WSGIHandler()
    post = b'{"body": "Thanks for the reporting on the bridge vote, it was useful."}'
    requests = {
        "trivial": ("GET", "/bench/trivial/", b""),
        "page_5000_cached": ("GET", "/stories/load-5000/", b""),
        "api_5000_cached": ("GET", "/api/v1/articles/load-5000/comments/", b""),
        "post": ("POST", "/api/v1/articles/bench-posts/comments/", post),
    }

    def call(method: str, path: str, body: bytes) -> str:
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
            "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/json",
        }  # fmt: skip
        if method == "POST":
            environ["HTTP_AUTHORIZATION"] = f"Token {token}"
        status: list[str] = []
        response = app(environ, lambda s, h, e=None: status.append(s))  # type: ignore[arg-type]
        try:
            b"".join(response)
        finally:
            response.close()  # request_finished, as a WSGI server would
        return status[0]

    best: dict[str, float] = {}

    def rounds(requests: dict[str, tuple[str, str, bytes]], calls: int) -> None:
        for _ in range(5):
            for name, (method, path, body) in requests.items():
                started = time.process_time()
                for _ in range(calls):
                    call(method, path, body)
                took = (time.process_time() - started) / calls * 1e6
                best[name] = round(min(best.get(name, took), took), 1)

    for method, path, body in requests.values():
        # First reads keep the pages again (the uncached server's zero timeout
        # dropped them).
        answer = call(method, path, body)
        if not answer.startswith(("200", "201")):
            raise SystemExit(f"{path} answered {answer}")
    rounds(requests, 200)
    # Not cached: a thread cache that keeps nothing, from an empty Redis (what a
    # story's first read after a change costs); less swayed by the machine's load
    # than the uncached server's rates.
    import redis
    from django.conf import settings
    from django.test.utils import override_settings

    from articles import cache as thread_cache

    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    thread_cache._KEPT.clear()
    with override_settings(PARLEY_THREAD_CACHE_SECONDS=0):
        uncached = {"trivial": requests["trivial"]}
        for size in (2000, 5000):
            uncached[f"page_{size}_uncached"] = ("GET", f"/stories/load-{size}/", b"")
            uncached[f"api_{size}_uncached"] = (
                "GET", f"/api/v1/articles/load-{size}/comments/", b"",
            )  # fmt: skip
        rounds(uncached, 30)
    return best


def _read(url: str) -> None:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(str(parts.hostname), parts.port, timeout=60)
    conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        raise SystemExit(f"{url} answered {response.status}")
    conn.close()


if __name__ == "__main__":
    main()
