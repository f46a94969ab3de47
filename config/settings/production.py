"""Production: PostgreSQL, Redis and separate Celery worker and beat processes.

Every secret comes from the environment; a missing one stops start-up with a clear
error instead of running with a default.
"""

from .base import *  # noqa: F403
from .base import REDIS_URL, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
if not REDIS_URL:
    raise RuntimeError("REDIS_URL is required in production (Celery broker and cache).")
if env("DATABASE_URL", default="").startswith("sqlite"):
    raise RuntimeError("DATABASE_URL must point at PostgreSQL in production.")

SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
