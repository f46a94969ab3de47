"""`manage.py counters_recount`: the repair for counts written around the
transitions (imports, fixtures, SQL by hand)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, Comment
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db


def test_it_mends_the_counts_of_the_stories_named_and_says_how_many() -> None:
    # given two stories whose counts were written wrong
    story, other = make_article(slug="bridge"), make_article(slug="tunnel")
    top = make_comment(article=story)
    make_comment(article=story, parent=top)
    make_comment(article=other)
    Article.objects.update(published_comment_count=9, shown_top_level_count=0)
    Comment.objects.filter(pk=top.pk).update(published_reply_count=5)
    # when the first is recounted
    out = StringIO()
    call_command("counters_recount", story=["bridge"], stdout=out)
    # then its counts are the comments' and the other story is left as it was
    assert out.getvalue().strip() == "Counts mended: 1 story, 1 comment."
    story.refresh_from_db()
    other.refresh_from_db()
    top.refresh_from_db()
    assert (story.published_comment_count, story.shown_top_level_count) == (2, 1)
    assert top.published_reply_count == 1
    assert other.published_comment_count == 9
    # and a second run over every story mends the other one only
    out = StringIO()
    call_command("counters_recount", stdout=out)
    assert out.getvalue().strip() == "Counts mended: 1 story, 0 comments."


def test_an_unknown_story_is_named_in_the_error() -> None:
    make_article(slug="bridge")
    with pytest.raises(CommandError, match="There is no story 'brige'"):
        call_command("counters_recount", story=["bridge", "brige"])
