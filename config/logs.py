"""Log lines that a collector can parse and join up.

`JsonFormatter` writes one JSON object per line. `RequestIdFilter` stamps every
record with the id of the request being handled (the reference id a reader sees on
an error page, set by config.middleware), or in a Celery worker with the id of the
task being run, so all the lines of one request or task can be found together.
"""

import contextvars
import json
import logging
from datetime import UTC, datetime

from celery import current_task

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar(
    "parley_request_id", default=""
)

# Attributes every LogRecord has; anything else was passed in `extra=` and is kept.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def _task_id() -> str:
    request = getattr(current_task, "request", None) if current_task else None
    return str(getattr(request, "id", "") or "")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            # django.request logs a request's error after the middleware has
            # finished with it, but passes the request along.
            request = getattr(record, "request", None)
            record.request_id = (
                getattr(request, "reference_id", "")
                or request_id_var.get()
                or _task_id()
                or "-"
            )
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key == "request":
                entry["path"] = getattr(value, "path", "")
            elif key not in _STANDARD and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)
