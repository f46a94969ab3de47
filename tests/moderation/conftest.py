from collections.abc import Callable

import pytest

from accounts.models import User
from articles.models import Article, Comment, CommentStatus
from articles.services import comment_create
from moderation.models import ModerationSettings
from tests.factories import make_comment, make_user

Post = Callable[..., Comment]


@pytest.fixture
def regular(db: None) -> User:
    """An author with a published comment already, so not a new commenter."""
    user = make_user(username="regular", display_name="Regular")
    make_comment(author=user, status=CommentStatus.PUBLISHED)
    return user


@pytest.fixture
def mod_settings(db: None) -> ModerationSettings:
    return ModerationSettings.get_or_create_current()


@pytest.fixture
def post(
    django_capture_on_commit_callbacks: Callable[..., object], article: Article
) -> Post:
    """Post a comment through the service and run its scoring task (eagerly)."""

    def _post(
        *,
        author: User,
        body: str,
        on: Article | None = None,
        parent: Comment | None = None,
    ) -> Comment:
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
            comment, _ = comment_create(
                article=on or article, author=author, body=body, parent=parent
            )
        comment.refresh_from_db()
        return comment

    return _post
