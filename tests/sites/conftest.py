import time
import uuid
from typing import Any

import jwt
import pytest

from sites.models import Site
from tests.factories import make_site

SECRET = "gazette-secret-for-tests-0123456789abcdef"
ORIGIN = "http://localhost:8001"


@pytest.fixture
def gazette(db: None) -> Site:
    return make_site(
        name="The Riverside Gazette",
        slug="gazette",
        allowed_origins=f"{ORIGIN}\nhttps://www.gazette.example",
        story_hosts="localhost\nwww.gazette.example",
        sso_secret=SECRET,
        create_stories_on_embed=True,
    )


def sso_token(secret: str = SECRET, algorithm: str = "HS256", **claims: Any) -> str:
    """A token as a newsroom's back end signs it; claims=None drops a claim."""
    payload: dict[str, Any] = {
        "sub": "reader-7",
        "name": "Sam Reader",
        "email": "sam@gazette.example",
        "exp": int(time.time()) + 300,
        "jti": uuid.uuid4().hex,
    }
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, secret, algorithm=algorithm)
