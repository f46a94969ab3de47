import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from articles.models import Article, Comment, CommentStatus
from lifecycle.transitions import counters_recount
from tests.factories import (
    make_article,
    make_comment,
    make_comments,
    make_user,
    make_users,
)


def _detail(article: Article) -> str:
    return reverse("articles:detail", kwargs={"slug": article.slug})


def _post(article: Article) -> str:
    return reverse("articles:comment_post", kwargs={"slug": article.slug})


@pytest.mark.django_db
def test_story_list_shows_published_comment_counts(client: Client) -> None:
    """The story list counts only published comments."""
    # given
    article = make_article(title="Council approves the new bridge")
    make_comments(2, article=article)
    make_comment(article=article, status=CommentStatus.HELD)
    # when
    page = client.get(reverse("articles:list")).content.decode()
    # then
    assert "Council approves the new bridge" in page
    assert "2 comments" in page


@pytest.mark.django_db
def test_story_page_shows_the_thread_with_display_names_not_emails(
    client: Client, article: Article
) -> None:
    """Comments show the author's display name; email addresses never appear."""
    author = make_user(display_name="Marta K", email="marta@example.org")
    make_comment(article=article, author=author, body="Good news for the region.")
    page = client.get(_detail(article)).content.decode()
    assert "Marta K" in page
    assert "Good news for the region." in page
    assert "marta@example.org" not in page


@pytest.mark.django_db
def test_own_pending_comment_is_shown_awaiting_review_only_to_its_author(
    client: Client, reader_client: Client, reader: User, article: Article
) -> None:
    """Readers see their own held comments marked "awaiting review"; others don't."""
    make_comment(article=article, author=reader, body="Mine", status="held")
    own = reader_client.get(_detail(article)).content.decode()
    anon = client.get(_detail(article)).content.decode()
    assert "Mine" in own
    assert "awaiting review" in own
    assert "Mine" not in anon


@pytest.mark.django_db
def test_deep_replies_indent_six_levels_then_say_in_reply_to(
    client: Client, article: Article
) -> None:
    """Indentation stops at 6 levels; deeper replies name who they answer."""
    # given a chain of 9 replies
    parent: Comment | None = None
    for level in range(9):
        author = make_user(display_name=f"Level{level}")
        parent = make_comment(
            article=article, parent=parent, author=author, body=f"depth {level}"
        )
    # when
    page = client.get(_detail(article)).content.decode()
    # then
    assert "comment depth-7" not in page
    assert page.count('class="comment depth-6') == 3
    assert "in reply to Level6" in page
    assert "in reply to Level7" in page
    assert "in reply to Level5" not in page


@pytest.mark.django_db
def test_withdrawn_comment_leaves_a_tombstone_over_its_replies(
    client: Client, article: Article
) -> None:
    """A withdrawn comment's text disappears but its replies stay in place."""
    top = make_comment(article=article, body="I said something", status="withdrawn")
    make_comment(article=article, parent=top, body="A reply that stays")
    page = client.get(_detail(article)).content.decode()
    assert "This comment was withdrawn by its author." in page
    assert "I said something" not in page
    assert "A reply that stays" in page


@pytest.mark.django_db
def test_withdrawn_comment_without_replies_disappears(
    client: Client, article: Article
) -> None:
    """A tombstone with nothing under it is not shown."""
    make_comment(article=article, body="Gone", status="withdrawn")
    page = client.get(_detail(article)).content.decode()
    assert "withdrawn by its author" not in page


@pytest.mark.django_db
def test_thread_sorts_by_oldest_newest_and_most_replies(
    client: Client, article: Article
) -> None:
    """The three sort orders put top-level comments in the expected order."""
    old = make_comment(article=article, body="OLDEST")
    make_comment(article=article, body="NEWEST")
    make_comments(2, article=article, parent=old)
    busy = make_comment(article=article, body="BUSIEST")
    make_comments(3, article=article, parent=busy)

    def order(sort: str) -> list[str]:
        html = client.get(_detail(article), {"sort": sort}).content.decode()
        return re.findall(r"OLDEST|NEWEST|BUSIEST", html)

    assert order("oldest") == ["OLDEST", "NEWEST", "BUSIEST"]
    assert order("newest") == ["BUSIEST", "NEWEST", "OLDEST"]
    assert order("replies") == ["BUSIEST", "OLDEST", "NEWEST"]


@pytest.mark.django_db
def test_thread_is_paginated_by_top_level_comment_with_a_more_link(
    client: Client, article: Article, settings: object
) -> None:
    """Page 1 shows the first top-level comments and links to more."""
    settings.PARLEY_THREAD_PAGE_SIZE = 2  # type: ignore[attr-defined]
    for n in range(5):
        make_comment(article=article, body=f"Top {n}")
    first = client.get(_detail(article)).content.decode()
    third = client.get(_detail(article), {"page": 3}).content.decode()
    assert "Top 0" in first
    assert "Top 2" not in first
    assert "More comments" in first
    assert "?sort=oldest&amp;page=2" in first
    assert "Top 4" in third


@pytest.mark.django_db
def test_bad_sort_or_page_gets_a_clear_400(client: Client, article: Article) -> None:
    """Unknown sort orders and page numbers are refused with a message."""
    bad_sort = client.get(_detail(article), {"sort": "loudest"})
    bad_page = client.get(_detail(article), {"page": "99"})
    bad_word = client.get(_detail(article), {"page": "two"})
    huge = client.get(_detail(article), {"page": "9" * 30})
    zero = client.get(_detail(article), {"page": "0"})
    assert bad_sort.status_code == 400
    assert "Unknown sort order" in bad_sort.content.decode()
    assert bad_page.status_code == 400
    assert "There is no page 99" in bad_page.content.decode()
    assert bad_word.status_code == 400
    assert "whole number" in bad_word.content.decode()
    for refused in (huge, zero):
        assert refused.status_code == 400
        assert "There is no page" in refused.content.decode()


@pytest.mark.django_db
def test_unknown_story_or_comment_is_404(client: Client) -> None:
    """Unknown slugs and comment ids answer 404."""
    assert client.get("/stories/no-such-story/").status_code == 404
    assert client.get("/comments/999999/").status_code == 404


@pytest.mark.django_db
def test_permalink_shows_the_comment_and_its_replies(
    client: Client, article: Article
) -> None:
    """Each comment has a page of its own with the replies under it."""
    top = make_comment(article=article, body="Top comment")
    child = make_comment(article=article, parent=top, body="Child comment")
    make_comment(article=article, parent=child, body="Grandchild comment")
    make_comment(article=article, body="Unrelated comment")
    page = client.get(child.get_absolute_url()).content.decode()
    assert "Child comment" in page
    assert "Grandchild comment" in page
    assert "Unrelated comment" not in page
    assert "Top comment" not in page


@pytest.mark.django_db
def test_others_held_comment_has_no_permalink(client: Client, article: Article) -> None:
    """A comment awaiting review is not visible to other readers by its URL."""
    held = make_comment(article=article, status=CommentStatus.HELD)
    assert client.get(held.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_thread_of_2000_comments_renders_in_constant_queries(
    client: Client, django_assert_max_num_queries: object
) -> None:
    """Rendering a 2,000-comment thread costs a fixed handful of queries."""
    # given 200 top-level comments with 9 replies each, some nested deeply
    article = make_article()
    authors = make_users(20)
    tops = Comment.objects.bulk_create(
        Comment(
            article=article,
            author=authors[i % 20],
            body=f"top {i}",
            status=CommentStatus.PUBLISHED,
        )
        for i in range(200)
    )
    replies = []
    for i, top in enumerate(tops):
        for j in range(9):
            replies.append(
                Comment(
                    article=article,
                    author=authors[(i + j) % 20],
                    parent=top,
                    root=top,
                    depth=1,
                    body=f"reply {i}.{j}",
                    status=CommentStatus.PUBLISHED,
                )
            )
    Comment.objects.bulk_create(replies)
    counters_recount(article_ids=[article.pk])  # written around the transitions
    assert article.comments.count() == 2000
    # when / then
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        response = client.get(_detail(article), {"page": 1})
    assert response.status_code == 200
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        response = client.get(_detail(article), {"sort": "replies", "page": "10"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_posting_requires_login(client: Client, article: Article) -> None:
    """Signed-out readers are sent to log in and nothing is saved."""
    response = client.post(_post(article), {"body": "Hello"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not article.comments.exists()


@pytest.mark.django_db
def test_posting_a_comment_shows_it_on_the_story(
    reader_client: Client, article: Article
) -> None:
    """A posted comment appears on the story page for its author."""
    response = reader_client.post(
        _post(article), {"body": "My first comment"}, follow=True
    )
    assert response.status_code == 200
    assert "My first comment" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ("   ", 400, "Your comment is empty"),
        ("x" * 5001, 400, "the limit is 5,000"),
        ("nul\x00here", 400, "control characters"),
    ],
)
def test_refused_comment_keeps_the_text_and_says_why(
    reader_client: Client, article: Article, body: str, status: int, message: str
) -> None:
    """A refused comment is not saved; the page explains why."""
    response = reader_client.post(_post(article), {"body": body})
    assert response.status_code == status
    assert message in response.content.decode()
    assert not article.comments.exists()


@pytest.mark.django_db
def test_refused_comment_form_keeps_what_the_reader_typed(
    reader_client: Client, reader: User
) -> None:
    """On a closed story the reader's text is still in the form after the refusal."""
    article = make_article(comments_open=False)
    response = reader_client.post(_post(article), {"body": "Keep this text"})
    assert response.status_code == 403
    assert "Comments on this story are closed." in response.content.decode()


@pytest.mark.django_db
def test_reply_to_unknown_or_foreign_comment_is_refused(
    reader_client: Client, article: Article
) -> None:
    """Replies to missing comments or comments of another story are refused."""
    foreign = make_comment(article=make_article())
    missing = reader_client.post(_post(article), {"body": "Hi", "parent": 424242})
    garbled = reader_client.post(_post(article), {"body": "Hi", "parent": "abc"})
    assert garbled.status_code == 400
    assert "does not exist" in garbled.content.decode()
    other = reader_client.post(_post(article), {"body": "Hi", "parent": foreign.pk})
    assert missing.status_code == 400
    assert "does not exist" in missing.content.decode()
    assert other.status_code == 400
    assert "same story" in other.content.decode()


@pytest.mark.django_db
def test_reply_form_is_under_each_published_comment(
    reader_client: Client, article: Article
) -> None:
    """Each published comment carries a labelled reply form."""
    top = make_comment(article=article)
    page = reader_client.get(_detail(article)).content.decode()
    assert f'<label for="reply-{top.pk}">' in page
    assert f'name="parent" value="{top.pk}"' in page


@pytest.mark.django_db
def test_posting_too_fast_is_rate_limited(
    reader_client: Client, article: Article, settings: object
) -> None:
    """After the write limit, posts get 429 and a message to wait."""
    for n in range(10):
        reader_client.post(_post(article), {"body": f"Comment {n}"})
    response = reader_client.post(_post(article), {"body": "One too many"})
    assert response.status_code == 429
    assert "posting too quickly" in response.content.decode()
    assert article.comments.count() == 10


@pytest.mark.django_db
def test_edit_page_saves_a_new_version(
    reader_client: Client, reader: User, article: Article
) -> None:
    """The author edits through the edit form."""
    comment = make_comment(article=article, author=reader, body="Typo hree")
    url = reverse("articles:comment_edit", kwargs={"pk": comment.pk})
    assert reader_client.get(url).status_code == 200
    reader_client.post(url, {"body": "Typo here"})
    comment.refresh_from_db()
    assert comment.body == "Typo here"
    assert comment.revisions.count() == 2


@pytest.mark.django_db
def test_edit_page_refuses_other_readers(
    client: Client, other_reader: User, reader: User, article: Article
) -> None:
    """Another reader cannot open the edit page of my comment."""
    comment = make_comment(article=article, author=reader)
    client.force_login(other_reader)
    url = reverse("articles:comment_edit", kwargs={"pk": comment.pk})
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_withdraw_page_withdraws(
    reader_client: Client, reader: User, article: Article
) -> None:
    """The author withdraws a comment through a confirmation form."""
    comment = make_comment(article=article, author=reader)
    url = reverse("articles:comment_withdraw", kwargs={"pk": comment.pk})
    assert reader_client.get(url).status_code == 200
    reader_client.post(url)
    comment.refresh_from_db()
    assert comment.status == CommentStatus.WITHDRAWN


@pytest.mark.django_db
def test_signup_logs_in_and_shows_the_display_name(client: Client) -> None:
    """Signing up creates the account, signs in and greets by display name."""
    response = client.post(
        reverse("signup"),
        {
            "username": "newreader",
            "display_name": "New Reader",
            "email": "new@example.org",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Signed in as <strong>New Reader</strong>" in page
    assert "new@example.org" not in page


@pytest.mark.django_db
def test_signup_with_mismatched_passwords_says_so(client: Client) -> None:
    """A bad sign-up form answers 400 with the field's error."""
    response = client.post(
        reverse("signup"),
        {
            "username": "x",
            "display_name": "X",
            "password1": "a-long-unusual-passphrase",
            "password2": "different-passphrase-here",
        },
    )
    assert response.status_code == 400
    assert "didn\N{RIGHT SINGLE QUOTATION MARK}t match" in response.content.decode()


@pytest.mark.django_db
def test_login_and_logout(client: Client, reader: User) -> None:
    """Readers log in with username and password and log out with a POST."""
    response = client.post(
        reverse("login"),
        {"username": "alice", "password": "correct horse battery staple"},
        follow=True,
    )
    assert "Signed in as <strong>Alice</strong>" in response.content.decode()
    response = client.post(reverse("logout"), follow=True)
    assert "Log in" in response.content.decode()


@pytest.mark.django_db
def test_forms_are_csrf_protected(reader: User, article: Article) -> None:
    """A comment POST without a CSRF token is refused."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    response = client.post(_post(article), {"body": "Forged"})
    assert response.status_code == 403
    assert not article.comments.exists()


@pytest.mark.django_db
def test_story_text_is_escaped_paragraphs_each_story_its_own(client: Client) -> None:
    """The story's text shows as paragraphs with any markup escaped; a second
    story's text is its own, however often the first was shown."""
    # given
    first = make_article(body="Rates rise & <b>fall</b>.\n\nSecond <script>x</script>")
    second = make_article(body="Another story.\nSame paragraph.")
    # when
    pages = [client.get(_detail(a)).content.decode() for a in (first, first, second)]
    # then
    assert "<p>Rates rise &amp; &lt;b&gt;fall&lt;/b&gt;.</p>" in pages[0]
    assert "<p>Second &lt;script&gt;x&lt;/script&gt;</p>" in pages[0]
    assert pages[1].count("Rates rise") == 1
    assert "<p>Another story.<br>Same paragraph.</p>" in pages[2]
    assert "Rates rise" not in pages[2]
