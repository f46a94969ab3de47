"""Production: behind the reverse proxy in deploy/, PostgreSQL, Redis and separate
Celery worker and beat processes.

Every secret comes from the environment; a missing one stops start-up with a clear
error instead of running with a default. `manage.py check --deploy` is clean with
these settings (make test checks it).
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
# /metrics tells the backlog and decision counts to whoever asks: never open here.
PARLEY_METRICS_TOKEN = env("PARLEY_METRICS_TOKEN")

# HTTPS only. The proxy terminates TLS and says so in X-Forwarded-Proto. The two
# switches exist for running these settings over plain HTTP on one machine (the
# proxy test and the soak benchmark); never turn them off on a public site.
_https = env.bool("DJANGO_SECURE_COOKIES", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Load balancers and Prometheus ask inside the network, over HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True
)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    # Joining the browsers' preload list binds the whole domain for months; that is
    # the site owner's decision (DJANGO_HSTS_PRELOAD), not a default.
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]  # noqa: F405

# deploy/nginx.conf.template is the one hop whose X-Forwarded-For is believed.
PARLEY_TRUSTED_PROXY_HOPS = env.int("PARLEY_TRUSTED_PROXY_HOPS", default=1)
REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": PARLEY_TRUSTED_PROXY_HOPS}  # noqa: F405

# Hashed, compressed static files, served by WhiteNoise (after collectstatic). The
# switch lets a one-machine run (deploy/stack.py) skip collectstatic.
if env.bool("DJANGO_STATIC_MANIFEST", default=True):
    STORAGES = {
        **STORAGES,  # noqa: F405
        "staticfiles": {
            "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        },
    }

LOGGING = {
    **LOGGING,  # noqa: F405
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env("LOG_FORMAT", default="json"),
            "filters": ["request_id"],
        }
    },
}
