"""gunicorn behind deploy/nginx: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

Synchronous workers are right here because nginx buffers whole requests and
answers: a worker is busy only while Django works, never while a client is slow.
Settings come from the environment so one file serves every machine.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
# A request still running after this is killed (nginx waits a little longer).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so slow leaks never add up.
max_requests = 2000
max_requests_jitter = 200
# Only nginx on this machine talks to gunicorn; its X-Forwarded-* are believed.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# nginx keeps the access log; errors and Django's JSON lines go to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The workers' heartbeat files, in memory rather than on a disk that may stall.
_shm = "/dev/shm"  # noqa: S108 - gunicorn's documented choice, files it owns
worker_tmp_dir = _shm if os.path.isdir(_shm) else None
# gunicorn's control socket is one path per user: two sites (or tests) would clash.
control_socket_disable = True
