"""A NUL character (%00) anywhere a client controls is a clear 400 or ignored, never
a 500: PostgreSQL text cannot hold one, so it must not reach a query."""

import pytest
from django.test import Client

from accounts.models import User
from articles.models import Article
from tests.factories import make_comment, make_user
from tests.security.routes import all_routes

QUERY = "q=%00&page=%00&cursor=%00&sort=%00&reason=%00&section=%00&status=%00"


@pytest.mark.django_db
def test_a_nul_in_any_address_is_a_400_that_says_what_to_fix(
    article: Article, reader: User
) -> None:
    """Every route, anonymous and as staff: `%00` in the query string or the path is
    refused with a message naming it: JSON under /api/, a page elsewhere."""
    # given
    comment = make_comment(article=article, author=reader)
    staff = make_user(username="editor", is_staff=True, is_superuser=True)
    signed_in = Client()
    signed_in.force_login(staff)
    routes = [r for r in all_routes() if "(?P" not in r.pattern]
    assert len(routes) >= 30
    # when
    answers = {}
    for route in routes:
        url = route.url(slug=article.slug, pk=comment.pk, path="x")
        if "<" in url:
            continue
        for who, client in (("anonymous", Client()), ("staff", signed_in)):
            answers[(route.name, who, "query")] = client.get(f"{url}?{QUERY}")
            answers[(route.name, who, "path")] = client.get(url + "%00")
    # then
    assert len(answers) >= 120
    for key, response in answers.items():
        assert response.status_code == 400, (key, response.status_code)
        if key[0].startswith("api") and response["Content-Type"].startswith(
            "application/json"
        ):
            assert "NUL character (%00)" in response.json()["error"]["message"], key
        else:
            assert b"NUL character (%00)" in response.content, key


@pytest.mark.django_db
def test_a_nul_in_a_cookie_is_ignored_not_a_500(reader: User) -> None:
    """A cookie holding a NUL is dropped as if never sent; the others still count."""
    # given
    anonymous = Client()
    anonymous.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    signed_in = Client()
    signed_in.force_login(reader)
    signed_in.cookies["parley_last_error"] = "\x00"
    # when
    as_anonymous = anonymous.get("/")
    as_reader = signed_in.get("/me/comments/")
    # then
    assert as_anonymous.status_code == 200
    assert as_reader.status_code == 200
    assert b"Alice" in as_reader.content
