"""Parley embedded in a newsroom's page, in a real browser.

The host page (the demo newsroom) is served from `localhost` and Parley from
`127.0.0.1`: another origin and another site, so Chromium's third-party rules apply
to the frame exactly as on a newsroom's domain.
"""

import threading
from collections.abc import Callable, Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from accounts.models import User
from articles.models import Article, Comment
from sites.demo.newsroom import make_app
from sites.models import Site
from tests.factories import make_article, make_comment, make_site

from .conftest import CHROMIUM, CHROMIUM_ARGS, BrowserErrors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PORTS = range(9350, 9400)  # this project's range for servers started by tests
# Chromium's switch for blocking third-party cookies; the test also checks it works.
BLOCK_THIRD_PARTY_COOKIES = "--test-third-party-cookie-phaseout"


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _serve(app: Callable[..., Any]) -> Iterator[str]:
    for port in PORTS:
        try:
            server: WSGIServer = make_server(
                "127.0.0.1", port, app, handler_class=_Quiet
            )
            break
        except OSError:
            continue
    else:  # pragma: no cover
        raise RuntimeError("no free port in 9350-9399")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def parley(live_server: Any) -> str:
    return str(live_server.url).replace("localhost", "127.0.0.1")


@pytest.fixture
def newsroom(parley: str) -> Iterator[str]:
    yield from _serve(make_app(parley_url=parley))


@pytest.fixture
def gazette(newsroom: str) -> Site:
    site = make_site(
        name="The Riverside Gazette",
        slug="gazette",
        allowed_origins=newsroom,
        story_hosts="localhost",
        sso_secret="browser-test-secret-" + "s" * 24,
        create_stories_on_embed=True,
    )
    return site


@pytest.fixture
def story(gazette: Site, other_reader: User) -> Article:
    article = make_article(
        site=gazette,
        external_id="rg-1042",
        slug="gazette-rg-1042",
        title="Council approves riverside cycle lanes",
    )
    make_comment(article=article, author=other_reader, body="Eighty spaces gone.")
    return article


@pytest.fixture
def blocking_page(browser_type: Any) -> Iterator[Any]:
    browser = browser_type.launch(
        executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, BLOCK_THIRD_PARTY_COOKIES]
    )
    page = browser.new_page()
    yield page
    browser.close()


def _watch(page: Any) -> BrowserErrors:
    errors = BrowserErrors()
    page.on(
        "console",
        lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    return errors


def test_an_sso_reader_posts_and_replies_with_third_party_cookies_blocked(
    blocking_page: Any, newsroom: str, parley: str, story: Article
) -> None:
    """The embed loads, resizes, signs the reader in by SSO and takes a comment and
    a reply, each shown awaiting review, with no cookie on Parley's domain."""
    page = blocking_page
    errors = _watch(page)
    probe = "c => { document.cookie = c; return document.cookie; }"
    # when
    page.goto(f"{newsroom}/stories/rg-1042")
    frame = page.frame_locator("#parley-comments iframe")
    frame.locator("#frame-reader").wait_for()
    # then: signed in, resized to its content, and third-party cookies blocked
    assert frame.locator("#frame-reader").inner_text() == "Robin (Gazette reader)"
    iframe = page.locator("#parley-comments iframe")
    content_height = frame.locator("html").evaluate("e => e.scrollHeight")
    page.wait_for_function(
        "h => document.querySelector('#parley-comments iframe')"
        ".getBoundingClientRect().height >= h",
        arg=content_height,
    )
    assert iframe.bounding_box()["height"] >= 400  # taller than the 200px start
    inner = page.frames[1]
    assert inner.evaluate(probe, "probe3p=1; SameSite=None; Secure") == ""
    # when: a comment
    frame.locator("#id_body").fill("Will the loading bay be on Mill Road itself?")
    frame.get_by_role("button", name="Post comment").click()
    # then
    mine = frame.locator(".comment", has_text="Will the loading bay be on Mill Road")
    mine.wait_for()
    assert mine.locator(".badge", has_text="awaiting review").is_visible()
    # when: a reply to the other reader's comment
    theirs = frame.locator(".comment", has_text="Eighty spaces gone.")
    theirs.locator("summary", has_text="Reply").click()
    theirs.locator("textarea").fill("The multi-storey is four minutes away.")
    theirs.get_by_role("button", name="Post reply").click()
    # then
    reply = frame.locator(".comment", has_text="The multi-storey is four minutes")
    reply.wait_for()
    assert reply.locator(".badge", has_text="awaiting review").is_visible()
    assert Comment.objects.filter(article=story, parent__isnull=False).count() == 1
    assert all("127.0.0.1" not in c["domain"] for c in page.context.cookies())
    assert not errors, errors
    # and the control: the same cookie is accepted first-party, so the frame's
    # refusal above was the third-party block
    page.goto(f"{parley}/healthz")
    assert "probe=1" in page.evaluate(probe, "probe=1; SameSite=None; Secure")


def test_counts_appear_on_the_front_page(
    page: Any, browser_errors: BrowserErrors, newsroom: str, story: Article
) -> None:
    """count.js fills every count on the list page with one request."""
    # given
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/counts" in r.url else None)
    # when
    page.goto(f"{newsroom}/")
    # then
    count = page.locator('[data-parley-count="rg-1042"]')
    page.wait_for_function(
        "() => document.querySelector('[data-parley-count=\"rg-1042\"]')"
        ".textContent === '1'"
    )
    assert count.inner_text() == "1"
    assert page.locator('[data-parley-count="rg-1044"]').inner_text() == "0"
    assert len(asked) == 1


def test_a_page_on_a_foreign_origin_cannot_frame_it(
    page: Any, parley: str, newsroom: str, story: Article
) -> None:
    """embed.js on a foreign origin shows the refusal; a hand-made iframe of the
    frame URL is blocked by the browser (frame-ancestors)."""
    # given: another site's page, not in the gazette's allowed origins
    frame_url = f"{parley}/embed/frame/?site=gazette&story=rg-1042&origin={newsroom}"

    def foreign(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html")])
        if environ["PATH_INFO"] == "/direct":
            return [f'<iframe id="direct" src="{frame_url}"></iframe>'.encode()]
        return [
            b'<div id="parley-comments" data-site="gazette" data-story-id="rg-1042">'
            b'</div><script src="' + parley.encode() + b'/embed.js"></script>'
        ]

    for origin in _serve(foreign):
        # when
        page.goto(f"{origin}/")
        refused = page.frame_locator("#parley-comments iframe").locator(
            "#parley-refused"
        )
        # then
        assert f"({origin}) is not allowed" in refused.inner_text()
        # when
        page.goto(f"{origin}/direct")
        page.wait_for_timeout(500)
        # then: the browser refused to render Parley in it
        direct = page.frames[1]
        assert direct.locator("#comments").count() == 0
        assert "Eighty spaces" not in direct.content()


def test_permalinks_scroll_the_host_page_and_a_parley_account_signs_in(
    page: Any,
    browser_errors: BrowserErrors,
    newsroom: str,
    story: Article,
    reader: User,
) -> None:
    """A permalink in the frame scrolls the host page to the comment and names it in
    the host's address; a reader signs in with a Parley account in a pop-up, and
    the host page signs them out with Parley.logout()."""
    # given: a long thread, signed out on the newsroom
    for n in range(12):
        make_comment(article=story, body=f"Comment number {n} on the lanes.")
    last = Comment.objects.filter(article=story).order_by("-pk").first()
    assert last is not None
    page.set_viewport_size({"width": 900, "height": 700})
    page.goto(f"{newsroom}/sign-out")
    page.goto(f"{newsroom}/stories/rg-1042")
    frame = page.frame_locator("#parley-comments iframe")
    # when
    frame.locator(f"#c{last.pk} a[title=Permalink]").click()
    # then
    page.wait_for_url(f"**/stories/rg-1042#parley-c{last.pk}")
    assert page.evaluate("window.pageYOffset") > 300
    # when: the permalink is opened later, the frame shows that comment
    page.goto(f"{newsroom}/stories/rg-1042#parley-c{last.pk}")
    frame.locator(f"#c{last.pk}").wait_for()
    # when: signing in with a Parley account
    frame.locator("header.frame").get_by_text("Sign in to comment").click()
    with page.expect_popup() as opened:
        frame.get_by_text("sign in with a Parley account").click()
    popup = opened.value
    popup.fill("input[name=username]", reader.username)
    popup.fill("input[name=password]", "correct horse battery staple")
    popup.get_by_role("button", name="Log in").click()
    # then
    frame.locator("#frame-reader").wait_for()
    assert frame.locator("#frame-reader").inner_text() == reader.display_name
    # when: the host page signs the reader out without a reload
    page.evaluate("window.Parley.logout()")
    # then
    frame.locator("header.frame").get_by_text("Sign in to comment").wait_for()
    assert frame.locator("#frame-reader").count() == 0
