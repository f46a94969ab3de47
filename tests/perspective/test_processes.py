"""Only a process that serves the API loads the model for it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from perspective import scoring

from .conftest import ANALYZE, Call

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import json, sys
import django
django.setup()
from django.test import Client
from moderation.services import registry
response = Client().post("/v1alpha1/comments:analyze?key=x", data="{}",
                         content_type="application/json")
print(json.dumps({
    "status": response.status_code,
    "loaded": sorted(registry._loaded),
    "lingua": "lingua" in sys.modules,
    # scipy: the model's own library (scoring needs no scikit-learn).
    "scipy": "scipy" in sys.modules,
}))
"""


def test_an_ordinary_web_process_never_loads_the_model() -> None:
    """PARLEY_PERSPECTIVE_API off (the default outside `make run`): the route
    answers 404 and neither the model, its libraries nor the language detector
    is loaded."""
    # given
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PARLEY_PERSPECTIVE_API": "false",
    }
    # when
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    # then
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe == {"status": 404, "loaded": [], "lingua": False, "scipy": False}


@pytest.mark.django_db
def test_a_serving_process_loads_the_model_once(call: Call) -> None:
    # given
    body = {"comment": {"text": "hello there"}, "requestedAttributes": {"TOXICITY": {}}}
    call(ANALYZE, body)
    first = scoring.current_model()
    # when
    call(ANALYZE, body)
    # then
    assert scoring.current_model() is first
