"""Django's PostgreSQL backend with a health check that needs no round trip.

With CONN_HEALTH_CHECKS, Django checks a persistent connection before its first
use in each request with `SELECT 1`: a round trip, on every request, that a
cheap request (a comment POST) feels. An idle connection the server has closed
or is closing (a restart, `pg_terminate_backend`, an idle timeout) has something
to read on its socket: the server's farewell, or the end of the stream. So the
socket is looked at first, and only a readable one (or one psycopg already knows
to be broken) gets the full `SELECT 1`.
"""

import select
from typing import Any

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection: Any = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        if not readable:
            return True
        return bool(super().is_usable())
