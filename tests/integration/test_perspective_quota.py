"""A key's quota is shared by every process that serves the API (Redis)."""

import os
import subprocess
import sys

import pytest
from django.core.cache import caches
from django.test import override_settings

from perspective.errors import ApiError
from perspective.services import api_key_create, quota_check

from .conftest import REDIS_CACHE, ROOT

pytestmark = pytest.mark.integration

_OTHER_PROCESS = """
import sys
import django
django.setup()
from perspective.models import ApiKey
from perspective.services import quota_check
key = ApiKey(pk=int(sys.argv[1]), name="shared", qps_limit=4)
for _ in range(3):
    quota_check(api_key=key, now=1_900_000_000.5)
print("ok")
"""


@pytest.mark.django_db
@override_settings(CACHES=REDIS_CACHE)
def test_requests_in_two_processes_count_against_one_quota() -> None:
    # given: another serving process used 3 of the key's 4 requests this second
    key, _secret = api_key_create(name="shared", qps_limit=4)
    caches["default"].delete(f"perspective:qps:{key.pk}:1900000000")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
    }
    result = subprocess.run(
        [sys.executable, "-c", _OTHER_PROCESS, str(key.pk)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert result.stdout.strip().endswith("ok")
    # when: this process makes two more in the same second
    quota_check(api_key=key, now=1_900_000_000.9)
    with pytest.raises(ApiError) as refused:
        quota_check(api_key=key, now=1_900_000_000.9)
    # then
    assert refused.value.status == "RESOURCE_EXHAUSTED"
    assert refused.value.headers == {"Retry-After": "1"}
