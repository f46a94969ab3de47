"""The cached thread: never stale, shared by every reader, personal where it must be.

Every status change, edit, withdrawal, story closing and removed name is followed by
a read that must show it: the cache's story version is bumped once the change
commits, so these tests run the changes' on-commit callbacks.
"""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User
from articles import services
from articles.cache import (
    _KEPT,
    _version_key,
    cache_counts,
    entry_key,
    story_version,
)
from articles.models import Article, Comment, CommentStatus
from moderation.services.actions import comment_approve, comment_reject
from readers.services import account_delete
from tests.factories import make_article, make_comment, make_comments, make_user

Committed = Callable[[], AbstractContextManager[None]]


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Committed:
    @contextmanager
    def run() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return run


@pytest.fixture
def moderator(db: None) -> User:
    user = make_user(username="maria", display_name="Maria", is_staff=True)
    group, _ = Group.objects.get_or_create(name="Moderators")
    user.groups.add(group)
    return user


def _page(client: Client, article: Article, **params: str) -> str:
    url = reverse("articles:detail", kwargs={"slug": article.slug})
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def _api(client: Client | APIClient, article: Article, **params: str) -> Any:
    url = reverse("api-thread", kwargs={"slug": article.slug})
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.django_db
def test_a_second_read_is_served_from_the_cache(
    client: Client, article: Article, django_assert_num_queries: Any
) -> None:
    """Once a page is cached, an anonymous reader's next read needs no query."""
    # given
    make_comments(3, article=article)
    _page(client, article)
    # when
    with django_assert_num_queries(0):
        page = _page(client, article)
    # then
    assert page.count('class="comment ') == 3
    assert cache_counts()["miss"] >= 1


@pytest.mark.django_db
def test_moderator_decisions_show_at_once(
    client: Client, article: Article, moderator: User, committed: Committed
) -> None:
    """Approving a held comment and rejecting a published one change the next read."""
    # given
    held = make_comment(article=article, body="Held until now", status="held")
    shown = make_comment(article=article, body="About to go")
    assert "Held until now" not in _page(client, article)
    assert "About to go" in _api(client, article)["results"][0]["body"]
    # when
    with committed():
        comment_approve(comment=held, moderator=moderator)
        comment_reject(comment=shown, moderator=moderator, reason="abusive")
    # then
    page = _page(client, article)
    assert "Held until now" in page
    assert "About to go" not in page
    assert "removed by a moderator" not in page  # no replies: no tombstone
    bodies = [c["body"] for c in _api(client, article)["results"]]
    assert bodies == ["Held until now"]


@pytest.mark.django_db
def test_edits_and_withdrawals_show_at_once(
    client: Client, article: Article, reader: User, committed: Committed
) -> None:
    """An edited comment leaves the public thread for review; a withdrawn one
    leaves a tombstone above its replies."""
    # given
    edited = make_comment(article=article, author=reader, body="First words")
    withdrawn = make_comment(article=article, author=reader, body="Take it back")
    make_comment(article=article, parent=withdrawn, body="A reply that stays")
    assert "First words" in _page(client, article)
    # when
    with committed():
        services.comment_edit(comment=edited, editor=reader, body="Second words")
        services.comment_withdraw(comment=withdrawn, actor=reader)
    # then
    page = _page(client, article)
    assert "First words" not in page
    assert "Second words" not in page  # pending again, only its author sees it
    assert "Take it back" not in page
    assert "withdrawn by its author" in page
    assert "A reply that stays" in page


@pytest.mark.django_db
def test_closing_a_story_removes_the_reply_forms_at_once(
    moderator: User, reader_client: Client, article: Article
) -> None:
    """A story closed in the admin shows no reply form on the next read."""
    # given
    make_comment(article=article)
    assert "Post reply" in _page(reader_client, article)
    admin = Client()
    admin.force_login(make_user(username="root", is_staff=True, is_superuser=True))
    url = reverse("admin:articles_article_change", args=[article.pk])
    # when
    with_callbacks = admin.post(
        url,
        {
            "title": article.title,  # editable: moderators correct embeds' titles
            "moderation_policy": "open",
            "comments_open": "",
            "_save": "Save",
        },
    )
    # then
    assert with_callbacks.status_code == 302
    page = _page(reader_client, article)
    assert "Post reply" not in page
    assert "Comments on this story are closed." in page


@pytest.mark.django_db
def test_a_deleted_account_name_leaves_cached_threads(
    client: Client, article: Article, committed: Committed
) -> None:
    """When a reader deletes their account, their name goes from every thread."""
    # given
    leaver = make_user(username="leaver", display_name="Lena Leaving")
    leaver.set_password("a long passphrase 42")
    leaver.save()
    make_comment(article=article, author=leaver, body="Kept, but anonymous")
    assert "Lena Leaving" in _page(client, article)
    # when
    with committed():
        account_delete(
            user=leaver, password="a long passphrase 42", withdraw_comments=False
        )
    # then
    page = _page(client, article)
    assert "Lena Leaving" not in page
    assert "Kept, but anonymous" in page


@pytest.mark.django_db
def test_a_new_display_name_shows_at_once_on_every_story(
    client: Client, committed: Committed
) -> None:
    """Names are in the cached page and JSON: a reader who changes theirs sees the
    new name on every story they commented on, on the next read."""
    # given
    writer = make_user(username="writer", display_name="Old Name")
    stories = [make_article(slug=f"story-{n}") for n in range(2)]
    for story in stories:
        make_comment(article=story, author=writer, body="Mine")
        assert "Old Name" in _page(client, story)
        assert _api(client, story)["results"][0]["author"] == "Old Name"
    signed_in = Client()
    signed_in.force_login(writer)
    # when
    with committed():
        response = signed_in.post(
            reverse("display_name_change"), {"display_name": "New Name"}
        )
    # then
    assert response.status_code == 302
    for story in stories:
        page = _page(client, story)
        assert "New Name" in page
        assert "Old Name" not in page
        assert _api(client, story)["results"][0]["author"] == "New Name"


@pytest.mark.django_db
def test_a_reader_made_a_moderator_gets_the_badge_on_cached_threads(
    client: Client, article: Article, admin_client: Client, committed: Committed
) -> None:
    """The staff badge is in the cached page: the admin making a reader staff
    shows it at once."""
    # given
    writer = make_user(username="writer", display_name="Writer")
    make_comment(article=article, author=writer, body="Mine")
    assert 'class="badge staff"' not in _page(client, article)
    url = reverse("admin:accounts_user_change", args=[writer.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        username="writer",
        display_name="Writer",
        is_active="on",
        is_staff="on",
        date_joined_0=writer.date_joined.strftime("%Y-%m-%d"),
        date_joined_1=writer.date_joined.strftime("%H:%M:%S"),
        groups=[],
        user_permissions=[],
    )
    data.pop("last_login", None)
    data.pop("date_joined", None)
    data.pop("password", None)
    # when
    with committed():
        response = admin_client.post(url, data)
    # then
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert '<span class="badge staff"' in _page(client, article)


@pytest.mark.django_db
def test_own_waiting_comments_are_merged_without_touching_the_shared_page(
    client: Client, reader_client: Client, reader: User, article: Article
) -> None:
    """The author sees their pending reply under its parent and their pending
    comment at the top; other readers get the shared page, unchanged."""
    # given
    parent = make_comment(article=article, body="The parent comment")
    make_comment(article=article, body="A later comment")
    anon_before = _page(client, article)
    make_comment(
        article=article, author=reader, parent=parent, body="My reply", status="pending"
    )
    make_comment(article=article, author=reader, body="My new one", status="held")
    # when
    own = reader_client.get(
        reverse("articles:detail", kwargs={"slug": article.slug})
    ).content.decode()
    anon_after = _page(client, article)
    # then
    assert anon_after == anon_before
    assert own.index("My new one") < own.index("The parent comment")
    assert own.index("The parent comment") < own.index("My reply")
    assert own.index("My reply") < own.index("A later comment")
    assert own.count("awaiting review") == 2
    thread = _api_as(reader, article)
    assert [c["body"] for c in thread["results"]] == [
        "My new one",
        "The parent comment",
        "My reply",
        "A later comment",
    ]


def _api_as(user: User, article: Article) -> Any:
    api = APIClient()
    api.force_authenticate(user)
    return _api(api, article)


@pytest.mark.django_db
def test_each_reader_gets_their_own_actions_on_the_shared_page(
    reader_client: Client, reader: User, other_reader: User, article: Article
) -> None:
    """Own comments offer edit and withdraw, others' a report link; every form
    carries the reader's own CSRF token."""
    # given
    mine = make_comment(article=article, author=reader, body="Mine")
    theirs = make_comment(article=article, author=other_reader, body="Theirs")
    other_client = Client()
    other_client.force_login(other_reader)
    _page(other_client, article)  # cached by another reader
    # when
    page = _page(reader_client, article)
    # then
    assert reverse("articles:comment_edit", args=[mine.pk]) in page
    assert reverse("articles:comment_edit", args=[theirs.pk]) not in page
    assert reverse("comment-report-form", args=[theirs.pk]) in page
    assert reverse("comment-report-form", args=[mine.pk]) not in page
    assert "Your reply to Bob" in page
    token = reader_client.cookies["csrftoken"].value
    assert token
    assert page.count("Post reply") == 2


@pytest.mark.django_db
def test_anonymous_pages_carry_an_etag_and_revalidate(
    client: Client, article: Article, moderator: User, committed: Committed
) -> None:
    """A browser or CDN may keep the page but asks again; an unchanged story
    answers 304, a changed one the new page."""
    # given
    comment = make_comment(article=article)
    url = reverse("articles:detail", kwargs={"slug": article.slug})
    first = client.get(url)
    etag = first["ETag"]
    assert "public" in first["Cache-Control"]
    assert "no-cache" in first["Cache-Control"]
    # when
    unchanged = client.get(url, headers={"If-None-Match": etag})
    with committed():
        comment_reject(comment=comment, moderator=moderator, reason="abusive")
    changed = client.get(url, headers={"If-None-Match": etag})
    # then
    assert unchanged.status_code == 304
    assert changed.status_code == 200
    assert changed["ETag"] != etag


@pytest.mark.django_db
def test_signed_in_pages_are_private(reader_client: Client, article: Article) -> None:
    """A page with a reader's own forms is never kept by a shared cache."""
    response = reader_client.get(
        reverse("articles:detail", kwargs={"slug": article.slug})
    )
    assert "private" in response["Cache-Control"]
    assert "ETag" not in response


@pytest.mark.django_db
def test_api_thread_revalidates_with_its_etag(client: Client, article: Article) -> None:
    """The thread JSON carries an ETag; sending it back gets 304 until a change."""
    make_comment(article=article)
    url = reverse("api-thread", kwargs={"slug": article.slug})
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304


@pytest.mark.django_db
def test_a_client_reads_a_whole_thread_with_the_cursor(client: Client) -> None:
    """Following next_cursor returns every comment once, in order, in a few
    requests; the last chunk is as cheap as the first."""
    # given
    article = make_article(slug="long-story")
    roots = make_comments(45, article=article)
    for root in roots[:5]:
        make_comments(2, article=article, parent=root)
    seen: list[int] = []
    params = {"limit": "20"}
    requests = 0
    # when
    while True:
        data = _api(client, article, **params)
        requests += 1
        seen += [c["id"] for c in data["results"]]
        if not data["next_cursor"]:
            break
        params = {"limit": "20", "cursor": data["next_cursor"]}
    # then
    assert requests == 3
    assert len(seen) == len(set(seen)) == 55
    assert [i for i in seen if i in {r.pk for r in roots}] == [r.pk for r in roots]


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["newest", "replies"])
def test_the_cursor_follows_every_sort(client: Client, sort: str) -> None:
    """Cursor chunks in "newest" and "most replies" order meet up without gaps."""
    article = make_article(slug="sorted-story")
    roots = make_comments(7, article=article)
    make_comments(3, article=article, parent=roots[2])
    make_comments(1, article=article, parent=roots[5])
    whole = [c["id"] for c in _api(client, article, sort=sort)["results"]]
    assert _read_by_twos(client, article, sort) == whole


def _read_by_twos(client: Client, article: Article, sort: str) -> list[int]:
    """Every comment id of the thread, read two top-level comments at a time."""
    seen: list[int] = []
    params = {"limit": "2", "sort": sort}
    while True:
        data = _api(client, article, **params)
        seen += [c["id"] for c in data["results"]]
        if not data["next_cursor"]:
            return seen
        params = {"limit": "2", "sort": sort, "cursor": data["next_cursor"]}


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["oldest", "newest", "replies"])
def test_the_cursor_keeps_comments_posted_in_the_same_instant_apart(
    client: Client, sort: str
) -> None:
    """Top-level comments with the same time (and reply count) are ordered by id,
    so following the cursor two at a time meets every one exactly once."""
    # given six top-level comments posted in the same microsecond
    article = make_article(slug="same-instant")
    at = timezone.now()
    roots = make_comments(6, article=article, created_at=at)
    make_comments(2, article=article, parent=roots[3], created_at=at)
    Comment.objects.filter(pk=roots[3].pk).update(published_reply_count=2)
    whole = [c["id"] for c in _api(client, article, sort=sort)["results"]]
    # when
    seen = _read_by_twos(client, article, sort)
    # then
    assert seen == whole
    assert len(seen) == len(set(seen)) == 8


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"cursor": "not-a-cursor"}, "bad_cursor"),
        ({"cursor": "WzEsMl0"}, "bad_cursor"),  # [1,2]: not a date
        ({"limit": "0"}, "bad_limit"),
        ({"limit": "1000"}, "bad_limit"),
        ({"limit": "many"}, "bad_limit"),
        ({"page": "9"}, "bad_page"),
        ({"page": "0"}, "bad_page"),
        ({"page": "-3"}, "bad_page"),
        ({"page": "2.5"}, "bad_page"),
        ({"page": "9" * 30}, "bad_page"),  # no offset overflow
        ({"sort": "loudest"}, "bad_sort"),
    ],
)
def test_bad_thread_parameters_are_refused_clearly(
    client: Client, article: Article, params: dict[str, str], code: str
) -> None:
    """A bad cursor, limit, page or sort gets a 400 naming the problem."""
    make_comment(article=article)
    url = reverse("api-thread", kwargs={"slug": article.slug})
    response = client.get(url, params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


@pytest.mark.django_db
def test_a_long_sub_thread_is_bounded_with_more_replies(
    client: Client, article: Article, settings: Any
) -> None:
    """A page shows a conversation's first replies and links to the rest."""
    # given
    settings.PARLEY_THREAD_REPLIES_SHOWN = 5
    root = make_comment(article=article, body="Busy conversation")
    make_comments(12, article=article, parent=root)
    # when
    page = _page(client, article)
    api = _api(client, article)
    # then
    assert page.count('class="comment ') == 6
    assert "7 more replies in this conversation" in page
    assert reverse("articles:comment", args=[root.pk]) in page
    assert len(api["results"]) == 6
    assert api["results"][0]["more_replies"] == 7
    whole = client.get(reverse("articles:comment", args=[root.pk])).content.decode()
    assert whole.count('class="comment ') == 13


@pytest.mark.django_db
def test_replies_hidden_from_readers_are_not_even_loaded(
    client: Client, article: Article, reader_client: Client, reader: User
) -> None:
    """Held and pending replies of others never reach the page."""
    root = make_comment(article=article, body="Root")
    make_comment(article=article, parent=root, body="Held reply", status="held")
    make_comment(article=article, parent=root, body="Fine reply")
    page = _page(reader_client, article)
    assert "Held reply" not in page
    assert "Fine reply" in page


@pytest.mark.django_db
def test_the_story_list_is_paginated(client: Client, settings: Any) -> None:
    """Stories come a page at a time, each with its count of published comments."""
    settings.PARLEY_STORY_PAGE_SIZE = 2
    stories = [make_article(slug=f"story-{n}", title=f"Story {n}") for n in range(5)]
    make_comments(2, article=stories[0])
    make_comment(article=stories[0], status=CommentStatus.HELD)
    first = client.get(reverse("articles:list")).content.decode()
    last = client.get(reverse("articles:list"), {"page": "3"}).content.decode()
    bad = client.get(reverse("articles:list"), {"page": "9"})
    assert "Page 1 of 3" in first
    assert first.count("<article>") == 2
    assert last.count("<article>") == 1
    assert "2 comments" in (first + last)
    assert bad.status_code == 400


@pytest.mark.django_db
def test_comment_html_is_rendered_when_written(reader: User, article: Article) -> None:
    """The stored HTML escapes markup and makes links, once, at write time."""
    comment, _ = services.comment_create(
        article=article, author=reader, body="<b>hi</b> see https://example.org"
    )
    stored = Comment.objects.get(pk=comment.pk)
    assert "&lt;b&gt;hi&lt;/b&gt;" in stored.body_html
    assert 'href="https://example.org"' in stored.body_html
    services.comment_edit(comment=stored, editor=reader, body="Now plain")
    assert Comment.objects.get(pk=comment.pk).body_html == "<p>Now plain</p>"


@pytest.mark.django_db
def test_the_data_migration_renders_existing_comments(article: Article) -> None:
    """Comments written before the HTML column get it from the migration."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("articles.migrations.0004_comment_body_html")
    comment = make_comment(article=article, body="Old <i>text</i>")
    Comment.objects.filter(pk=comment.pk).update(body_html="")
    migration.render_existing(apps, None)
    assert Comment.objects.get(pk=comment.pk).body_html == (
        "<p>Old &lt;i&gt;text&lt;/i&gt;</p>"
    )


@pytest.mark.django_db
def test_a_kept_api_read_answers_as_drf_would(
    client: Client, article: Article, django_assert_num_queries: Any
) -> None:
    """A kept anonymous API read skips DRF's request handling but not its answer:
    the same body and headers (ETag, caching, Vary, Allow), and no query."""
    # given a thread read once through DRF (a client asking for JSON by quality
    # is not served the kept response: DRF negotiates it)
    make_comments(2, article=article)
    url = reverse("api-thread", kwargs={"slug": article.slug})
    through_drf = client.get(url, headers={"Accept": "application/json; q=0.9"})
    client.get(url)
    # when an anonymous reader reads it again
    with django_assert_num_queries(0):
        kept = client.get(url)
    # then
    assert kept.content == through_drf.content
    for header in ("ETag", "Cache-Control", "Vary", "Allow", "Content-Type"):
        assert kept[header] == through_drf[header], header


@pytest.mark.django_db
def test_a_token_reader_never_gets_the_kept_api_read(
    client: Client, reader: User, article: Article
) -> None:
    """After anonymous readers' reads are kept, a reader with an API token still
    sees their own comment awaiting review, in a private answer."""
    # given a kept anonymous read and the reader's waiting comment
    make_comment(article=article, body="Shown to all")
    url = reverse("api-thread", kwargs={"slug": article.slug})
    client.get(url)
    client.get(url)
    make_comment(article=article, author=reader, body="Mine, waiting", status="held")
    token = Token.objects.create(user=reader)
    # when the reader reads with their token
    response = client.get(url, headers={"Authorization": f"Token {token.key}"})
    # then
    bodies = [c["body"] for c in response.json()["results"]]
    assert bodies == ["Mine, waiting", "Shown to all"]
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_kept_page_carries_the_headers_of_the_first(
    client: Client, article: Article
) -> None:
    """The story page kept for anonymous readers is answered with the caching
    headers of the response it was kept from, and revalidates with its ETag."""
    # given a page read once (kept) and again (from the cache)
    make_comment(article=article)
    url = reverse("articles:detail", kwargs={"slug": article.slug})
    first = client.get(url)
    # when
    kept = client.get(url)
    again = client.get(url, headers={"If-None-Match": kept["ETag"]})
    # then
    assert kept.content == first.content
    for header in ("ETag", "Cache-Control", "Vary", "Content-Type"):
        assert kept[header] == first[header], header
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == first["Cache-Control"]


@pytest.mark.django_db
def test_a_process_keeps_entries_only_while_the_story_version_holds(
    client: Client, article: Article
) -> None:
    """A web process keeps the entries it used: a hit reads only the story's
    version from the shared cache, and a bump made anywhere (here: straight in the
    shared cache, as another process would) ends the kept entry at once."""
    # given a page read once, then gone from the shared cache (evicted)
    make_comment(article=article, body="The first comment")
    _page(client, article)
    version = story_version(article.pk)
    cache.delete_many(
        [entry_key(article.pk, version, name) for name in _entry_names(article.pk)]
    )
    # when the same process reads it again, it still has it
    assert "The first comment" in _page(client, article)
    # when another process adds a comment and bumps the version
    make_comment(article=article, body="Added elsewhere")
    assert "Added elsewhere" not in _page(client, article)  # no bump yet
    cache.incr(_version_key(article.pk))
    # then the next read is rebuilt from the database
    page = _page(client, article)
    assert "Added elsewhere" in page
    assert "The first comment" in page


def _entry_names(article_id: int) -> list[str]:
    return [key[2] for key in _KEPT._entries if key[0] == article_id]
