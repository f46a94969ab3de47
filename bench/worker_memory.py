"""Peak resident memory (VmHWM) of a scoring worker process, step by step.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parley \
    REDIS_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python bench/worker_memory.py [--data ../shared/data] [--comments 64]

It creates a scratch database beside DATABASE_URL's (migrated, no model
registered yet: the worker's first start, the heaviest) and drops it after. One
fresh interpreter does what a Celery pool process does: Django and the Celery
app (`celery -A config`), the active model (`registry.warm()`, as
moderation.signals runs at process start; on a database with no model yet it
registers the shipped one), the language detector, then each of the first
--comments news comments of kaggle-insults test through language
identification, scoring and explanation one at a time. Each step's peak is its
own: VmHWM is reset (/proc/self/clear_refs, Linux) before it. A pool process
also counts the pages it shares with the Celery main process it was forked from,
so a real worker's figure is a few MB higher (read /proc/PID/status of the
pool process). The last line is one JSON object.
"""

import sys
from pathlib import Path

# bench/http.py shares its name with the standard library's `http` package: keep
# this folder off the import path so `import http.client` finds the real one.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse
import csv
import json
import os
import subprocess
from collections.abc import Callable

ROOT = _HERE.parent
sys.path.insert(0, str(ROOT))


def _status_mb() -> dict[str, float]:
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            out[key] = round(int(value.split()[0]) / 1024, 1)
    return out


def _step(
    name: str, fn: Callable[[], object], steps: dict[str, dict[str, float]]
) -> None:
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    fn()
    status = _status_mb()
    steps[name] = {"peak_mb": status["VmHWM"], "rss_after_mb": status["VmRSS"]}
    print(f"{name:28s} peak {status['VmHWM']:6.1f} MB, after {status['VmRSS']:6.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--comments", type=int, default=64)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.measure:
        _in_scratch_database(args)
        return
    _measure(args)


def _in_scratch_database(args: argparse.Namespace) -> None:
    """Migrate a scratch database, then measure in a fresh interpreter."""
    from bench.services import required_services, scratch_database, service_env

    base_db, redis_url = required_services()
    with scratch_database(base_db, "parley_wmem") as db_url:
        env = service_env(db_url, redis_url, "config.settings.local")
        os.environ.update(env)  # the scratch database's clean-up reads settings
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, check=True, env=env)
        measure = [sys.executable, __file__, "--measure", "--data", str(args.data)]
        measure += ["--comments", str(args.comments)]
        subprocess.run(measure, cwd=ROOT, check=True, env=env)


def _measure(args: argparse.Namespace) -> None:
    with (args.data / "kaggle-insults" / "test_with_solutions.csv").open(
        encoding="utf-8"
    ) as f:
        texts = [
            r["Comment"].strip('"').encode().decode("unicode_escape", "ignore")
            for r in csv.DictReader(f)
        ][: args.comments]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    steps = {"start": {"rss_after_mb": _status_mb()["VmRSS"]}}

    def django_and_celery() -> None:
        import django

        django.setup()
        from config import celery_app

        celery_app.loader.import_default_modules()

    def model() -> None:
        from moderation.services import registry

        state = registry.warm()
        if state.version is None:
            raise SystemExit(f"no model: {state.error}")

    def detector() -> None:
        from moderation import language

        language.detector()

    def score() -> None:
        from moderation import language
        from moderation.services import registry

        _, loaded = registry.active_model()
        assert loaded is not None
        for text in texts:
            language.detect(text)
            loaded.score([text])
            loaded.explain(text, k=5)

    _step("django + celery app", django_and_celery, steps)
    _step("active model", model, steps)
    _step("language detector", detector, steps)
    _step(f"{len(texts)} comments", score, steps)
    peak = max(s.get("peak_mb", 0.0) for s in steps.values())
    print(json.dumps({"steps": steps, "peak_mb": peak}))


if __name__ == "__main__":
    main()
