"""Migration operations that are safe on a large, busy PostgreSQL table.

`CREATE INDEX` blocks writes to the table for as long as the build takes (minutes at
a million comments); `CREATE INDEX CONCURRENTLY` does not, but cannot run inside a
transaction. Django's own `AddIndexConcurrently` works only on PostgreSQL, and the
test suite and `make run` also migrate SQLite, so these fall back to the plain
operation elsewhere. A migration using them must set `atomic = False`.
"""

from typing import Any

from django.db import migrations
from django.db.migrations.state import ProjectState


def _concurrent(schema_editor: Any) -> bool:
    if schema_editor.connection.vendor != "postgresql":
        return False
    if schema_editor.connection.in_atomic_block:
        raise ValueError(
            "A concurrent index operation cannot run in a transaction: set "
            "`atomic = False` on the migration."
        )
    return True


def _index_change(
    operation: migrations.AddIndex | migrations.RemoveIndex,
    app_label: str,
    schema_editor: Any,
    state: ProjectState,
    method: str,
    index: Any,
) -> None:
    """Add or remove `index` (`method`), concurrently where the database can."""
    model = state.apps.get_model(app_label, operation.model_name)
    if not operation.allow_migrate_model(schema_editor.connection.alias, model):
        return
    options = {"concurrently": True} if _concurrent(schema_editor) else {}
    getattr(schema_editor, method)(model, index, **options)


class AddIndexConcurrentlyIfPossible(migrations.AddIndex):
    """AddIndex, built with CREATE INDEX CONCURRENTLY on PostgreSQL."""

    def database_forwards(
        self,
        app_label: str,
        schema_editor: Any,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        self._index_change(app_label, schema_editor, to_state, "add_index")

    def database_backwards(
        self,
        app_label: str,
        schema_editor: Any,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        self._index_change(app_label, schema_editor, from_state, "remove_index")

    def _index_change(
        self, app_label: str, schema_editor: Any, state: ProjectState, method: str
    ) -> None:
        _index_change(self, app_label, schema_editor, state, method, self.index)


class RemoveIndexConcurrentlyIfPossible(migrations.RemoveIndex):
    """RemoveIndex, dropped with DROP INDEX CONCURRENTLY on PostgreSQL."""

    def database_forwards(
        self,
        app_label: str,
        schema_editor: Any,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        self._index_change(app_label, schema_editor, from_state, "remove_index")

    def database_backwards(
        self,
        app_label: str,
        schema_editor: Any,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        self._index_change(app_label, schema_editor, to_state, "add_index")

    def _index_change(
        self, app_label: str, schema_editor: Any, state: ProjectState, method: str
    ) -> None:
        # `state` is the one in which the index exists.
        index = state.models[app_label, self.model_name_lower].get_index_by_name(
            self.name
        )
        _index_change(self, app_label, schema_editor, state, method, index)


class RunSQLOnPostgres(migrations.RunSQL):
    """RunSQL that runs only on PostgreSQL (for PostgreSQL-only indexes).

    For indexes the ORM cannot declare portably, such as a GIN index on a JSON
    column; the queries that use them fall back to a scan on other databases.
    """

    def database_forwards(
        self,
        app_label: str,
        schema_editor: Any,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(
        self,
        app_label: str,
        schema_editor: Any,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
