"""Settings for trying Parley on one machine (`make run`)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env(
    "DJANGO_SECRET_KEY", default="local-development-only-not-secret-0f3c9a7e"
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

# `make run` serves the Perspective-compatible API on the main port too.
PARLEY_PERSPECTIVE_API = env.bool("PARLEY_PERSPECTIVE_API", default=True)
