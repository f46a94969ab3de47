"""Worker process start-up: load the model once and keep a heartbeat fresh."""

import logging
import os
import threading
import time
from typing import Any

from celery.signals import worker_process_init, worker_ready
from django.core.cache import cache
from django.db import close_old_connections

from config.heap import settle_heap
from moderation.services import registry
from moderation.tasks import free_slots_of

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "parley:worker-heartbeat"
HEARTBEAT_EVERY_SECONDS = 10
HEARTBEAT_TTL_SECONDS = 60


def write_heartbeat() -> None:
    state = registry.model_state()
    cache.set(
        HEARTBEAT_KEY,
        {
            "at": time.time(),
            "pid": os.getpid(),
            "model_version": state.version,
            "model_error": state.error,
        },
        HEARTBEAT_TTL_SECONDS,
    )


def _heartbeat_loop() -> None:
    stop = threading.Event()
    while not stop.wait(HEARTBEAT_EVERY_SECONDS):
        try:
            close_old_connections()
            write_heartbeat()
        except Exception:
            logger.warning("Worker heartbeat failed.", exc_info=True)


@worker_process_init.connect
def _warm_worker(**_: Any) -> None:
    try:
        state = registry.warm()
        logger.info(
            "Worker %s ready: model %s", os.getpid(), state.version or state.error
        )
        write_heartbeat()
    except Exception:
        logger.exception("Worker could not warm its model; comments will be held.")
    finally:
        close_old_connections()
    # The model and Django stay for the process's life: out of the collector's way.
    settle_heap(urls=False)
    threading.Thread(target=_heartbeat_loop, daemon=True, name="heartbeat").start()


@worker_ready.connect
def _free_slots_of_a_dead_predecessor(sender: Any = None, **_: Any) -> None:
    """A worker starting under a node name frees the drain slots that name held:
    the process that held them is gone, so nothing would drain in their place
    until they expire."""
    hostname = str(getattr(sender, "hostname", "") or "")
    freed = free_slots_of(hostname)
    if freed:
        logger.info("Freed %s drain slot(s) left by a dead %s.", freed, hostname)
