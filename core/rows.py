"""Model rows read and written with SQL built once per process, for the hottest paths.

Compiling an ORM query costs more CPU than PostgreSQL spends running it (about
0.3 ms to build a `SELECT ... JOIN` against 0.1 ms to run it on this project's
machines), and the comment POST is a handful of such statements. The SQL here
is still derived from the models' `_meta` (columns, tables, the models'
defaults and database converters), so a new field needs no change here: only
the shape of a statement is written by hand, in the module that uses it.
"""

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)


def quote(name: str | None) -> str:
    if not name:
        raise ValueError("A column or table needs a name.")
    return connection.ops.quote_name(name)


def table(model: type[models.Model]) -> str:
    return quote(model._meta.db_table)


@cache
def _fields(model: type[models.Model]) -> tuple[models.Field[Any, Any], ...]:
    return tuple(model._meta.concrete_fields)


@cache
def _attnames(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(f.attname for f in _fields(model))


def columns(model: type[models.Model], alias: str) -> str:
    """Every concrete column of `model`, in field order, prefixed with `alias`."""
    return ", ".join(f"{alias}.{quote(f.column)}" for f in _fields(model))


def width(model: type[models.Model]) -> int:
    """How many values `columns(model, ...)` selects."""
    return len(_fields(model))


@cache
def _converters(
    model: type[models.Model],
) -> tuple[tuple[int, tuple[Callable[..., Any], ...]], ...]:
    found = []
    for i, field in enumerate(_fields(model)):
        col = field.get_col(model._meta.db_table)
        convert = tuple(
            connection.ops.get_db_converters(col) + field.get_db_converters(connection)
        )
        if convert:
            found.append((i, convert))
    return tuple(found)


def instance(model: type[M], values: Sequence[Any]) -> M:
    """A model instance from a row's values for `columns(model, ...)`, as the ORM
    would make it (database converters applied, loaded from the database)."""
    row = list(values)
    for i, convert in _converters(model):
        field = _fields(model)[i]
        for converter in convert:
            row[i] = converter(row[i], field, connection)
    return model.from_db(connection.alias, _attnames(model), row)


def insert_fields(model: type[models.Model]) -> tuple[models.Field[Any, Any], ...]:
    """The fields an INSERT of `model` writes: all but its automatic primary key."""
    return tuple(f for f in _fields(model) if not f.primary_key)


def insert_value(obj: models.Model, field: models.Field[Any, Any]) -> Any:
    """`field`'s value for an INSERT of the unsaved `obj`, prepared as the ORM's
    own INSERT prepares it (the model's defaults are already applied)."""
    return field.get_db_prep_save(field.pre_save(obj, True), connection)
