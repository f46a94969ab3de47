"""Single sign-on: a newsroom's signed token signs its reader into the frame once."""

import html
import logging
import time

import jwt
import pytest
from django.test import Client

from accounts.models import User
from articles.models import Article
from sites.models import Site, SiteReader
from tests.factories import make_article

from .conftest import ORIGIN, SECRET, sso_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(gazette: Site) -> Article:
    return make_article(site=gazette, external_id="rg-1", slug="gazette-rg-1")


def _frame(token: str) -> tuple[str, int]:
    response = Client().post(
        "/embed/frame/",
        {"site": "gazette", "story": "rg-1", "sso_token": token},
        HTTP_ORIGIN=ORIGIN,
    )
    return html.unescape(response.content.decode()), response.status_code


def test_a_valid_token_signs_the_reader_in_and_links_them(story: Article) -> None:
    """The reader is created once, linked to (site, reader id), and updated."""
    # when
    page, status = _frame(sso_token())
    again, _ = _frame(sso_token(name="Sam R."))
    # then
    assert status == 200
    assert 'Signed in as <strong id="frame-reader">Sam Reader</strong>' in page
    assert "Sam R." in again
    link = SiteReader.objects.get(site=story.site, external_id="reader-7")
    assert link.user.display_name == "Sam R."
    assert link.user.email == "sam@gazette.example"
    assert not link.user.has_usable_password()
    assert User.objects.filter(site_reader__isnull=False).count() == 1


def test_the_previous_secret_still_works_during_a_rotation(story: Article) -> None:
    """Both the new and the previous secret are accepted."""
    # given
    site = story.site
    site.sso_secret, site.sso_secret_previous = "new-secret-" + "x" * 30, SECRET
    site.save()
    # when
    old, _ = _frame(sso_token(SECRET))
    new, _ = _frame(sso_token(site.sso_secret))
    # then
    assert "Signed in as" in old
    assert "Signed in as" in new


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (lambda: sso_token("wrong-secret-" + "y" * 30), "signature is wrong"),
        (lambda: sso_token(exp=int(time.time()) - 120), "has expired"),
        (
            lambda: sso_token(SECRET * 2, algorithm="HS512"),
            "must be signed with HS256",
        ),
        (
            lambda: jwt.encode(
                {"sub": "r", "name": "n", "exp": int(time.time()) + 60, "jti": "1"},
                None,
                algorithm="none",
            ),
            "must be signed with HS256",
        ),
        (lambda: sso_token(jti=None), "has no 'jti' claim"),
        (lambda: sso_token(sub=None), "has no 'sub' claim"),
        (lambda: sso_token(exp=None), "has no 'exp' claim"),
        (lambda: sso_token(name=""), "'name' claim must be 1 to 50"),
        (lambda: sso_token(name="x" * 5000), "too long"),
        (lambda: sso_token(exp=int(time.time()) + 86400), "expire within an hour"),
        (lambda: "not.a.token", "not a valid token"),
    ],
    ids=[
        "bad-signature",
        "expired",
        "wrong-algorithm",
        "alg-none",
        "no-jti",
        "no-sub",
        "no-exp",
        "empty-name",
        "too-long",
        "lifetime-too-long",
        "garbage",
    ],
)
def test_a_bad_token_signs_nobody_in_and_says_why(
    story: Article, token: object, message: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Each bad token: a clear message in the frame, a log line, nobody signed in."""
    # given
    raw = token()  # type: ignore[operator]
    # when
    with caplog.at_level(logging.WARNING, logger="parley.sso"):
        page, status = _frame(raw)
    # then
    assert status == 200  # the thread is still shown, anonymously
    assert 'id="frame-notice"' in page
    assert message in page
    assert "Signed in as" not in page
    assert not SiteReader.objects.exists()
    assert any("sso refused" in r.getMessage() for r in caplog.records)
    assert all(raw not in r.getMessage() for r in caplog.records)


def test_a_token_is_used_once(story: Article) -> None:
    """The same token again (copied from a page) is refused."""
    # given
    token = sso_token()
    _frame(token)
    # when
    page, _ = _frame(token)
    # then
    assert "already used" in page
    assert "Signed in as" not in page


def test_the_secret_never_appears_in_a_page(story: Article) -> None:
    """Neither the frame nor the story page shows the site's secret."""
    page, _ = _frame(sso_token())
    assert SECRET not in page
    assert SECRET not in Client().get(story.get_absolute_url()).content.decode()
