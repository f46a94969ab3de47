import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from articles.models import Article

from .factories import make_article, make_user


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    # Rate-limit counters live in the cache; each test starts with none.
    cache.clear()


@pytest.fixture
def reader(db: None) -> User:
    return make_user(username="alice", display_name="Alice")


@pytest.fixture
def other_reader(db: None) -> User:
    return make_user(username="bob", display_name="Bob")


@pytest.fixture
def article(db: None) -> Article:
    return make_article(slug="peace-talks", title="Peace talks resume")


@pytest.fixture
def reader_client(reader: User) -> Client:
    client = Client()
    client.force_login(reader)
    return client


@pytest.fixture
def api(reader: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(reader)
    return client
