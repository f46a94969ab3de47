"""Settings for the HTTP benchmark: Parley's local settings with debug off, plus a
trivial view (the baseline every figure is divided by) served the same way."""

import os

from config.settings.local import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.benchurls"

if "BENCH_CACHE_PREFIX" in os.environ:
    # bench/instructions.py's processes run side by side on one Redis database:
    # each keeps its counters and scoring slots apart.
    CACHES["default"]["KEY_PREFIX"] = os.environ["BENCH_CACHE_PREFIX"]  # noqa: F405
