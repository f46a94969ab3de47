"""Start the production layout on one machine: nginx in front of gunicorn.

Used by the proxy tests and bench/load.py. Each process runs in the foreground as
a child in its own session (so it and its workers stop together), with every file
it writes under a temporary folder.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
ROOT = DEPLOY.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_available() -> bool:
    return Path(NGINX).exists()


def wait_for_port(port: int, *, timeout: float = 30.0, proc: "Process | None" = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.popen.poll() is not None:
            raise RuntimeError(f"{proc.name} exited: see {proc.log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout:.0f}s")


class Process:
    def __init__(
        self,
        name: str,
        args: list[str],
        env: dict[str, str],
        log: Path,
        *,
        stop_signal: int = signal.SIGTERM,
    ):
        self.name = name
        self.log = log
        self.stop_signal = stop_signal
        self.popen = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, self.stop_signal)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=5)


def render_nginx_conf(*, prefix: Path, port: int, upstream: str) -> Path:
    text = (DEPLOY / "nginx" / "standalone.conf.template").read_text()
    for key, value in {
        "prefix": str(prefix),
        "port": str(port),
        "upstream": upstream,
        "deploy": str(DEPLOY),
    }.items():
        text = text.replace("{" + key + "}", value)
    conf = prefix / "nginx.conf"
    conf.write_text(text)
    return conf


def start_nginx(*, prefix: Path, port: int, upstream: str) -> Process:
    prefix.mkdir(parents=True, exist_ok=True)
    # nginx started as root runs its workers as "nobody": let them use the folder.
    prefix.chmod(0o755)
    conf = render_nginx_conf(prefix=prefix, port=port, upstream=upstream)
    proc = Process(
        "nginx",
        [NGINX, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
        dict(os.environ),
        prefix / "nginx.out",
    )
    wait_for_port(port, proc=proc)
    return proc


def start_gunicorn(*, port: int, env: dict[str, str], log: Path, workers: int = 2):
    proc = Process(
        "gunicorn",
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(DEPLOY / "gunicorn.conf.py"),
            "config.wsgi:application",
        ],
        {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(workers),
        },
        log,
        # Quick shutdown: SIGTERM waits for nginx's idle keep-alive connections.
        stop_signal=signal.SIGQUIT,
    )
    wait_for_port(port, proc=proc, timeout=60)
    return proc


def production_env(
    *, database_url: str, redis_url: str, **extra: str
) -> dict[str, str]:
    """Production settings over plain HTTP on this machine (no TLS here)."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PARLEY_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="stack-" + "x" * 60,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        PARLEY_METRICS_TOKEN="stack-metrics-token",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SECURE_COOKIES="false",
        # Templates find static files without collectstatic's manifest.
        DJANGO_STATIC_MANIFEST="false",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env
