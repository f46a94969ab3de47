"""A reader's everyday use in a real browser, at a laptop's and a phone's width:
accounts (issue 14 point 1), layout (3) and saying what is happening (4)."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from articles.models import Article
from tests.factories import make_comment, make_user

from .conftest import BrowserErrors
from .pages import (
    LAPTOP,
    PHONE,
    WIDTHS,
    LoginPage,
    StoryPage,
    horizontal_overflow,
    shoot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_WORD = "Supercalifragilistic" * 12
LONG_URL = "https://example.org/" + "a-very-long-path-segment/" * 10


def test_accounts_forgot_password_and_back_to_the_story(
    page: Any,
    live_server: Any,
    browser_errors: BrowserErrors,
    article: Article,
    reader: User,
) -> None:
    """From a story: "Forgot password?" sends a link that sets a new password; then
    signing up from the story brings the new reader back to it. Both widths."""
    base, story = live_server.url, article.get_absolute_url()
    for width, size in WIDTHS:
        page.set_viewport_size(size)
        page.context.clear_cookies()
        mail.outbox.clear()
        # when: log in from the story, then forgot password
        page.goto(f"{base}{story}")
        page.get_by_role("link", name="Log in").first.click()
        page.get_by_role("link", name="Forgot password?").click()
        # measured once the reset page is there, not while it is replacing the last
        page.locator("input[name=email]").wait_for()
        assert horizontal_overflow(page) == 0
        shoot(page, f"reset-password-{width}")
        page.fill("input[name=email]", reader.email)
        page.get_by_role("button", name="Send the link").click()
        page.get_by_role("heading", name="Check your email").wait_for()
        # then: the emailed link sets a new password
        link = re.search(r"https?://\S+", str(mail.outbox[0].body))
        assert link
        page.goto(link.group(0))
        new_password = f"a-new-long-passphrase-{width}"
        page.fill("input[name=new_password1]", new_password)
        page.fill("input[name=new_password2]", new_password)
        page.get_by_role("button", name="Set my password").click()
        page.get_by_role("heading", name="Your new password is set").wait_for()
        reader.refresh_from_db()
        assert reader.check_password(new_password)
    # when: a new reader signs up from the story (phone width)
    page.set_viewport_size(PHONE)
    page.goto(f"{base}{story}")
    page.get_by_role("link", name="sign up", exact=True).click()
    page.fill("input[name=username]", "newcomer")
    page.fill("input[name=display_name]", "Newcomer")
    page.fill("input[name=password1]", "a-long-unusual-passphrase")
    page.fill("input[name=password2]", "a-long-unusual-passphrase")
    shoot(page, "sign-up-390")
    page.get_by_role("button", name="Sign up").click()
    # then: back on the story, signed in
    page.wait_for_url(f"{base}{story}")
    assert page.get_by_text("Welcome, Newcomer").is_visible()
    page.get_by_role("link", name="Account").click()
    page.get_by_role("link", name="Change your password").wait_for()
    assert horizontal_overflow(page) == 0
    shoot(page, "account-390")
    # then: the reader's other pages fit the phone too
    for path in ("/me/comments/", "/me/notifications/", "/me/data/", "/help/report/"):
        page.goto(f"{base}{path}")
        assert horizontal_overflow(page) == 0, path


def test_story_page_fits_and_says_what_is_happening(
    page: Any,
    live_server: Any,
    browser_errors: BrowserErrors,
    article: Article,
    reader: User,
    other_reader: User,
    settings: Any,
) -> None:
    """Long words and URLs wrap at both widths; the comment box counts down and
    refuses past the limit; Edit shows its time left; a reply on page 3 lands on
    page 3 at the reply; a first comment says a person checks it."""
    # given: three pages of comments, one with an unbroken word and a long URL
    settings.PARLEY_THREAD_PAGE_SIZE = 2
    start = timezone.now() - timedelta(hours=2)
    comments = [
        make_comment(
            article=article,
            author=other_reader,
            body=f"{LONG_WORD} {LONG_URL}" if n == 0 else f"Comment number {n}.",
            created_at=start + timedelta(minutes=n),
        )
        for n in range(5)
    ]
    moderator = make_user(username="sam", display_name="Sam", is_staff=True)
    make_comment(
        article=article,
        author=moderator,
        parent=comments[0],
        body="Please keep it civil.",
        created_at=start + timedelta(minutes=10),
    )
    LoginPage(page, live_server.url).open().log_in(reader.username)
    story = StoryPage(page, live_server.url, article.get_absolute_url())
    for width, size in WIDTHS:
        page.set_viewport_size(size)
        story.open()
        # then: nothing is wider than the window; the moderator has a badge
        assert horizontal_overflow(page) == 0, f"{width}px"
        assert story.comment(comments[0].pk).bounding_box()["width"] <= size["width"]
        assert page.locator(".badge.staff", has_text="Moderator").is_visible()
        assert story.counter.inner_text() == "5,000 characters left"
        shoot(page, f"story-long-words-{width}")
        # when: text past the limit is pasted
        story.comment_box.fill("x" * 5001)
        # then: it is kept whole, refused visibly, and cannot be sent
        assert story.counter.inner_text().startswith("1 character over the limit")
        assert story.post_button.is_disabled()
        assert len(story.comment_box.input_value()) == 5001
        story.comment_box.scroll_into_view_if_needed()
        shoot(page, f"comment-box-over-limit-{width}")
        story.comment_box.fill("x" * 4999)
        assert story.counter.inner_text() == "1 character left"
        assert story.post_button.is_enabled()
    # when: the reader replies to the comment on page 3
    page.set_viewport_size(LAPTOP)
    story.open("?page=3")
    story.reply(comments[4].pk, "A first reply, on page three.")
    # then: page 3, at the reply, marked awaiting review, with the first-comment note
    assert "page=3" in page.url
    reply = page.locator(".comment", has_text="A first reply, on page three.")
    assert reply.is_visible()
    assert reply.get_by_text("awaiting review").is_visible()
    assert reply.get_by_text("checked by a person before they appear").is_visible()
    edit = reply.locator("[data-edit-deadline]")
    assert re.search(r"Edit \((14|15) minutes left\)", edit.inner_text())
    shoot(page, "reply-on-page-3-1366")
    page.set_viewport_size(PHONE)
    page.reload()
    shoot(page, "reply-on-page-3-390")
    # when: the edit window (15 minutes) closes while the page is open
    page.clock.install()
    page.reload()
    page.clock.fast_forward("15:30")
    # then: Edit disappears by itself
    edit.wait_for(state="detached", timeout=5000)
    assert reply.get_by_role("link", name="Withdraw").is_visible()
