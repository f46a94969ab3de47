"""Page objects for the browser tests: one per screen, so a test reads as steps."""

import os
from pathlib import Path
from typing import Any

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
WIDE = {"width": 1600, "height": 900}
WIDTHS = (("1366", LAPTOP), ("390", PHONE))
PASSWORD = "correct horse battery staple"

# Screenshots are written when this names a folder (docs/screenshots/ for the
# README); otherwise they are skipped, so a test run leaves the tree untouched.
SCREENSHOTS = os.environ.get("PARLEY_SCREENSHOTS", "")


def shoot(page: Any, name: str, *, full_page: bool = False) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=full_page
        )


def horizontal_overflow(page: Any) -> int:
    """How many pixels the page is wider than the window (0: no sideways scroll)."""
    root = "document.documentElement"
    return int(page.evaluate(f"{root}.scrollWidth - {root}.clientWidth"))


class LoginPage:
    def __init__(self, page: Any, base: str) -> None:
        self.page, self.base = page, base

    def open(self) -> "LoginPage":
        self.page.goto(f"{self.base}/accounts/login/")
        return self

    def log_in(self, username: str, password: str = PASSWORD) -> None:
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_load_state()


class StoryPage:
    def __init__(self, page: Any, base: str, path: str) -> None:
        self.page, self.base, self.path = page, base, path

    def open(self, query: str = "") -> "StoryPage":
        self.page.goto(f"{self.base}{self.path}{query}")
        return self

    @property
    def comment_box(self) -> Any:
        return self.page.locator("#id_body")

    @property
    def counter(self) -> Any:
        return self.page.locator("#id_body-count")

    @property
    def post_button(self) -> Any:
        return self.page.get_by_role("button", name="Post comment")

    def comment(self, pk: int) -> Any:
        return self.page.locator(f"#c{pk}")

    def reply(self, pk: int, text: str) -> None:
        self.comment(pk).locator("summary", has_text="Reply").click()
        self.comment(pk).locator("textarea").fill(text)
        self.comment(pk).get_by_role("button", name="Post reply").click()
        self.page.wait_for_load_state()
