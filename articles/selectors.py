"""Reads for readers' pages and the public API, each in a fixed number of queries."""

import base64
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from operator import attrgetter
from typing import Any

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
)
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core import rows
from core.dates import reader_dates
from core.errors import InvalidInput

from . import thread_rows
from .models import TOMBSTONE_STATUSES, Article, Comment, CommentStatus

SORTS = {
    "oldest": "Oldest first",
    "newest": "Newest first",
    "replies": "Most replies",
}
_OWN_VISIBLE = (CommentStatus.PENDING, CommentStatus.HELD)
_TOMBSTONE = TOMBSTONE_STATUSES
_TOMBSTONE_VALUES = frozenset(s.value for s in _TOMBSTONE)


def published_articles() -> QuerySet[Article]:
    """Published stories, without counts: for writes, which need only the row."""
    return Article.objects.filter(published_at__lte=timezone.now())


@cache
def _published_article_sql() -> str:
    return (
        # Identifiers from the model's _meta; values are parameters.
        f"SELECT {rows.columns(Article, 'a')} FROM {rows.table(Article)} a "  # noqa: S608
        f"WHERE a.{rows.quote('slug')} = %s AND a.{rows.quote('published_at')} <= %s"
    )


def published_article(*, slug: str) -> Article | None:
    """The published story of this slug (the row alone), or None: what every
    comment write reads first, with SQL built once (compiling the ORM's query
    cost three times as much as running it)."""
    with connection.cursor() as cursor:
        cursor.execute(_published_article_sql(), [slug, timezone.now()])
        row = cursor.fetchone()
    return None if row is None else rows.instance(Article, row)


@dataclass
class StoryPage:
    stories: list[Article]  # each with comment_count: its published comments
    number: int
    num_pages: int
    has_next: bool
    has_previous: bool


def story_list_page(*, page: object = 1, per_page: int = 20) -> StoryPage:
    """A page of published stories, newest first, with their comment counts.

    The counts are computed for the page's stories only, never for the whole list.
    """
    paginator = Paginator(
        published_articles().order_by("-published_at", "-id"), per_page
    )
    try:
        current = paginator.page(page)  # type: ignore[arg-type]
    except PageNotAnInteger as exc:
        raise InvalidInput(
            "The page number must be a whole number.", code="bad_page"
        ) from exc
    except EmptyPage as exc:
        raise InvalidInput(
            f"There is no page {page}; there are {paginator.num_pages}.",
            code="bad_page",
        ) from exc
    stories = list(current.object_list)
    with_counts(stories)
    return StoryPage(
        stories=stories,
        number=current.number,
        num_pages=paginator.num_pages,
        has_next=current.has_next(),
        has_previous=current.has_previous(),
    )


def with_counts(stories: list[Article]) -> list[Article]:
    """Set `comment_count` (published comments) on each story, from the counter
    lifecycle's transitions keep: no query."""
    for story in stories:
        story.comment_count = story.published_comment_count  # type: ignore[attr-defined]
    return stories


def _visible_q(viewer: User | None, prefix: str = "") -> Q:
    q = Q(**{f"{prefix}status": CommentStatus.PUBLISHED})
    if viewer is not None and viewer.is_authenticated:
        q |= Q(**{f"{prefix}status__in": _OWN_VISIBLE, f"{prefix}author": viewer})
    return q


def is_visible(comment: Comment, viewer: User | None) -> bool:
    if comment.status == CommentStatus.PUBLISHED:
        return True
    return (
        viewer is not None
        and viewer.is_authenticated
        and comment.author_id == viewer.pk
        and comment.status in _OWN_VISIBLE
    )


@dataclass
class ThreadItem:
    comment: Comment
    depth: int  # indentation shown, capped at PARLEY_MAX_INDENT
    in_reply_to: str | None  # the parent's author, shown once indentation stops
    tombstone: bool  # withdrawn or removed, kept so its replies stay in place
    reply_count: int = 0
    # Replies of this top-level comment beyond the page's bound, on its own page.
    more_replies: int = 0
    # On a thread's last item shown: how many more replies, and where they are.
    more_after: int = 0
    more_url: str = ""
    url: str = ""
    date: str = ""  # "2 Dec 2026, 17:05" in the site's time zone
    iso_date: str = ""

    @property
    def awaiting_review(self) -> bool:
        return not self.tombstone and self.comment.is_awaiting_review


@dataclass
class ThreadPage:
    items: list[ThreadItem]
    number: int
    num_pages: int
    total_top_level: int
    sort: str
    has_next: bool = False
    has_previous: bool = False


def _top_level_for(article: Article, viewer: User | None) -> QuerySet[Comment]:
    visible_reply = Comment.objects.filter(root=OuterRef("pk")).filter(
        _visible_q(viewer)
    )
    return Comment.objects.filter(article=article, parent__isnull=True).filter(
        _visible_q(viewer) | (Q(status__in=_TOMBSTONE) & Exists(visible_reply))
    )


def _flatten(
    nodes: list[Comment],
    *,
    viewer: User | None,
    max_indent: int,
    decorate: bool = True,
) -> list[ThreadItem]:
    """Depth-first order of visible comments; hidden ones stay only as tombstones.
    With `decorate=False` the caller gives the items their links and dates
    (`_decorate`, once for a whole page)."""
    # `id`, not `pk`: the property costs a call per use, and a page uses it often.
    children: dict[int | None, list[Comment]] = defaultdict(list)
    by_id: dict[int, Comment] = {}
    for c in nodes:
        by_id[c.id] = c
        children[c.parent_id].append(c)
    for siblings in children.values():
        if len(siblings) > 1:
            siblings.sort(key=_thread_order)

    if viewer is None:
        published = CommentStatus.PUBLISHED.value
        visible = {c.id: c.status == published for c in nodes}
    else:
        visible = {c.id: is_visible(c, viewer) for c in nodes}
    shown: dict[int, bool] = {}
    tombstone_statuses = _TOMBSTONE_VALUES

    def keep(c: Comment) -> bool:
        # A visible comment is shown; a hidden one only as the tombstone of a
        # withdrawn or removed comment with a shown reply somewhere below.
        if visible[c.id]:
            return True
        found = shown.get(c.id)
        if found is None:
            found = shown[c.id] = c.status in tombstone_statuses and any(
                keep(k) for k in children.get(c.id, ())
            )
        return found

    items: list[ThreadItem] = []

    def walk(c: Comment) -> None:
        if not keep(c):
            return
        depth = c.depth
        in_reply_to = None
        if depth > max_indent:
            parent = by_id.get(c.parent_id) if c.parent_id else None
            if parent is not None:
                in_reply_to = parent.author.public_name
        items.append(
            ThreadItem(
                comment=c,
                depth=depth if depth < max_indent else max_indent,
                in_reply_to=in_reply_to,
                tombstone=not visible[c.id],
            )
        )
        for kid in children.get(c.id, ()):
            walk(kid)

    for root in [n for n in nodes if n.parent_id is None]:
        walk(root)
    if decorate:
        _decorate(items)
    return items


_thread_order = attrgetter("created_at", "id")


def _decorate(items: list[ThreadItem], *, dates: bool = True) -> None:
    """Permalinks and dates as strings: one reverse() per page, no date filter.
    `dates=False` for the API, whose JSON gives the comment's own timestamp."""
    if not items:
        return
    marker = 2**31 - 1
    prefix, suffix = reverse("articles:comment", args=[marker]).split(str(marker))
    for item in items:
        item.url = f"{prefix}{item.comment.id}{suffix}"
    if not dates:
        return
    zone = timezone.get_current_timezone()
    date = reader_dates()
    for item in items:
        at = item.comment.created_at.astimezone(zone)
        item.date = date(at)
        item.iso_date = at.isoformat(timespec="seconds")


def _sort_check(sort: str) -> None:
    if sort not in SORTS:
        raise InvalidInput(
            f"Unknown sort order {sort!r}; choose one of: {', '.join(SORTS)}.",
            code="bad_sort",
        )


def _public_top_level(article: Article, sort: str) -> QuerySet[Comment]:
    """The story's shown top-level comments in `sort` order; nothing per row but
    the ordering (and, for "most replies", the count it orders by)."""
    return _top_level_for(article, None).order_by(*_ORDERINGS[sort])


_ORDERINGS = {
    "oldest": ("created_at", "id"),
    "newest": ("-created_at", "-id"),
    # The denormalised count of published replies at any depth (lifecycle).
    "replies": ("-published_reply_count", "created_at", "id"),
}


def _threads_under(
    roots: list[Comment], *, max_replies: int, max_indent: int, dates: bool = True
) -> list[ThreadItem]:
    """The roots with their first `max_replies` replies each, as readers see them.

    Replies are filtered by status in SQL (published, or a tombstone that may hold
    published replies) and bounded per thread by a window function, so a page has a
    bounded size however long a sub-thread grows. The first replies by time always
    include their parents (a parent is older than its replies).
    """
    if not roots:
        return []
    replies = thread_rows.reply_rows([r.pk for r in roots], max_replies)
    nodes = [*roots, *replies]
    thread_rows.with_authors(nodes)
    # One walk for the page (the roots keep their order): per thread, setting up
    # the walk cost more than walking.
    items = _flatten(nodes, viewer=None, max_indent=max_indent, decorate=False)
    # Links and dates once for the page: per thread it was a reverse() per root.
    _decorate(items, dates=dates)
    starts = [n for n, item in enumerate(items) if item.comment.parent_id is None]
    for start, end in zip(starts, [*starts[1:], len(items)], strict=True):
        first, last = items[start], items[end - 1]
        total = first.comment.published_reply_count
        shown = sum(1 for i in items[start + 1 : end] if not i.tombstone)
        first.reply_count = total
        first.more_replies = max(total - shown, 0)
        last.more_after = first.more_replies
        last.more_url = first.url
    return items


def thread_page(
    *,
    article: Article,
    sort: str = "oldest",
    page: object = 1,
    per_page: int = 20,
    max_replies: int = 50,
    max_indent: int = 6,
    dates: bool = True,
) -> ThreadPage:
    """One numbered page of the thread as every reader sees it (no one's pending
    comments): `per_page` top-level comments with their first `max_replies` replies.
    `dates=False` leaves the items' date strings empty (the API's JSON gives the
    timestamps themselves).

    Three queries whatever the story's size: the page of top-level comments (an
    index scan; nothing is computed for the rows OFFSET skips: the "most replies"
    order sorts by a denormalised counter), the replies under them and their
    authors. How many top-level comments there are is the story's own
    `shown_top_level_count`, kept by the transitions (`article` as read for
    this request).
    """
    _sort_check(sort)
    # range() stands in for the rows: the paginator validates the number and
    # works out the bounds; the page's rows are read with those bounds.
    paginator = Paginator(range(article.shown_top_level_count), per_page)
    try:
        current = paginator.page(page)  # type: ignore[arg-type]
    except PageNotAnInteger as exc:
        raise InvalidInput(
            "The page number must be a whole number.", code="bad_page"
        ) from exc
    except EmptyPage as exc:
        raise InvalidInput(
            f"There is no page {page}; this thread has {paginator.num_pages}.",
            code="bad_page",
        ) from exc
    roots = thread_rows.root_rows(
        article, sort, limit=per_page, offset=(current.number - 1) * per_page
    )
    items = _threads_under(
        roots, max_replies=max_replies, max_indent=max_indent, dates=dates
    )
    return ThreadPage(
        items=items,
        number=current.number,
        num_pages=paginator.num_pages,
        total_top_level=paginator.count,
        sort=sort,
        has_next=current.has_next(),
        has_previous=current.has_previous(),
    )


@dataclass
class ThreadChunk:
    """A run of the thread after a cursor, for clients that read it all."""

    items: list[ThreadItem]
    sort: str
    next_cursor: str | None


def _cursor_encode(values: list[object]) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor_decode(cursor: str, sort: str) -> list[Any]:
    bad = InvalidInput(
        "The cursor is not one this thread gave out; start again without it.",
        code="bad_cursor",
    )
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, TypeError) as exc:
        raise bad from exc
    width = 3 if sort == "replies" else 2
    if not isinstance(values, list) or len(values) != width:
        raise bad
    try:
        if sort == "replies":
            values[0] = int(values[0])
        values[-2] = datetime.fromisoformat(values[-2])
        values[-1] = int(values[-1])
    except (TypeError, ValueError) as exc:
        raise bad from exc
    if timezone.is_naive(values[-2]):
        raise bad
    return values


def thread_after(
    *,
    article: Article,
    sort: str = "oldest",
    cursor: str | None = None,
    limit: int = 20,
    max_replies: int = 50,
) -> ThreadChunk:
    """`limit` top-level comments after `cursor` (keyset pagination), with replies.

    The query seeks to the cursor's position in the index, so the last chunk of a
    long thread costs what the first does; a client reads a 2,000-comment thread in
    a few requests.
    """
    _sort_check(sort)
    after = _cursor_decode(cursor, sort) if cursor else None
    roots = thread_rows.root_rows(article, sort, limit=limit + 1, after=after)
    more = len(roots) > limit
    roots = roots[:limit]
    next_cursor = cursor_after(roots[-1], sort) if more and roots else None
    items = _threads_under(
        roots, max_replies=max_replies, max_indent=10**6, dates=False
    )
    return ThreadChunk(items=items, sort=sort, next_cursor=next_cursor)


def _sort_key(comment: Comment, sort: str) -> list[Any]:
    """Where the top-level comment stands in `sort` order (what a cursor holds)."""
    key: list[Any] = [comment.created_at, comment.pk]
    if sort == "replies":
        key.insert(0, comment.published_reply_count)
    return key


def _sorted_after(sort: str, key: list[Any], *, before: bool = False) -> Q:
    """Top-level comments after (or `before`) the one at `key` in `sort` order."""
    at, pk = key[-2], key[-1]
    later = "lt" if (sort == "newest") != before else "gt"
    q = Q(**{f"created_at__{later}": at}) | Q(created_at=at, **{f"id__{later}": pk})
    if sort == "replies":
        fewer = "gt" if before else "lt"
        n = key[0]
        q = Q(**{f"published_reply_count__{fewer}": n}) | (
            Q(published_reply_count=n) & q
        )
    return q


def cursor_after(comment: Comment, sort: str) -> str:
    """The cursor that continues a thread after this top-level comment."""
    key = _sort_key(comment, sort)
    key[-2] = key[-2].isoformat()
    return _cursor_encode(key)


def published_count(*, article: Article) -> int:
    """The story's published comments (the counter lifecycle's transitions keep)."""
    return article.published_comment_count


def own_waiting(*, article: Article, viewer: User | None) -> list[Comment]:
    """The viewer's comments on the story that only they see (pending or held).

    Merged into the shared, cached thread per request: one indexed query, and none
    for anonymous readers.
    """
    if viewer is None or not viewer.is_authenticated:
        return []
    return list(
        Comment.objects.filter(author=viewer, article=article, status__in=_OWN_VISIBLE)
        .select_related("author", "parent__author")
        .order_by("created_at", "id")
    )


def own_waiting_items(comments: list[Comment], *, max_indent: int) -> list[ThreadItem]:
    items = [
        ThreadItem(
            comment=c,
            depth=min(c.depth, max_indent),
            in_reply_to=(
                c.parent.author.public_name
                if c.parent is not None and c.depth > max_indent
                else None
            ),
            tombstone=False,
        )
        for c in comments
    ]
    _decorate(items)
    return items


def comment_context(*, comment: Comment, viewer: User | None) -> list[ThreadItem]:
    """The comment's own subtree, for its permalink page (two queries)."""
    root_id = comment.root_id or comment.pk
    thread = list(
        Comment.objects.filter(Q(pk=root_id) | Q(root_id=root_id)).select_related(
            "author"
        )
    )
    by_parent: dict[int | None, list[Comment]] = defaultdict(list)
    for c in thread:
        by_parent[c.parent_id].append(c)
    subtree: list[Comment] = []
    stack = [next(c for c in thread if c.pk == comment.pk)]
    while stack:
        c = stack.pop()
        subtree.append(c)
        stack.extend(by_parent.get(c.pk, []))
    parents = {c.pk: c for c in thread}
    # Re-root the subtree so depth and "in reply to" read naturally from the comment.
    for c in subtree:
        c.depth -= comment.depth
    top = subtree[0]
    top_parent = parents.get(top.parent_id) if top.parent_id else None
    top.parent_id = None
    items = _flatten(subtree, viewer=viewer, max_indent=6)
    if items and top_parent is not None:
        items[0].in_reply_to = top_parent.author.public_name
    return items


def page_of_comment(
    *, comment: Comment, sort: str = "oldest", per_page: int = 20
) -> int:
    """The thread page (in `sort` order) that shows `comment`: its top-level
    comment's position among the public top-level comments. The author's own
    comment awaiting review shows at the top of page 1 (articles.fragments)."""
    if sort not in SORTS:
        sort = "oldest"
    root_id = comment.root_id or comment.pk
    shown = _public_top_level(comment.article, sort)
    root = shown.filter(pk=root_id).first()
    if root is None:
        return 1
    position = shown.filter(_sorted_after(sort, _sort_key(root, sort), before=True))
    return position.count() // per_page + 1


def edit_deadline(comment: Comment) -> datetime | None:
    """When the author's edit window for the comment closes, or None if it has."""
    if comment.status in (CommentStatus.WITHDRAWN, CommentStatus.REJECTED):
        return None
    deadline = comment.created_at + settings.PARLEY_EDIT_WINDOW
    return deadline if deadline > timezone.now() else None


def own_edit_deadlines(*, article: Article, viewer: User) -> dict[int, datetime]:
    """When the edit window of each of the viewer's comments on the story closes,
    for those still open (one query on the author's comments)."""
    window = settings.PARLEY_EDIT_WINDOW
    rows = (
        Comment.objects.filter(
            article=article,
            author=viewer,
            created_at__gt=timezone.now() - window,
        )
        .exclude(status__in=_TOMBSTONE)
        .values_list("pk", "created_at")
    )
    return {pk: created_at + window for pk, created_at in rows}
