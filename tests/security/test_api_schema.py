"""Schemathesis against /api/schema/: generated requests never get a 5xx, and
documented answers match the schema.

Examples per operation are few (CI time); each run draws new ones, so over many
runs the API is explored further. Requests are made anonymously and as a reader
with a token; throttling (429) is an allowed answer.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.factories import make_article, make_comment, make_user

MAX_EXAMPLES = 3


# Read once at collection (pytest-django has set Django up by then; generating the
# schema touches no database).
schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())


@pytest.fixture(autouse=True)
def _keep_the_test_connection(db: None) -> Iterator[None]:
    # As Django's test client does: a request must not close the connection that
    # holds the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def reader_token(db: None) -> str:
    reader = make_user(username="schema-reader")
    article = make_article(slug="schema-story")
    make_comment(article=article, author=reader)
    return Token.objects.create(user=reader).key


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=False,
)
@pytest.mark.django_db
def test_api_answers_without_server_errors(case: Any, reader_token: str) -> None:
    """No generated request, anonymous or signed in, gets a 5xx or an answer that
    contradicts the schema."""
    for headers in ({}, {"Authorization": f"Token {reader_token}"}):
        case.call_and_validate(
            headers=headers,
            checks=[not_a_server_error, response_schema_conformance],
        )
