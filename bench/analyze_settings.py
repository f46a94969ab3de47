"""Settings for bench/analyze.py: Parley's local settings plus one trivial view."""

from config.settings.local import *  # noqa: F403

ROOT_URLCONF = "bench.analyze_urls"
PARLEY_PERSPECTIVE_API = True
DEBUG = False
