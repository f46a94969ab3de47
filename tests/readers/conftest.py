from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from accounts.models import User
from tests.factories import make_user

RunOnCommit = Callable[[], object]


@pytest.fixture
def on_commit(
    django_capture_on_commit_callbacks: Callable[..., object],
) -> Callable[[], object]:
    """Run the code in the block and then its on-commit callbacks (tasks, hooks)."""

    @contextmanager
    def _run() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
            yield

    return _run


def make_moderator(username: str) -> User:
    user = make_user(username=username, display_name=username.title(), is_staff=True)
    group, _ = Group.objects.get_or_create(name="Moderators")
    user.groups.add(group)
    return user


@pytest.fixture
def moderator(db: None) -> User:
    return make_moderator("maria")


@pytest.fixture
def second_moderator(db: None) -> User:
    return make_moderator("omar")


@pytest.fixture
def moderator_client(moderator: User) -> Client:
    client = Client()
    client.force_login(moderator)
    return client


def has_decide_permission() -> bool:
    return Permission.objects.filter(
        codename="decide_appeal", group__name="Moderators"
    ).exists()
