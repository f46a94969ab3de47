from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import User
from articles.models import Article, CommentStatus
from articles.services import comment_create
from moderation.models import WordRule


@pytest.mark.django_db
def test_demo_loads_stories_accounts_and_moderates_the_uncivil(
    tmp_path: Path, django_capture_on_commit_callbacks: object
) -> None:
    """The demo has threaded stories, a moderator and a reader; abuse is held."""
    # when
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        call_command("load_demo", credentials_dir=str(tmp_path))
    # then
    assert Article.objects.count() == 3
    moderator = User.objects.get(username="moderator")
    assert moderator.is_staff
    assert moderator.groups.filter(name="Moderators").exists()
    assert User.objects.filter(username="reader").exists()
    creds = (tmp_path / "demo-credentials.txt").read_text()
    assert "moderator" in creds
    assert "reader" in creds
    held = Article.objects.get(slug="council-approves-riverside-cycle-lanes").comments
    assert held.filter(status=CommentStatus.HELD, body__contains="scum").exists()
    assert held.filter(status=CommentStatus.PUBLISHED, depth__gte=1).exists()


@pytest.mark.django_db
def test_demo_is_not_loaded_twice(tmp_path: Path) -> None:
    """A second run leaves a database with stories alone."""
    call_command("load_demo", credentials_dir=str(tmp_path))
    call_command("load_demo", credentials_dir=str(tmp_path))
    assert Article.objects.count() == 3


@pytest.mark.django_db
def test_demo_shows_every_flow(
    tmp_path: Path, django_capture_on_commit_callbacks: object
) -> None:
    """Two moderators (so an appeal has someone who did not reject), word rules,
    and an established reader whose clean comment publishes at once while the new
    reader's first comment waits for a person."""
    # given
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        call_command("load_demo", credentials_dir=str(tmp_path))
    moderators = User.objects.filter(groups__name="Moderators", is_staff=True)
    article = Article.objects.get(slug="council-approves-riverside-cycle-lanes")
    # when
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        regular, _ = comment_create(
            article=article,
            author=User.objects.get(username="regular"),
            body="Good to see the plans published in full.",
        )
        newcomer, _ = comment_create(
            article=article,
            author=User.objects.get(username="reader"),
            body="Good to see the plans published in full.",
        )
    # then
    assert moderators.count() == 2
    assert WordRule.objects.filter(is_active=True).count() >= 3
    regular.refresh_from_db()
    newcomer.refresh_from_db()
    assert regular.status == CommentStatus.PUBLISHED
    assert newcomer.status == CommentStatus.HELD
    creds = (tmp_path / "demo-credentials.txt").read_text()
    assert "moderator2" in creds
    assert "regular" in creds
