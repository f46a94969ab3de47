"""Instructions per request in the web process, counted by valgrind: a figure the
machine's load does not move.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parley \
    REDIS_URL=redis://127.0.0.1:6379/2 \
        .venv/bin/python bench/instructions.py [--requests 20]

The HTTP bench's rates swing with whatever else the machine runs; a count of the
instructions one request executes does not (valgrind's callgrind counts them,
the same for the same code and data). It creates a scratch database beside
DATABASE_URL's with the HTTP bench's stories (`seed_load`, 50, 500, 2,000 and
5,000 comments; VACUUM (ANALYZE)), empties the Redis database of REDIS_URL (use
one of your own), and for each request below runs a Python process under
callgrind making the request `--requests` times, and one process that makes
none (each first makes every request once: imports, connections, caches). The
difference, divided by `--requests`, is what one request costs the web process:
Django's WSGI handler in-process, as gunicorn's worker calls it, without
gunicorn's own HTTP parsing (the same for every request). The requests are the
trivial view (bench/benchurls.py); the first pages of the 2,000- and
5,000-comment stories, page and thread API, with a thread cache that keeps
nothing (every request builds from the database: a story's first read after a
change); and a comment POST through the API as bench/http.py makes it (a reader
with a token, each text a new one), twice: `post` while every scoring drain
slot is held (the steady state under load: a running drain will decide the
comment, no task is published) and `post_publish` with the slots freed before
each POST (one Redis DEL, counted too), so every POST publishes its scoring
task. Each process keeps its cache keys (throttle counters, slots) under a
prefix of its own. PostgreSQL's and Redis's work is not counted (other
processes).

The last line is one JSON object: instructions per request (millions), each
figure's ratio to the trivial view's, SQL queries per request (counted once
outside valgrind, `queries_per_request`), and the peak RSS of the processes
started.
"""

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
ROOT = _HERE.parent
sys.path.insert(0, str(ROOT))

import argparse
import io
import json
import os
import re
import resource
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from bench.services import (
    poster_token,
    required_services,
    scratch_database,
    service_env,
)

POST_PATH = "/api/v1/articles/bench-posts/comments/"
REQUESTS = {
    "trivial": "/bench/trivial/",
    "page_2000_uncached": "/stories/load-2000/",
    "api_2000_uncached": "/api/v1/articles/load-2000/comments/",
    "page_5000_uncached": "/stories/load-5000/",
    "api_5000_uncached": "/api/v1/articles/load-5000/comments/",
    "post": f"POST {POST_PATH}",
    "post_publish": f"POST+publish {POST_PATH}",
}
SIZES = (50, 500, 2000, 5000)


def _serve(path: str, times: int) -> None:
    """In the counted process: every request once, then `path` `times` times."""
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.handlers.wsgi import WSGIHandler

    from moderation.tasks import SLOT_KEY

    app = WSGIHandler()
    token = os.environ["BENCH_POST_TOKEN"]
    slots = [SLOT_KEY.format(n) for n in range(int(os.environ["BENCH_SLOTS"]))]
    posted = 0

    def call(request: str) -> None:
        nonlocal posted
        method, _, url = request.rpartition(" ")
        body = b""
        environ = {
            "REQUEST_METHOD": method or "GET", "PATH_INFO": url, "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }  # fmt: skip
        if method:
            if method == "POST+publish":
                cache.delete_many(slots)  # every drain slot free: this POST publishes
            posted += 1
            body = json.dumps(
                {"body": f"Thanks for the reporting on the bridge vote ({posted})."}
            ).encode()
            environ.update(
                REQUEST_METHOD="POST", CONTENT_TYPE="application/json",
                CONTENT_LENGTH=str(len(body)), HTTP_AUTHORIZATION=f"Token {token}",
            )  # fmt: skip
        environ["wsgi.input"] = io.BytesIO(body)
        status: list[str] = []
        response = app(environ, lambda s, h, e=None: status.append(s))  # type: ignore[arg-type]
        try:
            b"".join(response)
        finally:
            response.close()
        if not status[0].startswith(("200", "201")):
            raise SystemExit(f"{request} answered {status[0]}")

    for request in REQUESTS.values():
        call(request)
    # From here on every drain slot is held (no POST publishes a task) unless
    # `POST+publish` frees them.
    for key in slots:
        cache.set(key, 1, None)
    if os.environ.get("BENCH_QUERIES"):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            for _ in range(times):
                call(path)
        print(json.dumps({"queries": len(queries)}))
        return
    for _ in range(times):
        call(path)


def _count(env: dict[str, str], key: str, path: str, times: int) -> int:
    """Instructions callgrind counted in a process serving `path` `times` times."""
    proc = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         sys.executable, __file__, "--serve", path, "--times", str(times)],
        env={**env, "PYTHONHASHSEED": "0", "BENCH_CACHE_PREFIX": f"b-{key or 'base'}"},
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    found = re.search(r"Collected : (\d+)", proc.stderr)
    if proc.returncode or not found:
        raise SystemExit(f"callgrind failed on {path}:\n{proc.stderr[-2000:]}")
    return int(found.group(1))


def _poster_token() -> str:
    """The story bench/http.py posts to and its poster's API token, made here."""
    import django

    django.setup()
    return poster_token()


def _slots() -> int:
    from django.conf import settings

    return int(settings.PARLEY_SCORING_SLOTS)


def _queries(env: dict[str, str], path: str, times: int) -> float:
    """SQL statements per request, counted in a process outside valgrind."""
    proc = subprocess.run(
        [sys.executable, __file__, "--serve", path, "--times", str(times)],
        env={**env, "BENCH_QUERIES": "1", "BENCH_CACHE_PREFIX": "b-queries"},
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(json.loads(proc.stdout.splitlines()[-1])["queries"]) / times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--times", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _serve(args.serve, args.times)
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind).")
    base_db, redis_url = required_services()
    prefix = f"{urlsplit(base_db).path.strip('/') or 'parley'}_instr"
    with scratch_database(base_db, prefix) as db_url:
        env = service_env(
            db_url, redis_url, "bench.benchsite", DJANGO_DEBUG="false",
            PARLEY_THREAD_CACHE_SECONDS="0", PYTHONPATH=str(ROOT),
            PARLEY_COMMENT_WRITE_RATE="1000000/m",
        )  # fmt: skip
        os.environ.update(env)  # the scratch database's clean-up reads settings
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, check=True, env=env)
        subprocess.run(
            [*manage, "seed_load", "--comments", str(sum(SIZES) + 1),
             "--stories", "1", "--readers", "5000",
             "--story-sizes", ",".join(map(str, SIZES))],
            cwd=ROOT, check=True, env=env, capture_output=True,
        )  # fmt: skip
        import redis

        env["BENCH_POST_TOKEN"] = _poster_token()
        env["BENCH_SLOTS"] = str(_slots())
        redis.Redis.from_url(redis_url).flushdb()
        # The process that makes no request beyond the first round is the same for
        # every figure: counted once. Two processes at a time (the machine's
        # cores); each count is exact whatever runs beside it.
        jobs = [("", "/bench/trivial/", 0)]
        jobs += [(key, path, args.requests) for key, path in REQUESTS.items()]
        with ThreadPoolExecutor(max_workers=2) as pool:
            counted = list(pool.map(lambda job: _count(env, *job), jobs))
        queries = {key: _queries(env, path, 5) for key, path in REQUESTS.items()}
        redis.Redis.from_url(redis_url).flushdb()  # the tasks the POSTs published
    base = counted[0]
    per = {
        key: round((total - base) / n / 1e6, 3)
        for (key, _, n), total in zip(jobs[1:], counted[1:], strict=True)
    }
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "million_instructions_per_request": per,
                "post_minstr": per["post"],
                "post_ratio_to_trivial": round(per["trivial"] / per["post"], 4),
                "ratio_to_trivial": {
                    k: round(per["trivial"] / v, 4)
                    for k, v in per.items()
                    if k != "trivial"
                },
                "queries_per_request": queries,
                "requests_counted": args.requests,
                "peak_rss_mb": {
                    "bench": round(
                        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
                    ),
                    "largest_child_under_valgrind": round(children, 1),
                },
                "cpus": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
