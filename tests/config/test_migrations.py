"""Migrations keep a large table writable while they run."""

from django.db import migrations
from django.db.migrations.loader import MigrationLoader

from core.migration_operations import (
    AddIndexConcurrentlyIfPossible,
    RemoveIndexConcurrentlyIfPossible,
)

OURS = {"accounts", "articles", "moderation", "perspective", "readers", "sites"}


def test_indexes_added_to_existing_tables_are_built_concurrently() -> None:
    """An index added after a table's first migration is built with CREATE INDEX
    CONCURRENTLY (outside a transaction), so comments can still be written while
    it builds on a table of millions of rows."""
    # given every migration of Parley's apps
    loader = MigrationLoader(None, ignore_no_migrations=True)
    # when the index additions outside initial migrations are listed
    locking = [
        f"{app}.{name}: {op.index.name}"
        for (app, name), migration in loader.disk_migrations.items()
        if app in OURS and not migration.initial
        for op in migration.operations
        if isinstance(op, migrations.AddIndex)
        and not (
            isinstance(op, AddIndexConcurrentlyIfPossible) and not migration.atomic
        )
    ]
    # then none would lock the table
    assert locking == []


def test_indexes_dropped_from_existing_tables_are_dropped_concurrently() -> None:
    """An index dropped after a table's first migration goes with DROP INDEX
    CONCURRENTLY (outside a transaction), which waits for the queries using it
    instead of locking writes out."""
    # given every migration of Parley's apps
    loader = MigrationLoader(None, ignore_no_migrations=True)
    # when the index removals outside initial migrations are listed
    locking = [
        f"{app}.{name}: {op.name}"
        for (app, name), migration in loader.disk_migrations.items()
        if app in OURS and not migration.initial
        for op in migration.operations
        if isinstance(op, migrations.RemoveIndex)
        and not (
            isinstance(op, RemoveIndexConcurrentlyIfPossible) and not migration.atomic
        )
    ]
    # then none would lock the table
    assert locking == []
