"""Settings for the HTTP benchmark: Parley's local settings with debug off, plus a
trivial view (the baseline every figure is divided by) served the same way."""

from config.settings.local import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.benchurls"
