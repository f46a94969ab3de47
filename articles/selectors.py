"""Reads for readers' pages and the public API, each in a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from core.errors import InvalidInput

from .models import Article, Comment, CommentStatus

SORTS = {
    "oldest": "Oldest first",
    "newest": "Newest first",
    "replies": "Most replies",
}
_ORDERING = {
    "oldest": ("created_at", "id"),
    "newest": ("-created_at", "-id"),
    "replies": ("-reply_count", "created_at", "id"),
}
_OWN_VISIBLE = (CommentStatus.PENDING, CommentStatus.HELD)
_TOMBSTONE = (CommentStatus.WITHDRAWN, CommentStatus.REJECTED)


def published_articles() -> QuerySet[Article]:
    """Published stories, without counts: for writes, which need only the row."""
    return Article.objects.filter(published_at__lte=timezone.now())


def article_list() -> QuerySet[Article]:
    """Published stories, newest first, each with its count of published comments."""
    return (
        Article.objects.filter(published_at__lte=timezone.now())
        .annotate(
            comment_count=Count(
                "comments", filter=Q(comments__status=CommentStatus.PUBLISHED)
            )
        )
        .order_by("-published_at", "-id")
    )


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


def _with_reply_counts(top: QuerySet[Comment]) -> QuerySet[Comment]:
    published_replies = (
        Comment.objects.filter(root=OuterRef("pk"), status=CommentStatus.PUBLISHED)
        .order_by()
        .values("root")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return top.annotate(
        reply_count=Coalesce(
            Subquery(published_replies, output_field=IntegerField()), 0
        )
    )


def _flatten(
    nodes: list[Comment],
    *,
    viewer: User | None,
    max_indent: int,
) -> list[ThreadItem]:
    """Depth-first order of visible comments; hidden ones stay only as tombstones."""
    children: dict[int | None, list[Comment]] = defaultdict(list)
    by_id = {c.pk: c for c in nodes}
    for c in nodes:
        children[c.parent_id].append(c)
    for siblings in children.values():
        siblings.sort(key=lambda c: (c.created_at, c.pk))

    shown: dict[int, bool] = {}

    def keep(c: Comment) -> bool:
        if c.pk not in shown:
            kids = [keep(k) for k in children.get(c.pk, [])]
            shown[c.pk] = is_visible(c, viewer) or (
                c.status in _TOMBSTONE and any(kids)
            )
        return shown[c.pk]

    items: list[ThreadItem] = []

    def walk(c: Comment) -> None:
        if not keep(c):
            return
        parent = by_id.get(c.parent_id) if c.parent_id else None
        items.append(
            ThreadItem(
                comment=c,
                depth=min(c.depth, max_indent),
                in_reply_to=(
                    parent.author.public_name
                    if parent is not None and c.depth > max_indent
                    else None
                ),
                tombstone=not is_visible(c, viewer),
            )
        )
        for kid in children.get(c.pk, []):
            walk(kid)

    for root in [n for n in nodes if n.parent_id is None]:
        walk(root)
    return items


def thread_for_article(
    *,
    article: Article,
    viewer: User | None,
    sort: str = "oldest",
    page: object = 1,
    per_page: int = 20,
    max_indent: int = 6,
) -> ThreadPage:
    """One page of a story's thread: `per_page` top-level comments with all replies.

    Three queries whatever the thread's size: the count, the page of top-level
    comments and every reply under them.
    """
    if sort not in SORTS:
        raise InvalidInput(
            f"Unknown sort order {sort!r}; choose one of: {', '.join(SORTS)}.",
            code="bad_sort",
        )
    top = _with_reply_counts(_top_level_for(article, viewer))
    ordering = _ORDERING[sort]
    paginator = Paginator(top.select_related("author").order_by(*ordering), per_page)
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
    roots = list(current.object_list)
    reply_counts = {c.pk: c.reply_count for c in roots}  # type: ignore[attr-defined]
    replies = list(
        Comment.objects.filter(root_id__in=reply_counts).select_related("author")
    )
    by_root: dict[int, list[Comment]] = defaultdict(list)
    for r in replies:
        by_root[r.root_id].append(r)  # type: ignore[index]
    items: list[ThreadItem] = []
    for root in roots:
        thread = [root, *by_root[root.pk]]
        chunk = _flatten(thread, viewer=viewer, max_indent=max_indent)
        if chunk:
            chunk[0].reply_count = reply_counts[root.pk]
        items.extend(chunk)
    return ThreadPage(
        items=items,
        number=current.number,
        num_pages=paginator.num_pages,
        total_top_level=paginator.count,
        sort=sort,
        has_next=current.has_next(),
        has_previous=current.has_previous(),
    )


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
    *, comment: Comment, viewer: User | None, sort: str = "oldest", per_page: int = 20
) -> int:
    """The thread page (in `sort` order) that shows `comment`: its top-level
    comment's position among the visible top-level comments."""
    if sort not in SORTS:
        sort = "oldest"
    root_id = comment.root_id or comment.pk
    top = _top_level_for(comment.article, viewer)
    if sort == "replies":
        top = _with_reply_counts(top)
    ids = list(top.order_by(*_ORDERING[sort]).values_list("pk", flat=True))
    try:
        position = ids.index(root_id)
    except ValueError:
        return 1
    return position // per_page + 1


def edit_deadline(comment: Comment) -> datetime | None:
    """When the author's edit window for the comment closes, or None if it has."""
    if comment.status in (CommentStatus.WITHDRAWN, CommentStatus.REJECTED):
        return None
    deadline = comment.created_at + settings.PARLEY_EDIT_WINDOW
    return deadline if deadline > timezone.now() else None
