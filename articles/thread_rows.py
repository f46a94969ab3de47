"""A story's thread read with SQL built once per process (`core.rows`).

A page of the thread is read on every request the cache misses, and a busy
story's first read after every change is one. The ORM spent more time compiling
these statements than PostgreSQL spent running them, and its page query joined
the readers' table before LIMIT, which PostgreSQL planned as a merge join over
every reader (30 ms at 50,000 readers). Here the LIMIT applies to the story's
comments alone, in the order of the `(article, parent, created_at, id)` index
(and the partial index of "most replies"), and authors are read by primary key.

What is shown (visibility, tombstones, the tree's order) is decided by
`articles.selectors`; this module only reads the rows.
"""

from functools import cache
from typing import Any

from django.db import connection

from accounts.models import User
from core import rows

from .models import TOMBSTONE_STATUSES, Article, Comment, CommentStatus

_ROOT_ORDER = {
    "oldest": "c.{created} ASC, c.{id} ASC",
    "newest": "c.{created} DESC, c.{id} DESC",
    "replies": "c.{replies} DESC, c.{created} ASC, c.{id} ASC",
}
# After a cursor's position (keyset pagination): (created_at, id) row comparisons
# seek in the (article, parent, created_at, id) index.
_ROOT_AFTER = {
    "oldest": "(c.{created}, c.{id}) > (%s, %s)",
    "newest": "(c.{created}, c.{id}) < (%s, %s)",
    "replies": (
        "(c.{replies} < %s OR (c.{replies} = %s AND (c.{created}, c.{id}) > (%s, %s)))"
    ),
}


# What a thread shows of a comment; the moderation fields (status_changed_at,
# text_version) are deferred.
_SHOWN_FIELDS = (
    "article",
    "parent",
    "root",
    "depth",
    "author",
    "body",
    "body_html",
    "status",
    "created_at",
    "edited_at",
    "published_reply_count",
)


@cache
def _names() -> dict[str, str]:
    q = rows.quote
    return {
        "comment": rows.table(Comment),
        "user": rows.table(User),
        "id": q("id"),
        "article": q(Comment._meta.get_field("article").column),
        "parent": q(Comment._meta.get_field("parent").column),
        "root": q(Comment._meta.get_field("root").column),
        "author": q(Comment._meta.get_field("author").column),
        "status": q("status"),
        "created": q("created_at"),
        "replies": q("published_reply_count"),
        "published": f"'{CommentStatus.PUBLISHED.value}'",
        "tombstone": ", ".join(f"'{s.value}'" for s in TOMBSTONE_STATUSES),
    }


def _shown_root_sql() -> str:
    """A story's top-level comments every reader sees: published, or withdrawn or
    removed with published replies (shown as a tombstone).

    "With published replies" reads the root's own counter of published replies at
    any depth (kept by lifecycle.transitions), not its thread: a subquery per
    tombstone led PostgreSQL to hash every published comment of the table for
    each page."""
    return (
        "c.{article} = %s AND c.{parent} IS NULL AND (c.{status} = {published} "
        "OR (c.{status} IN ({tombstone}) AND c.{replies} > 0))"
    ).format(**_names())


@cache
def _root_rows_sql(sort: str, after: bool) -> str:
    n = _names()
    where = _shown_root_sql()
    if after:
        where += " AND " + _ROOT_AFTER[sort].format(**n)
    order = _ROOT_ORDER[sort].format(**n)
    # Identifiers from the models' _meta, statuses from CommentStatus; values are
    # parameters.
    return (
        f"SELECT {rows.columns(Comment, 'c', _SHOWN_FIELDS)} "  # noqa: S608
        f"FROM {n['comment']} c WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s"
    )


def _in(column: str, values: list[int]) -> tuple[str, list[Any]]:
    """`column IN (values)` and its parameters: one array parameter on PostgreSQL
    (formatting hundreds of placeholders cost more than running the query)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::bigint[])", [rows.int_array(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


@cache
def _reply_rows_sql(roots: str) -> str:
    n = _names()
    return (
        f"SELECT {rows.columns(Comment, 'c', _SHOWN_FIELDS)} FROM (SELECT *, "  # noqa: S608
        f"ROW_NUMBER() OVER (PARTITION BY c.{n['root']} "
        f"ORDER BY c.{n['created']}, c.{n['id']}) AS parley_rank "
        f"FROM {n['comment']} c WHERE {roots} "
        f"AND c.{n['status']} IN ({n['published']}, {n['tombstone']})) c "
        f"WHERE c.parley_rank <= %s ORDER BY c.{n['created']}, c.{n['id']}"
    )


@cache
def _authors_sql(ids: str) -> str:
    n = _names()
    return (
        f"SELECT {rows.columns(User, 'u', _AUTHOR_FIELDS)} "  # noqa: S608
        f"FROM {n['user']} u WHERE {ids}"
    )


# What a thread shows of its authors (public_name, staff_badge); the rest of the
# row (a password hash, an email address) is deferred, never read.
_AUTHOR_FIELDS = ("username", "display_name", "is_staff", "is_superuser")


def with_authors(comments: list[Comment]) -> list[Comment]:
    """Each comment with its author, read in one query by primary key.

    Not a join: PostgreSQL planned joining the page's comments to the readers'
    table as a merge join over every reader (20 ms at 50,000 readers)."""
    ids = sorted({c.author_id for c in comments})
    if not ids:
        return comments
    with connection.cursor() as cursor:
        where, params = _in(f"u.{_names()['id']}", ids)
        cursor.execute(_authors_sql(where), params)
        found = rows.instances(User, cursor.fetchall(), _AUTHOR_FIELDS)
    authors = {u.pk: u for u in found}
    cache_author = Comment._meta.get_field("author").set_cached_value
    for comment in comments:
        cache_author(comment, authors[comment.author_id])
    return comments


def root_rows(
    article: Article,
    sort: str,
    *,
    limit: int,
    offset: int = 0,
    after: list[Any] | None = None,
) -> list[Comment]:
    """The story's shown top-level comments in `sort` order (authors not read)."""
    params: list[Any] = [article.pk]
    if after is not None:
        adapt = connection.ops.adapt_datetimefield_value
        at, pk = adapt(after[-2]), after[-1]
        params += [after[0], after[0], at, pk] if sort == "replies" else [at, pk]
    with connection.cursor() as cursor:
        sql = _root_rows_sql(sort, after is not None)
        cursor.execute(sql, [*params, limit, offset])
        return rows.instances(Comment, rows.fetchall(cursor), _SHOWN_FIELDS)


def reply_rows(root_ids: list[int], max_replies: int) -> list[Comment]:
    """The first `max_replies` replies (by time) under each root (authors not read)."""
    with connection.cursor() as cursor:
        where, params = _in(f"c.{_names()['root']}", root_ids)
        cursor.execute(_reply_rows_sql(where), [*params, max_replies])
        return rows.instances(Comment, rows.fetchall(cursor), _SHOWN_FIELDS)
