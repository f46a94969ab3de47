"""The embed frame, its headers, counts with CORS, and stories created on first load."""

import html
import re
from typing import Any

import pytest
from django.test import Client, override_settings

from articles.models import Article, Comment, CommentStatus
from sites.models import Site
from tests.factories import make_article, make_comment, make_site, make_user

from .conftest import ORIGIN, sso_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(gazette: Site) -> Article:
    return make_article(
        site=gazette,
        external_id="rg-1",
        slug="gazette-rg-1",
        url="http://localhost:8001/stories/rg-1",
    )


def _frame(**fields: str) -> tuple[str, object]:
    origin = fields.pop("origin", ORIGIN)
    data = {"site": "gazette", "story": "rg-1", **fields}
    response = Client().post("/embed/frame/", data, HTTP_ORIGIN=origin)
    return html.unescape(response.content.decode()), response


def _frame_token(page: str) -> str:
    match = re.search(r'<meta name="parley-frame" content="([^"]+)"', page)
    assert match
    return match.group(1)


def test_the_frame_may_be_framed_by_the_sites_origins_only(story: Article) -> None:
    """frame-ancestors lists the site's origins; other pages still refuse framing."""
    # when
    _, response = _frame()
    story_page = Client().get(story.get_absolute_url())
    # then
    csp = response["Content-Security-Policy"]  # type: ignore[index]
    assert "frame-ancestors http://localhost:8001 https://www.gazette.example" in csp
    assert "script-src 'self'" in csp
    assert not response.has_header("X-Frame-Options")  # type: ignore[attr-defined]
    assert story_page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in story_page["Content-Security-Policy"]


def test_the_frame_sets_no_cookie(story: Article) -> None:
    """Nothing is set on Parley's domain from the frame, even on an error."""
    # when
    _, ok = _frame(sso_token=sso_token())
    _, refused = _frame(origin="https://evil.example")
    # then
    assert not ok.cookies  # type: ignore[attr-defined]
    assert not refused.cookies  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"site": "nope"}, 404, "Parley does not know this site"),
        (
            {"origin": "https://evil.example"},
            403,
            "(https://evil.example) is not allowed to show The Riverside Gazette",
        ),
        ({"url": "https://evil.example/rg-1"}, 400, "not on The Riverside Gazette"),
        ({"story": ""}, 400, "needs data-story-id"),
    ],
    ids=["unknown-site", "foreign-origin", "url-on-other-host", "no-story-id"],
)
def test_a_refusal_is_shown_in_the_frame(
    story: Article, fields: dict[str, str], status: int, message: str
) -> None:
    """An unknown site, a foreign origin or a foreign URL: a clear message."""
    page, response = _frame(**fields)
    assert response.status_code == status  # type: ignore[attr-defined]
    assert message in page
    assert 'id="comments"' not in page


def test_a_story_is_created_on_first_load_when_the_site_allows_it(
    gazette: Site,
) -> None:
    """Title and URL come from the embed; a URL on another host is refused."""
    # when
    page, response = _frame(
        story="rg-77",
        url="http://localhost:8001/stories/rg-77",
        title="Market reopens",
    )
    foreign, _ = _frame(story="rg-78", url="https://evil.example/x", title="Spam")
    # then
    assert response.status_code == 200  # type: ignore[attr-defined]
    story = Article.objects.get(site=gazette, external_id="rg-77")
    assert story.title == "Market reopens"
    assert story.url == "http://localhost:8001/stories/rg-77"
    assert "No comments yet" in page
    assert "not on The Riverside Gazette" in foreign
    assert not Article.objects.filter(external_id="rg-78").exists()


def test_stories_are_not_created_when_the_site_does_not_allow_it(
    gazette: Site,
) -> None:
    gazette.create_stories_on_embed = False
    gazette.save()
    page, response = _frame(story="rg-9", url="http://localhost:8001/9", title="T")
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert "has no story with the id 'rg-9'" in page
    assert not Article.objects.filter(external_id="rg-9").exists()


@override_settings(PARLEY_EMBED_STORY_CREATE_RATE="2/h")
def test_story_creation_from_embeds_is_rate_limited(gazette: Site) -> None:
    """A flood of made-up story ids stops creating stories."""
    for n in range(3):
        page, response = _frame(
            story=f"n{n}", url=f"http://localhost:8001/{n}", title="T"
        )
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert "Too many new stories" in page
    assert Article.objects.filter(site=gazette).count() == 2


def test_a_reader_posts_through_the_frame_token_without_cookies(
    story: Article,
) -> None:
    """With the X-Parley-Frame header only: posted, followed, awaiting review."""
    # given
    page, _ = _frame(sso_token=sso_token())
    token = _frame_token(page)
    client = Client(enforce_csrf_checks=True)
    # when
    posted = client.post(
        f"/stories/{story.slug}/comments/",
        {"body": "A question about the cycle lanes budget."},
        HTTP_X_PARLEY_FRAME=token,
    )
    # then
    assert posted.status_code == 204
    location = posted["X-Parley-Location"]
    comment = Comment.objects.get(article=story)
    assert location.endswith(f"#c{comment.pk}")
    assert comment.author.display_name == "Sam Reader"
    assert not posted.cookies
    # when
    followed = client.get(location.split("#")[0], HTTP_X_PARLEY_FRAME=token)
    # then
    text = html.unescape(followed.content.decode())
    if comment.status != CommentStatus.PUBLISHED:
        assert "awaiting review" in text
    assert "Thanks, your comment" in text  # the message survived the redirect
    assert 'name="parley-frame"' in text  # still the frame's page
    assert not followed.cookies


def test_a_forged_or_missing_frame_token_signs_nobody_in(story: Article) -> None:
    """Without a valid token the post is refused as usual (CSRF, then login)."""
    client = Client(enforce_csrf_checks=True)
    forged = client.post(
        f"/stories/{story.slug}/comments/",
        {"body": "Forged."},
        HTTP_X_PARLEY_FRAME="eyJzIjoxfQ:forged:sig",
    )
    assert forged.status_code == 403
    assert not Comment.objects.exists()


def test_anonymous_readers_in_the_frame_are_asked_to_sign_in_on_the_site(
    story: Article,
) -> None:
    """The login page is replaced by the site's sign-in prompt and the pop-up."""
    page, _ = _frame()
    token = _frame_token(page)
    response = Client().get("/accounts/login/", HTTP_X_PARLEY_FRAME=token)
    text = html.unescape(response.content.decode())
    assert "Sign in on The Riverside Gazette" in text
    assert "data-parley-popup" in text


def test_counts_answer_for_the_sites_origin_with_cors(story: Article) -> None:
    """One request, every asked id; CORS only for the site's own origins."""
    # given
    make_comment(article=story, status=CommentStatus.PUBLISHED)
    make_comment(article=story, status=CommentStatus.HELD)
    make_site(name="Other", slug="other", allowed_origins="https://other.example")
    url = "/api/v1/counts?site=gazette&stories=rg-1,unknown"
    # when
    allowed = Client().get(url, HTTP_ORIGIN=ORIGIN)
    other_site = Client().get(url, HTTP_ORIGIN="https://other.example")
    foreign = Client().get(url, HTTP_ORIGIN="https://evil.example")
    # then
    assert allowed.json()["counts"] == {"rg-1": 1, "unknown": 0}
    assert allowed["Access-Control-Allow-Origin"] == ORIGIN
    assert "Access-Control-Allow-Origin" not in other_site
    assert "Access-Control-Allow-Origin" not in foreign
    assert not allowed.has_header("Access-Control-Allow-Credentials")


def test_counts_come_from_the_cache(story: Article) -> None:
    """A second request for the same stories makes no database query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = "/api/v1/counts?site=gazette&stories=rg-1"
    Client().get(url)
    with CaptureQueriesContext(connection) as queries:
        Client().get(url)
    assert [q for q in queries if "articles_article" in q["sql"]] == []


def test_bad_count_requests_get_a_clear_error(story: Article) -> None:
    unknown = Client().get("/api/v1/counts?site=nope&stories=a")
    empty = Client().get("/api/v1/counts?site=gazette&stories=")
    assert unknown.status_code == 404
    assert empty.status_code == 400
    assert "story ids" in empty.json()["error"]["message"]


def test_scripts_are_small_and_cached_long_under_a_versioned_url(
    story: Article,
) -> None:
    import gzip

    plain = Client().get("/embed.js")
    assert plain["Cache-Control"] == "public, max-age=300"
    assert len(gzip.compress(plain.content)) <= 10 * 1024
    page, _ = _frame()
    versioned = re.search(r'src="(/embed/v/[0-9a-f]{12}/frame\.js)"', page)
    assert versioned
    response = Client().get(versioned.group(1))
    assert "immutable" in response["Cache-Control"]
    assert Client().get("/count.js").status_code == 200


def test_the_no_javascript_link_leads_to_the_thread(story: Article) -> None:
    response = Client().get("/s/gazette/rg-1/")
    assert response.status_code == 302
    assert response["Location"] == story.get_absolute_url()


def test_a_frame_user_is_never_the_sessions_user(story: Article) -> None:
    """A Parley session in the browser does not leak into an anonymous frame."""
    client = Client()
    client.force_login(make_user(username="staffer", display_name="Staffer"))
    page, _ = _frame()
    token = _frame_token(page)
    response = client.get(story.get_absolute_url(), HTTP_X_PARLEY_FRAME=token)
    assert "Staffer" not in response.content.decode()


def test_a_parley_account_signs_in_through_the_pop_up(story: Article) -> None:
    """The pop-up (first-party) hands a frame token for the Parley reader."""
    # given
    client = Client()
    client.force_login(make_user(username="pat", display_name="Pat"))
    url = f"/embed/account/?site=gazette&origin={ORIGIN}&story=/x/"
    # when
    response = client.get(url)
    # then
    token = _frame_token(response.content.decode())
    page = Client().get(story.get_absolute_url(), HTTP_X_PARLEY_FRAME=token)
    assert 'id="frame-reader">Pat<' in page.content.decode()


def test_the_pop_up_is_refused_where_the_site_uses_only_its_accounts(
    story: Article, gazette: Site
) -> None:
    gazette.allow_parley_accounts = False
    gazette.save()
    client = Client()
    client.force_login(make_user(username="pat", display_name="Pat"))
    response = client.get(f"/embed/account/?site=gazette&origin={ORIGIN}")
    assert response.status_code == 403
    assert "signs readers in with its own accounts" in response.content.decode()


def test_the_host_page_signs_a_reader_in_and_out_without_a_reload(
    story: Article,
) -> None:
    """Parley.login(token) / Parley.logout(): the frame swaps its token."""
    # given
    page, _ = _frame()
    anonymous = _frame_token(page)
    # when
    signed_in = Client().post(
        "/embed/session/", {"sso_token": sso_token()}, HTTP_X_PARLEY_FRAME=anonymous
    )
    token = signed_in.json()["frame_token"]
    signed_out = Client().post("/embed/session/", {}, HTTP_X_PARLEY_FRAME=token)
    # then
    as_reader = Client().get(story.get_absolute_url(), HTTP_X_PARLEY_FRAME=token)
    assert 'id="frame-reader">Sam Reader<' in as_reader.content.decode()
    after = Client().get(
        story.get_absolute_url(),
        HTTP_X_PARLEY_FRAME=signed_out.json()["frame_token"],
    )
    assert "frame-reader" not in after.content.decode()
    assert not signed_in.cookies


def test_a_bad_token_from_the_host_page_is_refused_with_its_reason(
    story: Article,
) -> None:
    page, _ = _frame()
    response = Client().post(
        "/embed/session/",
        {"sso_token": sso_token(exp=1)},
        HTTP_X_PARLEY_FRAME=_frame_token(page),
    )
    assert response.status_code == 403
    assert "expired" in response.json()["error"]
    stale = Client().post("/embed/session/", {"sso_token": sso_token()})
    assert stale.status_code == 403
    assert "reload the page" in stale.json()["error"]


def test_the_first_paint_is_one_request_on_the_story_pages_queries(
    story: Article,
) -> None:
    """The frame's first response holds the thread, with the story page's queries
    plus a fixed few (site, story), however long the thread."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_comments

    make_comments(120, article=story)
    with CaptureQueriesContext(connection) as story_page:
        Client().get(story.get_absolute_url())
    with CaptureQueriesContext(connection) as frame_page:
        page, _ = _frame()
    assert page.count('class="comment ') == 20  # the first page of the thread
    assert len(frame_page) <= len(story_page) + 3


def _signed_in_token(story: Article) -> str:
    page, _ = _frame(sso_token=sso_token())
    return _frame_token(page)


def test_every_page_a_reader_uses_works_inside_the_frame(story: Article) -> None:
    """Edit, withdraw, report, my comments, notifications, problem report: each
    renders as a frame page (the frame's header, no site header) and takes its
    form with the frame token and no cookie."""
    # given
    token = _signed_in_token(story)
    client = Client(enforce_csrf_checks=True)
    client.post(
        f"/stories/{story.slug}/comments/",
        {"body": "My own first comment here."},
        HTTP_X_PARLEY_FRAME=token,
    )
    mine = Comment.objects.get(article=story, body="My own first comment here.")
    theirs = make_comment(article=story, body="Someone else's view.")
    pages = [
        f"/comments/{mine.pk}/edit/",
        f"/comments/{mine.pk}/withdraw/",
        f"/comments/{theirs.pk}/report/",
        f"/comments/{theirs.pk}/",
        "/me/comments/",
        "/me/notifications/",
        f"/help/report/?story={story.slug}",
    ]
    # when / then
    for path in pages:
        response = client.get(path, HTTP_X_PARLEY_FRAME=token)
        text = response.content.decode()
        assert response.status_code == 200, path
        assert 'id="frame-reader"' in text, path
        assert '<header class="site">' not in text, path
        assert not response.cookies, path
    # when: the reader edits, then withdraws, through the frame
    edited = client.post(
        f"/comments/{mine.pk}/edit/",
        {"body": "My own first comment, edited."},
        HTTP_X_PARLEY_FRAME=token,
    )
    withdrawn = client.post(
        f"/comments/{mine.pk}/withdraw/", {}, HTTP_X_PARLEY_FRAME=token
    )
    # then
    assert edited.status_code == 204
    assert withdrawn.status_code == 204
    mine.refresh_from_db()
    assert mine.body == "My own first comment, edited."
    assert mine.status == CommentStatus.WITHDRAWN


def test_a_count_changes_as_soon_as_a_comment_is_published(
    story: Article, django_capture_on_commit_callbacks: Any
) -> None:
    """The cached count is dropped when a comment of the story is published."""
    from lifecycle.transitions import comment_transition
    from moderation.models import Decision

    # given
    held = make_comment(article=story, status=CommentStatus.HELD)
    url = "/api/v1/counts?site=gazette&stories=rg-1"
    assert Client().get(url).json()["counts"] == {"rg-1": 0}
    # when
    with django_capture_on_commit_callbacks(execute=True):
        comment_transition(
            comment=held,
            to_status=CommentStatus.PUBLISHED,
            source=Decision.Source.MODERATOR,
            actor=None,
        )
    # then
    assert Client().get(url).json()["counts"] == {"rg-1": 1}


def test_a_sign_on_token_in_a_url_is_ignored(story: Article) -> None:
    """GET /embed/frame/?sso_token=… signs nobody in (tokens stay out of URLs)."""
    response = Client().get(
        "/embed/frame/",
        {
            "site": "gazette",
            "story": "rg-1",
            "origin": ORIGIN,
            "sso_token": sso_token(),
        },
    )
    assert response.status_code == 200
    assert "frame-reader" not in response.content.decode()


def test_the_pop_up_keeps_the_frame_on_parley(story: Article) -> None:
    """A story path that is not a Parley path is dropped from the frame token."""
    client = Client()
    client.force_login(make_user(username="pat", display_name="Pat"))
    page = client.get(
        f"/embed/account/?site=gazette&origin={ORIGIN}&story=//evil.example/x"
    ).content.decode()
    response = Client().get("/accounts/login/", HTTP_X_PARLEY_FRAME=_frame_token(page))
    assert response.status_code == 204
    assert response["X-Parley-Location"] == "/"


def test_frame_pages_and_the_story_page_never_share_a_cached_page(
    story: Article,
) -> None:
    """An anonymous frame page carries its own token: it is never served from, or
    stored into, whatever the anonymous story page is cached as."""
    # given: the story page read anonymously (and cached, if it is)
    Client().get(story.get_absolute_url())
    Client().get(story.get_absolute_url())
    # when
    page, _ = _frame()
    token = _frame_token(page)
    followed = Client().get(story.get_absolute_url(), HTTP_X_PARLEY_FRAME=token)
    story_page = Client().get(story.get_absolute_url())
    # then
    assert 'header class="frame"' in page
    assert 'header class="frame"' in followed.content.decode()
    assert 'name="parley-frame"' in followed.content.decode()
    assert 'name="parley-frame"' not in story_page.content.decode()
    assert '<header class="site">' in story_page.content.decode()


def test_a_count_request_reads_its_site_once(story: Article) -> None:
    """The CORS check and the counts share one read of the site."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = "/api/v1/counts?site=gazette&stories=rg-1"
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(url, HTTP_ORIGIN=ORIGIN)
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert len([q for q in queries if 'FROM "sites_site"' in q["sql"]]) == 1


@pytest.mark.django_db
def test_counts_with_a_nul_character_are_refused_not_failed(client: Client) -> None:
    """A NUL byte in the site or a story id (which PostgreSQL refuses in text)
    gets the API's 400 saying so, never a server error."""
    # given
    site = make_site(name="Nul", slug="nul-site")
    # when
    unknown = client.get("/api/v1/counts", {"site": "nul\x00site", "stories": "a"})
    bad_id = client.get("/api/v1/counts", {"site": site.slug, "stories": "a\x00b"})
    # then
    for response in (unknown, bad_id):
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "malformed_request"
        assert "NUL character (%00)" in error["message"]
