"""What a web process loads: it serves pages without scikit-learn."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter: this test process has loaded the classifier already.
SCRIPT = """
import gc, json, os, sys
from wsgiref.util import setup_testing_defaults

from config.wsgi import application
from django.core.management import call_command

call_command("migrate", verbosity=0)
from tests.factories import make_article, make_comment

article = make_article(title="A story served by the web process")
make_comment(article=article, body="A published comment on the story.")
environ = {}
setup_testing_defaults(environ)
environ["PATH_INFO"] = article.get_absolute_url()
statuses = []
body = b"".join(application(environ, lambda s, h, e=None: statuses.append(s)))
print(json.dumps({
    "status": statuses[0],
    "page_shows_comment": b"A published comment on the story." in body,
    "loaded": sorted(m for m in ("sklearn", "scipy", "numpy") if m in sys.modules),
    "frozen": gc.get_freeze_count(),
}))
"""


def test_a_web_process_renders_a_story_page_without_loading_scikit_learn(
    tmp_path: Path,
) -> None:
    """Importing the WSGI app and serving a story page never imports sklearn."""
    # given a fresh interpreter with the WSGI application and its own database
    env = {
        k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")
    }
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'web.sqlite3'}"
    # when it renders a story page
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # then the page is served and scikit-learn was never imported
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"].startswith("200")
    assert result["page_shows_comment"]
    assert "sklearn" not in result["loaded"]
    assert "scipy" not in result["loaded"]
    # and the heap it started with is frozen out of the garbage collector's way
    # (config/heap.py): a full collection walks only what requests allocate
    assert result["frozen"] > 10_000
