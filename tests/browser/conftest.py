"""Browser tests: Playwright for Python driving Debian's Chromium against a live server.

They skip, saying why, on a machine without `/usr/bin/chromium` (`.ci/run` installs it);
a browser is never downloaded. Every page a test opens fails the test on a JavaScript
dialog or a console error.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("PARLEY_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls
# (given/then) are still synchronous, so Django's async-safety check does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists() and shutil.which(str(CHROMIUM)):
        return
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} not found: browser tests need Debian's chromium "
        "(apt-get install chromium; .ci/run installs it)"
    )
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any],
) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


class BrowserErrors(list[str]):
    """Console errors, uncaught exceptions and dialogs seen by a page."""


@pytest.fixture
def browser_errors(page: Any) -> Iterator[BrowserErrors]:
    errors = BrowserErrors()
    page.on(
        "console",
        lambda msg: (
            errors.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))

    def on_dialog(dialog: Any) -> None:
        errors.append(f"dialog {dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield errors
    assert not errors, f"the browser reported: {errors}"
