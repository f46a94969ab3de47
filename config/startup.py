"""Refuse to start a server or worker without an explicit settings module.

`manage.py` defaults to the local (development) settings so `make run` and the
tests need nothing set. A WSGI/ASGI server or a Celery process falling back to those
settings in production would run with DEBUG on and a key committed to the
repository, so these entry points insist on DJANGO_SETTINGS_MODULE.
"""

import os

from django.core.exceptions import ImproperlyConfigured


def require_settings_module(entry_point: str) -> str:
    module = os.environ.get("DJANGO_SETTINGS_MODULE", "")
    if not module:
        raise ImproperlyConfigured(
            f"{entry_point}: DJANGO_SETTINGS_MODULE is not set. Set it to "
            "config.settings.production in production (config.settings.local to "
            "try Parley on one machine); there is no default here on purpose."
        )
    return module
