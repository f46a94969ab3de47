"""The embed's first paint for a story with 500 comments, against the story page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
    REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/embed.py [--comments 500] [--requests 200]

It creates a scratch database beside DATABASE_URL's (dropped at the end), loads one
site and one story with --comments published comments, starts gunicorn itself, and
times --requests sequential requests of the story page on Parley (the baseline) and
of the embed's frame as embed.js loads it (a form POST with the host page's Origin).
It also counts what the frame's first paint needs beyond its one document: scripts
and styles (cached for a year under hashed URLs) and data requests (none: the
thread is in the document). The last line is one JSON object.
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
import statistics
import subprocess
import time
import urllib.parse
import urllib.request

from bench.services import (
    Procs,
    log_dir,
    pct,
    required_services,
    scratch_database,
    service_env,
)

ROOT = _HERE.parent
PORT = 9360
ORIGIN = "https://www.gazette.example"


def _time(request: urllib.request.Request, n: int) -> tuple[list[float], bytes]:
    times: list[float] = []
    body = b""
    for _ in range(n):
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            body = response.read()
        times.append((time.perf_counter() - started) * 1000)
    return times, body


def _summary(times: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(pct(times, 0.95), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=500)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    base_db, redis_url = required_services()
    with scratch_database(base_db) as db_url:
        env = service_env(
            db_url, redis_url, "config.settings.local", DJANGO_DEBUG="false"
        )
        os.environ.update(env)
        procs = Procs(env, log_dir("parley-bench-embed"))
        try:
            result = _run(args, procs)
        finally:
            procs.stop_all()
    result["peak_rss_mb"] = procs.peak_rss_mb()
    print(json.dumps(result))


def _load(comments: int) -> str:
    from django.db import connection

    from accounts.models import User
    from articles.models import Article, Comment, CommentStatus
    from sites.models import Site

    site = Site.objects.create(
        name="Gazette", slug="gazette", allowed_origins=ORIGIN, story_hosts="x"
    )
    story = Article.objects.create(
        site=site, external_id="rg-1", slug="rg-1", title="Story", section="News"
    )
    authors = [
        User.objects.create_user(f"r{n}", password=None, display_name=f"Reader {n}")
        for n in range(50)
    ]
    top = Comment.objects.bulk_create(
        Comment(
            article=story,
            author=authors[n % 50],
            body=f"A thoughtful comment on the story, number {n}.",
            status=CommentStatus.PUBLISHED,
        )
        for n in range(comments // 2)
    )
    Comment.objects.bulk_create(
        Comment(
            article=story,
            author=authors[(n + 7) % 50],
            parent=top[n],
            root=top[n],
            depth=1,
            body=f"A reply to comment {n}.",
            status=CommentStatus.PUBLISHED,
        )
        for n in range(comments - comments // 2)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return story.slug


def _run(args: argparse.Namespace, procs: Procs) -> dict[str, object]:
    import django

    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True,
        env=procs.env,
    )  # fmt: skip
    django.setup()
    slug = _load(args.comments)
    procs.start(
        "gunicorn",
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind",
         f"127.0.0.1:{PORT}", "--workers", "1", "--threads", "1",
         "--log-level", "warning"],
    )  # fmt: skip
    base = f"http://127.0.0.1:{PORT}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1).read()  # noqa: S310
            break
        except OSError:
            time.sleep(0.2)
    page = urllib.request.Request(f"{base}/stories/{slug}/")  # noqa: S310
    frame = urllib.request.Request(  # noqa: S310
        f"{base}/embed/frame/",
        data=urllib.parse.urlencode({"site": "gazette", "story": "rg-1"}).encode(),
        headers={"Origin": ORIGIN},
    )
    _time(page, 10)  # warm up both paths
    _time(frame, 10)
    page_times, page_body = _time(page, args.requests)
    frame_times, frame_body = _time(frame, args.requests)
    html = frame_body.decode()
    assets = html.count('src="/embed/v/') + html.count('href="/embed/v/')
    frame_stats = _summary(frame_times)
    page_stats = _summary(page_times)
    return {
        "comments": args.comments,
        "requests_each": args.requests,
        "story_page": {**page_stats, "bytes": len(page_body)},
        "frame_first_paint": {
            **frame_stats,
            "bytes": len(frame_body),
            "documents": 1,
            "data_requests": 0 if 'id="comments"' in html else 1,
            "hashed_assets_cached_a_year": assets,
        },
        "frame_to_story_page_p50": round(
            frame_stats["p50_ms"] / page_stats["p50_ms"], 2
        ),
    }


if __name__ == "__main__":
    main()
