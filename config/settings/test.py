"""Settings for the test suite: fast hashing, in-process tasks for unit tests.

Integration tests start a real Celery worker (with local settings) against the same
database and Redis; they are marked `integration`.
"""

import os

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="test-only-not-secret-6d1e2b")
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "parley-test",
    }
}
RATELIMIT_ENABLE = True
# Tests read the dashboard and /metrics right after a change: no stale rollup.
PARLEY_STATS_MAX_AGE_SECONDS = -1
PARLEY_PERSPECTIVE_API = env.bool("PARLEY_PERSPECTIVE_API", default=True)
# Each test sees its own key changes and usage rows at once.
PARLEY_PERSPECTIVE_KEY_CACHE_SECONDS = 0.0
PARLEY_PERSPECTIVE_USAGE_FLUSH_SECONDS = 0.0
# The per-process cache above is deliberate here: each test starts from a clear one.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001", "axes.W001"]

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not memory, so a real worker process in integration tests shares it;
    # one per test run, so runs side by side do not share a database.
    (BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405
    _test_db = BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3"  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(_test_db)}  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20  # noqa: F405
