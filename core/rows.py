"""Model rows read and written with SQL built once per process, for the hottest paths.

Compiling an ORM query costs more CPU than PostgreSQL spends running it (about
0.3 ms to build a `SELECT ... JOIN` against 0.1 ms to run it on this project's
machines), and the comment POST is a handful of such statements. The SQL here
is still derived from the models' `_meta` (columns, tables, the models'
defaults and database converters), so a new field needs no change here: only
the shape of a statement is written by hand, in the module that uses it.
"""

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import cache
from typing import Any, TypeVar

from django.db import connection, connections, models
from django.db.models import signals
from django.db.models.base import ModelState

M = TypeVar("M", bound=models.Model)


def quote(name: str | None) -> str:
    if not name:
        raise ValueError("A column or table needs a name.")
    return connection.ops.quote_name(name)


def table(model: type[models.Model]) -> str:
    return quote(model._meta.db_table)


def column(model: type[models.Model], name: str) -> str:
    """The quoted column of `model`'s concrete field `name` ("comment" gives
    "comment_id")."""
    return quote(next(f.column for f in _fields(model) if f.name == name))


Only = tuple[str, ...] | None


@cache
def _fields(
    model: type[models.Model], only: Only = None
) -> tuple[models.Field[Any, Any], ...]:
    """The concrete fields, or those named in `only` (and the primary key), in
    the model's order: the others are deferred, as with QuerySet.only()."""
    fields = model._meta.concrete_fields
    if only is None:
        return tuple(fields)
    return tuple(f for f in fields if f.primary_key or f.name in only)


@cache
def _attnames(model: type[models.Model], only: Only = None) -> tuple[str, ...]:
    return tuple(f.attname for f in _fields(model, only))


def columns(model: type[models.Model], alias: str, only: Only = None) -> str:
    """Every concrete column of `model` (or those of `only`), in field order,
    prefixed with `alias`."""
    return ", ".join(f"{alias}.{quote(f.column)}" for f in _fields(model, only))


def width(model: type[models.Model]) -> int:
    """How many values `columns(model, ...)` selects."""
    return len(_fields(model))


@cache
def _converters(
    model: type[models.Model], only: Only = None
) -> tuple[tuple[int, tuple[Callable[..., Any], ...]], ...]:
    found = []
    for i, field in enumerate(_fields(model, only)):
        col = field.get_col(model._meta.db_table)
        convert = tuple(
            connection.ops.get_db_converters(col) + field.get_db_converters(connection)
        )
        if convert:
            found.append((i, convert))
    return tuple(found)


@cache
def _plain(model: type[models.Model]) -> bool:
    """Whether making an instance runs no code but the model's own __init__: no
    receiver of pre_init or post_init (GenericForeignKey and ImageField add one)."""
    return not (
        signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)
    )


def fetchall(cursor: Any) -> list[tuple[Any, ...]]:
    """`cursor.fetchall()`, with timestamps loaded by psycopg's own loader.

    Django registers a `timestamptz` loader written in Python (it sets the
    datetime's tzinfo to the connection's time zone); on a thread's rows it was
    7 microseconds a value, a tenth of the API's whole-thread read. In a session
    whose time zone is UTC (Django sets it so when USE_TZ is on and the database
    has no TIME_ZONE of its own) psycopg's compiled loader returns the same
    values, `datetime.timezone.utc` included, in a tenth of the time. Elsewhere
    (SQLite, another time zone) this is plain `fetchall()`.
    """
    if _compiled_timestamps():
        loader = _timestamptz_loader()
        if loader is not None:
            cursor.cursor.adapters.register_loader("timestamptz", loader)
    return cursor.fetchall()


def _compiled_timestamps() -> bool:
    from django.conf import settings

    return (
        connection.vendor == "postgresql"
        and settings.USE_TZ
        and connection.timezone_name == "UTC"
    )


@cache
def _timestamptz_loader() -> Any:
    """psycopg's loader for `timestamptz` as text, if it is the compiled one."""
    import psycopg
    from psycopg.pq import Format

    found = psycopg.adapters.get_loader(
        psycopg.adapters.types["timestamptz"].oid, Format.TEXT
    )
    return found if psycopg.pq.__impl__ in ("binary", "c") else None


def instance(model: type[M], values: Sequence[Any]) -> M:
    """A model instance from a row's values for `columns(model, ...)`, as the ORM
    would make it (database converters applied, loaded from the database)."""
    return instances(model, [values])[0]


def instances(
    model: type[M], found: Sequence[Sequence[Any]], only: Only = None
) -> list[M]:
    """Model instances from rows of `columns(model, ..., only)`, as the ORM would
    make them: database converters applied, loaded from the database, fields not
    in `only` deferred (read on first access, as after QuerySet.only())."""
    alias = connection.alias
    fields = _fields(model, only)
    attnames = _attnames(model, only)
    converters = _converters(model, only)
    if not _plain(model):
        return [
            model.from_db(alias, attnames, _converted(row, converters, fields))
            for row in found
        ]
    # What Model.__init__ does with a row of positional values, without its
    # per-field checks (a third of the cost of a thread page's rows): each field's
    # attname set, and the state of a row loaded from the database (its cache of
    # related objects ready, as the thread sets each comment's author).
    new_object = model.__new__
    new_state = ModelState.__new__
    made: list[M] = []
    for values in found:
        row = _converted(values, converters, fields) if converters else values
        state = new_state(ModelState)
        state.__dict__ = {"adding": False, "db": alias, "fields_cache": {}}
        obj = new_object(model)
        data = dict(zip(attnames, row, strict=True))
        data["_state"] = state
        obj.__dict__ = data
        made.append(obj)
    return made


def _converted(
    values: Sequence[Any],
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...]], ...],
    fields: tuple[models.Field[Any, Any], ...],
) -> list[Any]:
    row = list(values)
    for i, convert in converters:
        for converter in convert:
            row[i] = converter(row[i], fields[i], connection)
    return row


@cache
def insert_fields(model: type[models.Model]) -> tuple[models.Field[Any, Any], ...]:
    """The fields an INSERT of `model` writes: all but its automatic primary key
    (a one-to-one primary key, as QueuePriority's, is written)."""
    auto = model._meta.auto_field
    return tuple(f for f in _fields(model) if f is not auto)


def insert_values(obj: models.Model, *, skip: str = "") -> list[Any]:
    """The values of `insert_fields` (less the field named `skip`) for an INSERT
    of the unsaved `obj`, prepared as the ORM's own INSERT prepares them (the
    model's defaults are already applied).

    Prepared with the connection itself, not `django.db.connection`: the proxy
    looks the connection up again on every attribute read (the fields read
    `ops` and `features` for each value), which was half the cost here.
    """
    conn = connections[connection.alias]
    return [
        field.get_db_prep_save(field.pre_save(obj, True), conn)
        for field in insert_fields(type(obj))
        if field.name != skip
    ]


# -- many rows in one statement (PostgreSQL) ----------------------------------


@cache
def insert_rows_sql(
    model: type[models.Model],
    *,
    conflict: tuple[str, ...] = (),
    update: tuple[str, ...] = (),
) -> str:
    """`INSERT INTO model (every insert field) SELECT ... FROM json_to_recordset(%s)`
    for the rows of `records(model, objs)`; with `conflict` (field names), an
    upsert that sets the fields named in `update` (as bulk_create's
    update_conflicts). PostgreSQL only.

    Many rows' values travel as one JSON parameter: one `json.dumps` in C, where
    bulk_create prepares each field of each row and psycopg quotes the arrays of
    its UNNEST element by element (a third of a scoring batch's CPU).
    """
    fields = insert_fields(model)
    names = ", ".join(quote(f.column) for f in fields)
    types = ", ".join(f"{quote(f.column)} {f.db_type(connection)}" for f in fields)
    sql = (
        f"INSERT INTO {table(model)} ({names}) "  # noqa: S608  (names from _meta)
        f"SELECT {names} FROM json_to_recordset(%s::json) AS r({types})"
    )
    if conflict:
        keys = ", ".join(column(model, name) for name in conflict)
        sets = ", ".join(
            f"{column(model, n)} = EXCLUDED.{column(model, n)}" for n in update
        )
        sql += f" ON CONFLICT ({keys}) DO UPDATE SET {sets}"
    return sql


def _json_default(value: object) -> str:
    if isinstance(value, date):  # datetimes too: ISO 8601, microseconds and offset
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} has no JSON form for a row")


def records(model: type[models.Model], objs: Iterable[models.Model]) -> str:
    """The JSON parameter of `insert_rows_sql(model)`: each object's insert
    fields under their column names, as stored (a JSONField's value is nested
    as it is, and json_to_recordset hands it to its jsonb column unchanged)."""
    fields = [(f.column, f.attname) for f in insert_fields(model)]
    return json.dumps(
        [{column: getattr(obj, attname) for column, attname in fields} for obj in objs],
        default=_json_default,
        allow_nan=False,
    )


def int_array(values: Iterable[int]) -> str:
    """A PostgreSQL array literal for `%s::bigint[]` (or `integer[]`): psycopg's
    list dumper inspects every element, this is one join."""
    return "{" + ",".join(str(int(v)) for v in values) + "}"
