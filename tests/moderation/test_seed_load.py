"""seed_load: a consistent data set of the requested size and shape."""

import pytest
from django.core.management import call_command
from django.db.models import F

from articles.models import Article, Comment, CommentStatus
from lifecycle.transitions import counters_recount
from moderation.models import Decision, PipelineResult, Report


@pytest.mark.django_db
def test_seed_load_writes_consistent_threads() -> None:
    """Every reply sits on a published comment of its own story, one level deeper;
    decided comments have their pipeline result and decision; sizes are kept."""
    # when
    call_command("seed_load", comments=600, stories=3, readers=40,
                 story_sizes="50,100", reported=0.2, held=0.05)  # fmt: skip
    # then
    assert Comment.objects.count() == 600
    assert Article.objects.count() == 5
    assert Comment.objects.filter(article__slug="load-100").count() == 100
    replies = Comment.objects.filter(parent__isnull=False)
    assert replies.exists()
    assert not replies.exclude(article_id=F("parent__article_id")).exists()
    assert not replies.exclude(depth=F("parent__depth") + 1).exists()
    assert not replies.exclude(parent__status=CommentStatus.PUBLISHED).exists()
    decided = Comment.objects.exclude(status=CommentStatus.PENDING).count()
    assert PipelineResult.objects.count() == decided
    assert Decision.objects.filter(source="pipeline").count() == decided
    assert Comment.objects.filter(status=CommentStatus.HELD).exists()
    assert Report.objects.filter(resolution="pending").exists()
    assert not Comment.objects.filter(body_html="").exists()
    # and the stories' counters are what a recount from the comments gives
    kept = list(
        Article.objects.order_by("pk").values_list(
            "published_comment_count", "shown_top_level_count"
        )
    )
    assert any(shown for _, shown in kept)
    counters_recount()
    assert kept == list(
        Article.objects.order_by("pk").values_list(
            "published_comment_count", "shown_top_level_count"
        )
    )


@pytest.mark.django_db
def test_seed_load_refuses_to_load_twice() -> None:
    """A second load with the same prefix is refused, not merged."""
    from django.core.management.base import CommandError

    call_command("seed_load", comments=20, stories=1, readers=5)
    with pytest.raises(CommandError, match="already in this database"):
        call_command("seed_load", comments=20, stories=1, readers=5)
