"""What the bench scripts share to start the services they measure.

Each script makes a scratch database beside DATABASE_URL's (dropped at the end),
starts gunicorn / Celery itself and reports every process's peak RSS. Import it
as `bench.services` (scripts first take bench/ off sys.path: bench/http.py
would shadow the standard library's `http`).
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]


def scratch_url(base: str, prefix: str = "parley_bench") -> tuple[str, str]:
    parts = urlsplit(base)
    name = f"{prefix}_{os.getpid()}"
    return urlunsplit(parts._replace(path=f"/{name}")), name


def admin_sql(base: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(sql)


def required_services() -> tuple[str, str]:
    """DATABASE_URL (PostgreSQL) and REDIS_URL, or exit saying they are needed."""
    base_db = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not base_db.startswith("postgres") or not redis_url:
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL; see the docstring.")
    return base_db, redis_url


@contextmanager
def scratch_database(base_db: str, prefix: str = "parley_bench") -> Iterator[str]:
    """A fresh database beside base_db's; yields its URL and drops it on the way out."""
    db_url, db_name = scratch_url(base_db, prefix)
    admin_sql(base_db, f'CREATE DATABASE "{db_name}"')
    try:
        yield db_url
    finally:
        from django.db import connections

        connections.close_all()
        admin_sql(base_db, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def service_env(
    db_url: str, redis_url: str, settings: str, **extra: str
) -> dict[str, str]:
    """The environment for the processes a bench starts (and for the bench itself)."""
    return {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": settings,
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def poster_token() -> str:
    """The story the benchmarks post to (`bench-posts`) and its poster's API
    token, made in the configured database (Django set up); moderation settings
    that would hold a new poster's comments for a human are turned off."""
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from articles.models import Article
    from moderation.models import ModerationSettings
    from sites.models import Site

    settings = ModerationSettings.get_or_create_current()
    settings.new_commenter_count = 0
    settings.repeat_window_minutes = 0
    settings.save()
    site, _ = Site.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    Article.objects.create(
        site=site, external_id="bench-posts", slug="bench-posts", title="Posts",
        body="-", section="-",
    )  # fmt: skip
    poster = User.objects.create_user("bench-poster", password=None, display_name="P")
    return str(Token.objects.create(user=poster).key)


def log_dir(name: str) -> Path:
    path = Path(tempfile.gettempdir()) / f"{name}-{os.getpid()}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def each_peak_rss_mb(pid: int) -> list[float]:
    """Peak resident memory (VmHWM) of a process and each of its descendants."""
    out: list[float] = []
    for p in process_tree(pid):
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                out.append(round(int(line.split()[1]) / 1024, 1))
    return out


def process_tree(pid: int) -> list[int]:
    """A process and its descendants (gunicorn's workers, Celery's pool)."""
    out, pids = [], [pid]
    while pids:
        p = pids.pop()
        out.append(p)
        try:
            children = Path(f"/proc/{p}/task/{p}/children").read_text()
        except OSError:
            continue
        pids.extend(int(c) for c in children.split())
    return out


def processes_named(name: str) -> list[int]:
    """Every process whose command name is `name` (PostgreSQL's, Redis's)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() == name:
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU the processes have used so far (the living ones)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU used by groups of processes while something runs: `groups` maps a name
    to a function listing the group's pids (read at each end, so workers that
    start meanwhile count from then)."""

    def __init__(self, groups: dict[str, Callable[[], list[int]]]) -> None:
        self.groups = groups

    def snapshot(self) -> dict[str, dict[int, float]]:
        return {
            name: {pid: cpu_seconds([pid]) for pid in pids()}
            for name, pids in self.groups.items()
        }

    @staticmethod
    def used(
        before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]
    ) -> dict[str, float]:
        """Seconds each group used between two snapshots (processes seen at the
        end; one that started meanwhile counts whole)."""
        return {
            name: sum(t - before[name].get(pid, 0.0) for pid, t in pids.items())
            for name, pids in after.items()
        }


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
        self.rss[name] = each_peak_rss_mb(proc.pid)
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)

    def peak_rss_mb(self) -> dict[str, object]:
        """Every stopped process's peak RSS, and the bench's own."""
        rss: dict[str, object] = dict(self.rss)
        rss["bench"] = max(each_peak_rss_mb(os.getpid()))
        return rss


def worker_args(concurrency: int, name: str) -> list[str]:
    return [
        sys.executable, "-m", "celery", "-A", "config", "worker", "-Q",
        "scoring,default", "--concurrency", str(concurrency), "--without-mingle",
        "--without-gossip", "-l", "WARNING", "-n", f"{name}@%h",
    ]  # fmt: skip


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def wait_http(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=2).read()  # noqa: S310
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")
