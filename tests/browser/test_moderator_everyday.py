"""A moderator's everyday use in a real browser (issue 14, points 8 and 9): the
queue fits a laptop at 1366 and 1600 px, a/r wait in an undo bar, and the
review page keeps destructive actions apart, at 1366 and 390 px."""

import importlib
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.models import User
from articles.models import Article, CommentStatus
from moderation.models import PipelineResult, Report
from moderation.reasons import ReportReason
from tests.factories import make_comment, make_user

from .conftest import BrowserErrors
from .pages import LAPTOP, PHONE, WIDE, LoginPage, horizontal_overflow, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLUMNS = (
    "Priority",
    "Comment",
    "Story",
    "Author",
    "Reasons",
    "Score",
    "Reports",
    "Waiting",
)
QUEUE = "/admin/moderation/needsreviewcomment/"


class QueuePage:
    def __init__(self, page: Any, base: str) -> None:
        self.page, self.base = page, base

    def open(self) -> "QueuePage":
        self.page.goto(f"{self.base}{QUEUE}")
        return self

    def header(self, name: str) -> Any:
        return self.page.locator("#result_list thead th", has_text=name).first

    @property
    def undo_bar(self) -> Any:
        return self.page.locator("#undo-bar")

    def field(self, name: str) -> Any:
        return self.page.locator(f".actions [name={name}]")


def _moderators_group() -> Group:
    """The group a migration creates; an earlier transactional test's flush may
    have emptied it (permissions come back after a flush, groups do not)."""
    migration = importlib.import_module("moderation.migrations.0003_moderators_group")
    group, _ = Group.objects.get_or_create(name=migration.GROUP)
    for app_label, codename in migration.PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return group


def _held(article: Article, author: User, body: str, reasons: list[str]) -> Any:
    comment = make_comment(
        article=article, author=author, body=body, status=CommentStatus.HELD
    )
    PipelineResult.objects.create(
        comment=comment,
        text_version=1,
        outcome="hold",
        reasons=[{"code": code, "phase": "rules", "detail": ""} for code in reasons],
        toxicity=0.8123,
        model_version="m1",
    )
    return comment


def test_queue_fits_and_actions_are_fast_and_safe(
    page: Any,
    live_server: Any,
    browser_errors: BrowserErrors,
    article: Article,
    reader: User,
    other_reader: User,
) -> None:
    """Every column is on screen without sideways scrolling at 1366 and 1600 px,
    long words wrap; a pressed "a" says what will happen and can be undone; the
    bulk bar shows only what the chosen action needs; destructive review buttons
    stand apart; the message names the comment and the outcome."""
    # given: held comments with long words and many reasons, one reported
    moderator = make_user(username="mod", display_name="Mo", is_staff=True)
    moderator.groups.add(_moderators_group())
    long_one = _held(
        article,
        reader,
        "Look: " + "Unbelievablyoutrageous" * 10 + " https://example.org/" + "x" * 200,
        ["NEW_COMMENTER", "TOXIC", "LINKS", "WORD_RULE", "RECENT_REJECTIONS"],
    )
    second = _held(article, reader, "A plainer held comment.", ["TOXIC"])
    Report.objects.create(
        comment=second, reporter=other_reader, reason=ReportReason.SPAM
    )
    not_found: list[str] = []
    page.on("response", lambda r: not_found.append(r.url) if r.status >= 400 else None)
    LoginPage(page, live_server.url).open().log_in(moderator.username)
    queue = QueuePage(page, live_server.url)
    for width, size in (("1366", LAPTOP), ("1600", WIDE)):
        page.set_viewport_size(size)
        queue.open()
        # then: no sideways scrolling; every column header is inside the window
        assert horizontal_overflow(page) == 0, f"{width}px"
        results = page.locator("#changelist .results")
        assert results.evaluate("r => r.scrollWidth - r.clientWidth") == 0, width
        right = min(
            results.bounding_box()["x"] + results.bounding_box()["width"],
            page.locator("#changelist-filter").bounding_box()["x"],
        )
        for name in COLUMNS:
            box = queue.header(name).bounding_box()
            assert box is not None, name
            assert box["x"] + box["width"] <= right + 1, (width, name)
        priority = page.locator(
            f"#result_list tr:has(input[value='{long_one.pk}']) .priority"
        )
        assert priority.is_visible()
        shoot(page, f"queue-{width}")
    # when: the bulk menu changes, only the fields that action reads show
    menu = page.locator(".actions select[name=action]")
    menu.select_option("approve_comments")
    assert queue.field("note").is_visible()
    assert not queue.field("reason").is_visible()
    assert not queue.field("reject_held").is_visible()
    menu.select_option("ban_authors")
    assert queue.field("reason").is_visible()
    assert queue.field("reject_held").is_visible()
    assert not queue.field("reject_held").is_checked()
    assert not queue.field("days").is_visible()
    menu.select_option("")
    # when: "a" on the first row, then undo
    page.clock.install()
    queue.open()
    first_row = page.locator("#result_list tbody tr").first
    first_id = first_row.locator("input.action-select").get_attribute("value")
    page.keyboard.press("a")
    # then: the bar says what will happen, and u stops it
    assert queue.undo_bar.is_visible()
    assert f"Comment #{first_id} will be approved" in queue.undo_bar.inner_text()
    shoot(page, "queue-undo-bar-1600")
    page.keyboard.press("u")
    assert queue.undo_bar.is_hidden()
    page.clock.fast_forward(10_000)
    assert page.locator("#result_list tbody tr").count() == 2
    # when: "a" again and the seconds run out
    page.keyboard.press("a")
    with page.expect_navigation():
        page.clock.fast_forward(6_000)
    # then: the comment is approved and the message says so in words
    assert page.get_by_text(f"Comment #{first_id} approved.").is_visible()
    assert page.locator("#result_list tbody tr").count() == 1
    # when: the review page of the other comment, at both widths
    remaining = page.locator("#result_list tbody tr a.review-link").first
    remaining.click()
    for width, size in (("1366", LAPTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        page.reload()
        approve = page.get_by_role("button", name="Approve", exact=True)
        ban = page.get_by_role("button", name="Reject and ban author")
        # then: Ban looks different from Approve and sits in its own row, apart
        assert ban.evaluate("b => getComputedStyle(b).color") != approve.evaluate(
            "b => getComputedStyle(b).color"
        )
        approve_box, ban_box = approve.bounding_box(), ban.bounding_box()
        assert ban_box["y"] >= approve_box["y"] + approve_box["height"] + 10
        assert not page.locator("input[name=reject_held]").is_checked()
        shoot(page, f"review-{width}", full_page=True)
    approve.click()
    page.wait_for_load_state()
    assert page.get_by_text("approved.").first.is_visible()
    assert not [url for url in not_found if "favicon" in url], not_found


# Each line of a cell as it is drawn: its first visible character.
_LINE_STARTS = """cell => {
  const chars = [];
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    for (let i = 0; i < node.length; i++) {
      if (/\\s/.test(node.data[i])) continue;
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      chars.push({c: node.data[i], top: range.getBoundingClientRect().top});
    }
  }
  return chars.filter((ch, i) => i === 0 || ch.top > chars[i - 1].top + 1)
    .map(ch => ch.c);
}"""


def test_queue_reasons_wrap_between_reasons_never_before_a_comma(
    page: Any,
    live_server: Any,
    browser_errors: BrowserErrors,
    article: Article,
    reader: User,
) -> None:
    """In a narrow Reasons column, at 390 and 1366 px, the reasons wrap onto
    several lines between reasons: no line starts with a comma, no reason is
    split across lines, even when the column is no wider than one reason."""
    # given
    moderator = make_user(username="mod", display_name="Mo", is_staff=True)
    moderator.groups.add(_moderators_group())
    codes = ["SUSPECT_WORD", "TOXIC", "NEW_COMMENTER", "LINKS", "RECENT_REJECTIONS"]
    comment = _held(article, reader, "A held comment with many reasons.", codes)
    LoginPage(page, live_server.url).open().log_in(moderator.username)
    queue = QueuePage(page, live_server.url)
    for width, size in (("390", PHONE), ("1366", LAPTOP)):
        # when
        page.set_viewport_size(size)
        queue.open()
        cell = page.locator(
            f"#result_list tr:has(input[value='{comment.pk}']) td.field-reasons_column"
        )
        starts = cell.evaluate(_LINE_STARTS)
        # then
        assert len(starts) > 1, (width, starts)
        assert "," not in starts, (width, starts)
        for code in codes:
            unit = cell.locator(".reason", has_text=code)
            tops = unit.evaluate("u => [...u.getClientRects()].map(r => r.top)")
            assert len(set(tops)) == 1, (width, code, tops)
        shoot(page, f"queue-reasons-{width}")
        # when: the column is squeezed to the width of its first reason alone,
        # where a comma could be pushed onto a line of its own
        cell.evaluate(
            """cell => {
              const code = cell.querySelector('.reason-code');
              const w = code.getBoundingClientRect().width + 'px';
              cell.style.width = cell.style.maxWidth = cell.style.minWidth = w;
              cell.style.padding = '0';
            }"""
        )
        # then
        starts = cell.evaluate(_LINE_STARTS)
        assert starts[:2] == ["S", "T"], (width, starts)
        assert "," not in starts, (width, starts)
