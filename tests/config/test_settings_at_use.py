"""Settings are read when they are used, so a changed setting applies at once."""

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db


def test_the_comment_rate_limit_follows_the_setting_in_force() -> None:
    """A rate changed after start-up (here by a test override) is the one applied."""
    # given a reader and a story, with the write rate lowered to one an hour
    cache.clear()
    client = Client()
    client.force_login(make_user())
    url = f"{make_article().get_absolute_url()}comments/"
    with override_settings(PARLEY_COMMENT_WRITE_RATE="1/h"):
        # when the reader posts twice
        first = client.post(url, {"body": "A first thoughtful comment."})
        second = client.post(url, {"body": "A second thoughtful comment."})
    # then the second post is refused as too quick
    assert first.status_code == 302
    assert second.status_code == 429
    assert "posting too quickly" in second.content.decode()
