"""The Celery application: configured from Django settings under the CELERY_ prefix."""

from celery import Celery

from config.startup import require_settings_module

require_settings_module("the Celery app (celery -A config)")

# Every task records when its body runs: see config/celery_tasks.py.
app = Celery("parley", task_cls="config.celery_tasks:ParleyTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
