"""The page a reader is sent to after posting is the page that shows the thread."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles import selectors
from articles.models import Article, Comment, CommentStatus
from tests.factories import make_comment


@pytest.mark.django_db
@pytest.mark.parametrize("sort", list(selectors.SORTS))
def test_page_of_comment_matches_the_page_that_shows_it(
    article: Article, sort: str
) -> None:
    # given: top-level comments with ties in time and in reply counts, one hidden
    at = timezone.now() - timedelta(hours=1)
    comments = [
        make_comment(article=article, created_at=at + timedelta(minutes=n // 2))
        for n in range(7)
    ]
    for n, comment in enumerate(comments):
        Comment.objects.filter(pk=comment.pk).update(published_reply_count=n % 3)
    hidden = make_comment(article=article, status=CommentStatus.REJECTED)
    article.refresh_from_db()  # as a request reads it: with its counts
    # when / then: each is on the page the thread shows it on
    for per_page in (1, 2, 3):
        shown_on = {}
        number = 1
        while True:
            page = selectors.thread_page(
                article=article, sort=sort, page=number, per_page=per_page
            )
            shown_on.update({i.comment.pk: number for i in page.items})
            if not page.has_next:
                break
            number += 1
        for comment in comments:
            comment.refresh_from_db()
            found = selectors.page_of_comment(
                comment=comment, sort=sort, per_page=per_page
            )
            assert found == shown_on[comment.pk]
    assert selectors.page_of_comment(comment=hidden, sort=sort, per_page=1) == 1
