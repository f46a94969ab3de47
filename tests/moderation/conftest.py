from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import Client, override_settings

from accounts.models import User
from articles.models import Article, Comment, CommentStatus
from articles.services import comment_create
from moderation.classifier.artifact import save
from moderation.classifier.data import Example
from moderation.classifier.model import TrainConfig, fit
from moderation.models import ModerationSettings
from tests.factories import make_comment, make_user

Post = Callable[..., Comment]


@pytest.fixture
def moderator(db: None) -> User:
    """A member of the Moderators group the migration creates."""
    user = make_user(username="mod", display_name="Mo Derator", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def mod_client(moderator: User) -> Client:
    client = Client()
    client.force_login(moderator)
    return client


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


# A few words of each kind: enough for a model that holds insults and publishes
# thanks, trained in about a second instead of loading the 6.7 MB shipped one.
_TINY_TOXIC = [
    "you are an idiot",
    "shut up moron",
    "what a stupid idiot",
    "pathetic moron",
    "you stupid fool shut up",
    "idiot moron loser",
]
_TINY_CIVIL = [
    "thanks for the article",
    "good point well made",
    "i agree with the council vote",
    "nice work, very useful reporting",
    "clear and useful",
    "thanks for the clear reporting",
]


@pytest.fixture(scope="session")
def tiny_model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small model trained once per test session, saved like a shipped one."""
    examples = [
        # kaggle-insults rows label INSULT too, so the model has an attribute
        Example(
            text,
            label,
            source,
            split,
            categories={"insult": label} if source == "kaggle-insults" else {},
        )
        for source in ("kaggle-insults", "toxic-spans", "olid")
        for split in ("train", "val")
        for label, texts in ((1, _TINY_TOXIC), (0, _TINY_CIVIL))
        for text in texts
    ]
    path = tmp_path_factory.mktemp("model") / "tiny-toxicity.skops"
    # The linear stacker: a network fitted on 36 rows guesses wildly on words
    # it never saw ("lol"); the shipped model's network is tested on its own.
    config = TrainConfig(n_bits=12, stack_hidden=0)
    save(fit(examples, config).params, path, {"thresholds": {}})
    return path


@pytest.fixture
def tiny_model(tiny_model_path: Path) -> Iterator[Path]:
    """Score with the session's small model instead of the shipped one."""
    with override_settings(PARLEY_MODEL_PATH=str(tiny_model_path)):
        yield tiny_model_path
