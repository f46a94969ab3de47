"""Throughput and latency of the Perspective-compatible comments:analyze.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
    REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/analyze.py [--seconds 10] [--clients 16] [--rounds 2]

It creates a scratch database beside DATABASE_URL's (dropped at the end), starts
gunicorn itself (one process per core, 4 threads each, the API switched on), creates
a key with ``manage.py scoring_key create``, then drives single-comment
requests with wrk (a Lua script cycling through real-looking comments, the key
as ?key=) at --clients concurrent connections. Baseline, same server, same run,
same body: a trivial Django view that reads the body and answers fixed JSON.
Rounds alternate baseline and analyze so a noisy neighbour hits both alike.
The last line is one JSON object, with the peak RSS of every process started.
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
import re
import resource
import signal
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

# The scratch database and per-process memory helpers of the pipeline benchmark
from bench.services import (
    admin_sql,
    each_peak_rss_mb,
    required_services,
    scratch_url,
)

ROOT = Path(__file__).resolve().parents[1]
PORT = 9751
COMMENTS = [
    "Thanks for the careful reporting on the bridge vote.",
    "You are a stupid idiot and nobody wants to read your garbage.",
    "The council should have published the budget figures months ago.",
    "What a load of rubbish, the author clearly has no idea.",
    "I disagree with the premise but the article is well argued.",
    "Shut up, you pathetic moron.",
    "My neighbourhood lost its bus route last year and nobody asked us.",
    "This is the best explanation of the rate rise I have read.",
    "Typical lazy journalism from a clueless hack.",
    "Could you link the report the third paragraph mentions?",
    "ok",
    "+1, well said",
    "Anyone who votes for that clown deserves what they get.",
    "The photos of the flood defences are striking.",
    "<p>Great piece, <b>really</b> enjoyed it &amp; shared it.</p>",
    "I have lived here for forty years and the traffic has never been worse.",
]


def _lua(path: str, bodies: list[str]) -> str:
    items = ",\n".join(f"[==[{b}]==]" for b in bodies)
    return f"""
local bodies = {{
{items}
}}
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i + 1
  return wrk.format(nil, "{path}", nil, bodies[(i % #bodies) + 1])
end
"""


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * _UNIT_MS[unit]


_WRK_PEAK_MB = [0.0]


def _wrk(
    url: str, script: Path, seconds: float, clients: int, *, warm_up: bool = False
) -> dict[str, float]:
    # GNU time is not everywhere; wait4's rusage gives wrk's own peak RSS.
    proc = subprocess.Popen(
        ["wrk", "-t", "2", "-c", str(clients), "-d", f"{max(1, round(seconds))}s",
         "--latency", "--timeout", "5s", "-s", str(script), url],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"wrk failed ({proc.returncode}):\n{out}")
    _WRK_PEAK_MB[0] = max(_WRK_PEAK_MB[0], usage.ru_maxrss / 1024)
    if not warm_up and "Non-2xx" in out:
        raise SystemExit(f"wrk saw errors:\n{out}")
    latency = dict(re.findall(r"^\s*(50|99)%\s+(\S+)\s*$", out, re.MULTILINE))
    if set(latency) != {"50", "99"}:
        raise SystemExit(f"wrk's output has no latency distribution:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    return {
        # Requests over wrk's 5 s timeout are left out of its latency figures,
        # so they are reported beside them.
        "socket_errors": sum(int(n) for n in errors.groups()) if errors else 0,
        "rps": round(rps, 1),
        "p50_ms": round(_ms(latency["50"]), 2),
        "p99_ms": round(_ms(latency["99"]), 2),
    }


def _wait_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    # gthread: keep-alive connections, as a client that calls many times holds.
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    base_db, redis_url = required_services()
    db_url, db_name = scratch_url(base_db)
    admin_sql(base_db, f'CREATE DATABASE "{db_name}"')
    work = Path(tempfile.mkdtemp(prefix="parley-bench-analyze-"))
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "bench.analyze_settings",
        "PYTHONPATH": str(ROOT),
        "DB_CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
    }
    server: subprocess.Popen[bytes] | None = None
    gunicorn_rss: list[float] = []
    wrk_rss = 0.0
    try:
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        key = subprocess.run(
            [*manage, "scoring_key", "create", "bench", "--qps", "1000000"],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        log = (work / "gunicorn.log").open("ab")
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind",
             f"127.0.0.1:{PORT}", "--workers", str(args.workers), "--threads",
             str(args.threads), "--keep-alive", "30", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        base = f"http://127.0.0.1:{PORT}"
        _wait_http(f"{base}/bench/trivial")
        bodies = [
            json.dumps(
                {
                    "comment": {
                        "text": text,
                        "type": "HTML" if "<p>" in text else "PLAIN_TEXT",
                    },
                    "languages": ["en"],
                    "doNotStore": True,
                    "requestedAttributes": {"TOXICITY": {}},
                }
            )
            for text in COMMENTS
        ]
        analyze_path = f"/v1alpha1/comments:analyze?key={key}"
        scripts = {}
        for name, path in (("trivial", "/bench/trivial"), ("analyze", analyze_path)):
            scripts[name] = work / f"{name}.lua"
            scripts[name].write_text(_lua(path, bodies))
        # Warm every worker: the model and the language detector load on each
        # worker's first analyze request, which may time out on a busy machine.
        for name in ("trivial", "analyze", "analyze"):
            _wrk(base, scripts[name], 5, args.clients, warm_up=True)
        runs: dict[str, list[dict[str, float]]] = {"trivial": [], "analyze": []}
        for _ in range(args.rounds):
            for name in ("trivial", "analyze"):
                runs[name].append(_wrk(base, scripts[name], args.seconds, args.clients))
        gunicorn_rss = each_peak_rss_mb(server.pid)
        wrk_rss = round(_WRK_PEAK_MB[0], 1)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        admin_sql(base_db, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')

    def median(name: str, field: str) -> float:
        return round(statistics.median(r[field] for r in runs[name]), 2)

    # The first figure is the master's (the process itself, then its children).
    master_rss, *workers_rss = gunicorn_rss
    result = {
        "benchmark": "analyze",
        "clients": args.clients,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "gunicorn_workers": args.workers,
        "gunicorn_threads": args.threads,
        "runs": runs,
        "trivial_rps": median("trivial", "rps"),
        "analyze_rps": median("analyze", "rps"),
        "rps_ratio_to_trivial": round(
            median("analyze", "rps") / median("trivial", "rps"), 3
        ),
        "trivial_p50_ms": median("trivial", "p50_ms"),
        "trivial_p99_ms": median("trivial", "p99_ms"),
        "analyze_p50_ms": median("analyze", "p50_ms"),
        "analyze_p99_ms": median("analyze", "p99_ms"),
        "p99_ratio_to_trivial": round(
            median("analyze", "p99_ms") / median("trivial", "p99_ms"), 2
        ),
        "serving_process_rss_mb": max(workers_rss) if workers_rss else None,
        "peak_rss_mb": {
            "gunicorn_master": master_rss,
            "gunicorn_workers": workers_rss,
            "wrk": wrk_rss,
            "bench": round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
            ),
        },
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
