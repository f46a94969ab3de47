"""The API write limit as deployed: counted in Redis, shared by every process."""

import pytest
from django.test import override_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import make_article, make_user
from tests.integration.conftest import REDIS_CACHE

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _client(username: str) -> APIClient:
    api = APIClient()
    token = Token.objects.create(user=make_user(username=username))
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api


@override_settings(CACHES=REDIS_CACHE)
def test_writes_past_the_limit_are_refused_per_reader() -> None:
    """With the limit counted in Redis (10 writes a minute in tests), a reader's
    eleventh write in a minute is refused with Retry-After, and another reader
    writing at the same time is not held back by it."""
    # given two readers and a story
    url = reverse("api-thread", kwargs={"slug": make_article().slug})
    fast, other = _client("fast-writer"), _client("other-writer")
    # when the first writes eleven times (empty bodies: refused as invalid, but
    # every write counts) and the other once
    answers = [fast.post(url, {}, format="json").status_code for _ in range(11)]
    others = other.post(url, {}, format="json")
    # then
    assert answers[:10] == [400] * 10
    assert answers[10] == 429
    refused = fast.post(url, {}, format="json")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["error"]["code"] == "throttled"
    assert others.status_code == 400
