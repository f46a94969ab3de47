"""A persistent database connection the server has closed is never used again."""

import time

import pytest
from django.db import connection

from config.postgresql.base import DatabaseWrapper

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's own backend"
)
def test_a_connection_the_server_closed_fails_the_health_check() -> None:
    """An idle connection passes the check while the server keeps it, and fails
    it once the server ends it (a restart, an administrator, an idle timeout), so
    Django opens a new one instead of answering a reader with an error."""
    # given a second, idle connection to the database
    other = DatabaseWrapper(connection.settings_dict.copy(), alias="health")
    other.ensure_connection()
    try:
        assert other.is_usable()
        pid = other.connection.info.backend_pid
        # when the server ends it
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 5
        while other.is_usable() and time.monotonic() < deadline:
            time.sleep(0.05)
        # then the health check says so
        assert not other.is_usable()
    finally:
        other.close()
