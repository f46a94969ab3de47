"""Settings shared by every environment.

Everything that differs between machines comes from the environment (django-environ).
With no DATABASE_URL, Parley uses SQLite inside the project folder; with no REDIS_URL,
Celery tasks run in-process, so a bare machine can try Parley with no services.
"""

from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ

# Lets classes such as ModelSerializer[Article] be subscripted at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY: str = env("DJANGO_SECRET_KEY", default="")  # each environment sets it
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_ratelimit",
    "csp",
    "axes",
    "corsheaders",
    "accounts",
    "articles",
    "moderation",
    "readers",
    "perspective",
    "sites",
]

MIDDLEWARE = [
    # First, so that a request from inside the embed frame leaves with no cookie.
    "sites.middleware.FrameMiddleware",
    "config.middleware.ReferenceIdMiddleware",
    # Before the session is read: a NUL in a cookie or the address is no 500.
    "config.middleware.NulCharacterMiddleware",
    "config.middleware.ApiBodyLimitMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # django-csp's, with its policy built once instead of twice per response.
    "config.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, except that a request from the embed frame is its token's reader.
    "sites.middleware.FrameAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, as django-axes asks: it turns a lock-out raised below into its response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out client is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "readers.context_processors.unread_notifications",
                "sites.context_processors.frame",
            ],
            "libraries": {
                "dates": "core.template_dates",
                "routes": "core.template_routes",
            },
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: a worker scores many comments a second, and opening a
# PostgreSQL connection per task costs more than scoring the comment.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's, with a health check that looks at the socket before it sends a
    # query (config/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "config.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "articles:list"
LOGOUT_REDIRECT_URL = "articles:list"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # WhiteNoise serves the collected files with far-future caching headers (their
    # names carry a hash), so static files never reach a Django view.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Security headers on every response. The Content-Security-Policy comes from
# django-csp: no inline script or style is allowed anywhere, and a view that needs
# another policy (an embeddable page's frame-ancestors) changes it with
# csp.decorators.csp_update / csp_replace rather than here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Reverse proxies in front of Django whose X-Forwarded-For entry is believed (see
# config/client_ip.py): 0 when clients connect directly, 1 behind deploy/nginx.
# Request bodies over this many bytes are refused (413); the proxy has the same limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("PARLEY_MAX_BODY_BYTES", default=1024 * 1024)
PARLEY_TRUSTED_PROXY_HOPS = env.int("PARLEY_TRUSTED_PROXY_HOPS", default=0)
RATELIMIT_IP_META_KEY = "config.client_ip.client_ip"

# Failed log-ins (django-axes): a username tried from one address is locked out for
# a while after a few wrong passwords; counters live in the cache (Redis), not in
# tables of their own.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = env.int("PARLEY_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(
    minutes=env.int("PARLEY_LOGIN_COOLOFF_MINUTES", default=15)
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_VERBOSE = False
# The cache handler keeps no rows, so its admin pages would only ever be empty.
AXES_ENABLE_ADMIN = False

REDIS_URL: str = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "parley",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "parley",
        }
    }

# Celery: with no broker configured, tasks run in the web process so a bare machine
# still scores comments. In production REDIS_URL is required (see production.py).
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
# Kombu's Redis transport, keeping one Redis client instead of building one per
# published task (config/broker.py). Not for rediss://: Kombu chooses its default
# TLS settings by that scheme's name.
CELERY_BROKER_TRANSPORT = (
    "config.broker:Transport" if CELERY_BROKER_URL.startswith("redis://") else None
)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A pool process loads the model before it reports ready (moderation/signals.py):
# measured 1.9-2.7 s on a busy 2-core machine, against Celery's default of 4 s, after
# which the process is killed and forked again. The limit is raised, not the load
# made lazy, so the first comment after a start does not pay for the load.
CELERY_WORKER_PROC_ALIVE_TIMEOUT = env.float(
    "CELERY_WORKER_PROC_ALIVE_TIMEOUT", default=60.0
)
# Workers log through LOGGING below (JSON lines with the task id), not Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Every task's limits unless it sets its own; a scoring drain stops well before
# the soft one (moderation/tasks.py). Small values let tests reach them quickly.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=20)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"moderation.score_comment": {"queue": "scoring"}}
# A task taken by a worker that dies unacknowledged is delivered again after this.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=300),
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "requeue-stale-pending": {
        "task": "moderation.requeue_stale_pending",
        # Often and cheap: one query on a partial index, and a few tasks at most.
        "schedule": timedelta(seconds=env.int("PARLEY_SWEEP_SECONDS", default=5)),
    },
    "purge-ip-hashes": {
        "task": "readers.purge_ip_hashes",
        "schedule": timedelta(hours=6),
    },
    "stats-rollup": {
        "task": "moderation.stats_rollup",
        "schedule": timedelta(seconds=60),
    },
    "priorities-expire": {
        # A suspension that runs out takes its points off the author's queued
        # comments (moderation.services.priority); the window covers missed runs.
        "task": "moderation.priorities_expire",
        "schedule": timedelta(seconds=60),
    },
    "priorities-wait": {
        # The ranked queues' waiting points step up at 1, 4 and 12 hours: a
        # comment sits at most one run below its step (moderation.services.priority).
        "task": "moderation.priorities_wait",
        "schedule": timedelta(seconds=60),
    },
    "priorities-repair": {
        # A safety net, not the way rows are kept (the transitions and hooks do
        # that): rows a failed after-commit hook lost or left behind are put right.
        # About half a second at a million comments, so not every minute.
        "task": "moderation.priorities_repair",
        "schedule": timedelta(minutes=10),
    },
    "requeue-stuck-emails": {
        "task": "readers.requeue_stuck_emails",
        "schedule": timedelta(minutes=5),
    },
}

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate challenge makes an unauthenticated write
    # a 401 (DRF answers 403 when the first class has no challenge to offer).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticatedOrReadOnly",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "config.api_errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Throttles key anonymous clients by the address the trusted proxy saw.
    "NUM_PROXIES": env.int("PARLEY_TRUSTED_PROXY_HOPS", default=0),
    "DEFAULT_THROTTLE_RATES": {
        "comment_write": env("PARLEY_COMMENT_WRITE_RATE", default="10/min"),
        "problem_report": env("PARLEY_PROBLEM_REPORT_RATE", default="5/hour"),
        "moderator_action": env("PARLEY_MODERATOR_ACTION_RATE", default="120/min"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Parley API",
    "DESCRIPTION": "Stories and their threaded comment sections.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from this site (drf-spectacular-sidecar), not a CDN: the docs page keeps
    # the site's Content-Security-Policy and works without the internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set shared by several endpoints.
    "ENUM_NAME_OVERRIDES": {
        "RejectionReasonEnum": "moderation.reasons.RejectionReason",
        "CommentStatusEnum": "articles.models.CommentStatus",
        "ModerationPolicyEnum": "articles.models.ModerationPolicy",
    },
}

# Messages survive a redirect inside the embed frame, which has no cookies.
MESSAGE_STORAGE = "sites.messages.FrameAwareStorage"

# CORS (django-cors-headers) only for the comment counts, and only for origins a
# site allows (sites/signals.py decides per request).
CORS_URLS_REGEX = r"^/api/v1/counts/?$"
CORS_ALLOW_METHODS = ["GET", "OPTIONS"]
CORS_ALLOWED_ORIGINS: list[str] = []

# Parley's own settings.
# The site's name as readers see it; display names may not read like it.
PARLEY_SITE_NAME: str = env("PARLEY_SITE_NAME", default="Parley News")
PARLEY_COMMENT_MAX_LENGTH = 5000
# Where `make run` serves the demo newsroom that embeds Parley (load_demo uses it).
PARLEY_DEMO_NEWSROOM_URL = env(
    "PARLEY_DEMO_NEWSROOM_URL", default="http://localhost:8001"
)
# Stories created by the embed on first load, per client address.
PARLEY_EMBED_STORY_CREATE_RATE = env("PARLEY_EMBED_STORY_CREATE_RATE", default="20/h")
# Story API writes (PUT /api/v1/sites/…/stories/…), per calling address: room
# for a CMS that re-sends its recent stories on every publish.
PARLEY_STORY_WRITE_RATE = env("PARLEY_STORY_WRITE_RATE", default="300/m")
PARLEY_EDIT_WINDOW = timedelta(
    minutes=env.int("PARLEY_EDIT_WINDOW_MINUTES", default=15)
)
PARLEY_THREAD_PAGE_SIZE = env.int("PARLEY_THREAD_PAGE_SIZE", default=20)
PARLEY_MAX_INDENT = 6
# /metrics and the dashboard read a rollup refreshed every minute by beat; a reader
# finding it older than this refreshes it (see moderation.services.stats).
PARLEY_STATS_MAX_AGE_SECONDS = env.int("PARLEY_STATS_MAX_AGE_SECONDS", default=180)
PARLEY_STORY_PAGE_SIZE = env.int("PARLEY_STORY_PAGE_SIZE", default=20)
# Replies shown under a top-level comment on a thread page; the rest are one click
# away on the comment's own page, so a page has a bounded size.
PARLEY_THREAD_REPLIES_SHOWN = env.int("PARLEY_THREAD_REPLIES_SHOWN", default=50)
# The deployed revision (e.g. the git commit): part of every cached thread entry's
# key, so pages rendered by the previous release's templates are never served.
PARLEY_RELEASE = env("PARLEY_RELEASE", default="")
# Cached thread pages expire after this even if the story never changes.
PARLEY_THREAD_CACHE_SECONDS = env.int("PARLEY_THREAD_CACHE_SECONDS", default=3600)
# Each web process also keeps the entries it used lately, up to this many bytes: a
# hit then reads only the story's version from Redis (articles/cache.py).
PARLEY_THREAD_PROCESS_BYTES = env.int("PARLEY_THREAD_PROCESS_BYTES", default=8_000_000)
# Comment writes per reader (HTML forms), enforced with django-ratelimit.
PARLEY_COMMENT_WRITE_RATE = env("PARLEY_COMMENT_WRITE_RATE", default="10/m")
RATELIMIT_VIEW = "articles.views.rate_limited"
# The model registered and activated on first use when no model version is active;
# empty means the model shipped in moderation/classifier/shipped/.
PARLEY_MODEL_PATH: str = env("PARLEY_MODEL_PATH", default="")
# The sweeper re-queues comments still pending after this many seconds.
PARLEY_STALE_PENDING_SECONDS = env.int("PARLEY_STALE_PENDING_SECONDS", default=10)
# /healthz turns unhealthy when a comment has been pending longer than this.
PARLEY_PENDING_ALERT_SECONDS = env.int("PARLEY_PENDING_ALERT_SECONDS", default=120)
# How many scoring tasks may drain the backlog at once (about one per worker
# process that scores); see moderation/tasks.py.
PARLEY_SCORING_SLOTS = env.int("PARLEY_SCORING_SLOTS", default=4)
# When set, /metrics answers only to "Authorization: Bearer <token>".
PARLEY_METRICS_TOKEN: str = env("PARLEY_METRICS_TOKEN", default="")
# Comments scored together under one lock and one model call.
PARLEY_SCORING_BATCH_SIZE = env.int("PARLEY_SCORING_BATCH_SIZE", default=100)
# After a batch under a fifth of that size, a drain lets the next one gather for
# this long (ms) before taking it (moderation/tasks.py); 0: never. Off by
# default: at 25 ms, bench/pipeline.py's decision latency at 50 posts/s went
# from p50/p95 20/33 ms to 69/3,143 ms (docs/benchmarks.md, 2026-12-03).
PARLEY_SCORING_GATHER_MS = env.int("PARLEY_SCORING_GATHER_MS", default=0)

# The Perspective-compatible API (perspective/): answered, and the model loaded
# for it, only by processes that set this; the others answer 404.
PARLEY_PERSPECTIVE_API = env.bool("PARLEY_PERSPECTIVE_API", default=False)
# How long a serving process trusts a key row it looked up (a revocation reaches
# other processes within this), and how often it writes its usage counts.
PARLEY_PERSPECTIVE_KEY_CACHE_SECONDS = env.float(
    "PARLEY_PERSPECTIVE_KEY_CACHE_SECONDS", default=5.0
)
PARLEY_PERSPECTIVE_USAGE_FLUSH_SECONDS = env.float(
    "PARLEY_PERSPECTIVE_USAGE_FLUSH_SECONDS", default=5.0
)

# Readers' help, appeals, notifications (readers/).
PARLEY_PROBLEM_REPORT_RATE = env("PARLEY_PROBLEM_REPORT_RATE", default="5/h")
PARLEY_READER_WRITE_RATE = env("PARLEY_READER_WRITE_RATE", default="10/m")
# Key for hashing client addresses; empty derives one from SECRET_KEY.
PARLEY_IP_HASH_KEY: str = env("PARLEY_IP_HASH_KEY", default="")

# Email: written to the console unless EMAIL_URL names an SMTP server, e.g.
# smtp+tls://user:password@smtp.example.org:587 (see the README).
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND: str = _email["EMAIL_BACKEND"]
EMAIL_HOST: str = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT: int = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER: str = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD: str = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS: bool = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL: bool = bool(_email.get("EMAIL_USE_SSL"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Parley <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# One line per record; "json" (production's default) for log collectors. Every line
# written while a request is handled carries its reference id (config/logs.py).
LOG_FORMAT = env("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
        },
        "json": {"()": "config.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# django-ratelimit only knows its own list of backends; ours is Redis underneath.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if not REDIS_URL:
    # LocMem is per-process; acceptable for a one-process trial run, never production.
    SILENCED_SYSTEM_CHECKS += ["django_ratelimit.E003", "axes.W001"]
