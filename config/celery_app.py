"""The Celery application: configured from Django settings under the CELERY_ prefix."""

from celery import Celery

from config.startup import require_settings_module

require_settings_module("the Celery app (celery -A config)")

app = Celery("parley")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
