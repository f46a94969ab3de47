from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.test.client import Client as _Client

from perspective.models import ApiKey
from perspective.services import api_key_create

# Coral Talk's default endpoint ends in /v1alpha1 and it joins the method name
# after it (path.join), so a configurable base URL is all a client changes.
BASE_URL = "/v1alpha1"
ANALYZE = f"{BASE_URL}/comments:analyze"
SUGGEST = f"{BASE_URL}/comments:suggestscore"

Call = Callable[..., Any]


@pytest.fixture
def key(db: None) -> tuple[ApiKey, str]:
    return api_key_create(name="coral", qps_limit=50)


@pytest.fixture
def storing_key(db: None) -> tuple[ApiKey, str]:
    return api_key_create(name="newsroom", qps_limit=50, may_store_text=True)


def post_json(client: _Client, path: str, body: Any, **extra: Any) -> Any:
    data = body if isinstance(body, bytes | str) else __import__("json").dumps(body)
    return client.post(path, data=data, content_type="application/json", **extra)


@pytest.fixture
def call(key: tuple[ApiKey, str]) -> Call:
    """POST a body to a method with the key as ?key= (Perspective's way)."""

    def _call(path: str, body: Any, api_key: str | None = None, **extra: Any) -> Any:
        secret = key[1] if api_key is None else api_key
        query = f"?key={secret}" if secret else ""
        return post_json(Client(), f"{path}{query}", body, **extra)

    return _call
