"""The thread as readers see it, rendered once per story version and cached.

`thread_fragment()` is the one way to get a page of a thread as HTML: the story
page uses it, and so can any other page that shows the thread (an embed): the
fragment is shared by every reader and holds nothing about any of them. What
differs per reader is added per request by `personalise()`:

- each comment carries a marker where its actions go (reply form, edit and
  withdraw for its author, report for other readers); the markers are replaced
  with actions rendered once per request from `articles/_comment_actions.html`;
- the reader's own comments awaiting review (pending or held), which only they
  see, are rendered and inserted after their parent (a reply) or at the top (a
  new comment), so having one never bypasses the cache.

`articles.thread_json` does the same for the API: the page's JSON, cached as
bytes; `shared_response()` below keeps whole responses for anonymous readers.
"""

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
)
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User

from . import selectors, thread_html
from .cache import (
    count_hit,
    reading_ahead,
    story_cached,
    story_entries,
    story_store,
    story_version,
    writes_together,
)
from .models import Article, Comment, CommentStatus

R = TypeVar("R")

_ACTIONS = re.compile(r"<!--parley-actions:(\d+)-->")
_ITEM = "<!--parley-item:{}-->"


@dataclass(frozen=True)
class Entry:
    """One comment of a cached page: enough to place and personalise it."""

    id: int
    parent_id: int | None
    depth: int  # the real depth, not the indentation shown
    author_id: int
    author_name: str
    published: bool


@dataclass
class ThreadFragment:
    """A cached page of a thread: the HTML every reader shares, and its index."""

    article_id: int
    version: int
    sort: str
    number: int
    num_pages: int
    total_top_level: int
    published_count: int
    has_next: bool
    has_previous: bool
    html: str
    entries: list[Entry] = field(default_factory=list)

    @property
    def etag(self) -> str:
        return etag_for(self.article_id, self.version, f"{self.sort}:{self.number}")


def etag_for(article_id: int, version: int, name: str) -> str:
    digest = hashlib.blake2b(name.encode(), digest_size=6).hexdigest()
    return f'W/"{article_id}-{version}-{digest}"'


def _entries(items: list[selectors.ThreadItem]) -> list[Entry]:
    return [
        Entry(
            id=i.comment.pk,
            parent_id=i.comment.parent_id,
            depth=i.comment.depth,
            author_id=i.comment.author_id,
            author_name=i.comment.author.public_name,
            published=i.comment.status == CommentStatus.PUBLISHED and not i.tombstone,
        )
        for i in items
    ]


def _render_items(items: list[selectors.ThreadItem]) -> str:
    return thread_html.render_items(items)


def thread_fragment(
    *, article: Article, sort: str = "oldest", page: object = 1
) -> ThreadFragment:
    """A page of the story's thread, from the cache at the story's current version.

    Raises InvalidInput for an unknown sort or page, as the selector does.
    """
    if sort not in selectors.SORTS:
        selectors.thread_page(article=article, sort=sort)  # raises InvalidInput
    page_key = str(page).strip()

    def build(version: int) -> ThreadFragment:
        tp = selectors.thread_page(
            article=article,
            sort=sort,
            page=page_key,
            per_page=settings.PARLEY_THREAD_PAGE_SIZE,
            max_replies=settings.PARLEY_THREAD_REPLIES_SHOWN,
            max_indent=settings.PARLEY_MAX_INDENT,
        )
        return ThreadFragment(
            article_id=article.pk,
            version=version,
            sort=sort,
            number=tp.number,
            num_pages=tp.num_pages,
            total_top_level=tp.total_top_level,
            published_count=selectors.published_count(article=article),
            has_next=tp.has_next,
            has_previous=tp.has_previous,
            html=_render_items(tp.items),
            entries=_entries(tp.items),
        )

    _, fragment = story_cached(
        article_id=article.pk, name=fragment_name(sort, page_key), build=build
    )
    return fragment


def fragment_name(sort: str, page: object) -> str:
    """The thread fragment's entry name for a page (`thread_fragment`)."""
    return f"html:{sort}:{str(page).strip()[:20]}"


def after_subtree(
    rows: Sequence[R], parent_id: int, id_depth: Callable[[R], tuple[int, int]]
) -> int | None:
    """Index in `rows` (a thread in depth-first order) just past the subtree of
    `parent_id`, where a new reply to it goes; None if the parent is not there."""
    for n, row in enumerate(rows):
        row_id, depth = id_depth(row)
        if row_id == parent_id:
            end = n + 1
            while end < len(rows) and id_depth(rows[end])[1] > depth:
                end += 1
            return end
    return None


def personalise(
    request: HttpRequest,
    fragment: ThreadFragment,
    *,
    article: Article,
    viewer: User | None,
    closed: bool,
    reply_to: int | None = None,
    reply_text: str = "",
    awaiting_note: Callable[[], str] | None = None,
) -> SafeString:
    """The fragment's HTML as this reader sees it (see the module's docstring).

    `awaiting_note()` is the note shown under the reader's own comments awaiting
    review, called only when the page shows one."""
    html = fragment.html
    if viewer is not None:
        waiting = selectors.own_waiting(article=article, viewer=viewer)
        if waiting:
            html = _merge_waiting(fragment, html, waiting)
    return _fill_actions(
        request,
        html,
        fragment.entries,
        article=article,
        viewer=viewer,
        closed=closed,
        reply_to=reply_to,
        reply_text=reply_text,
        sort=fragment.sort,
        awaiting_note=awaiting_note,
    )


def render_for_viewer(
    request: HttpRequest,
    items: list[selectors.ThreadItem],
    *,
    article: Article,
    viewer: User | None,
    closed: bool,
    awaiting_note: Callable[[], str] | None = None,
) -> SafeString:
    """Items picked for one reader (a comment's own page), rendered uncached."""
    return _fill_actions(
        request,
        _render_items(items),
        _entries(items),
        article=article,
        viewer=viewer,
        closed=closed,
        awaiting_note=awaiting_note,
    )


def _fill_actions(
    request: HttpRequest,
    html: str,
    entries: list[Entry],
    *,
    article: Article,
    viewer: User | None,
    closed: bool,
    reply_to: int | None = None,
    reply_text: str = "",
    sort: str = "oldest",
    awaiting_note: Callable[[], str] | None = None,
) -> SafeString:
    if viewer is None:
        filled = _ACTIONS.sub("", html)
    else:
        actions = _Actions(
            request, article=article, viewer=viewer, closed=closed, reply_to=reply_to,
            reply_text=reply_text, sort=sort, awaiting_note=awaiting_note,
        )  # fmt: skip
        names = {e.id: (e.author_id, e.author_name, e.published) for e in entries}
        filled = _ACTIONS.sub(lambda m: actions.render(int(m.group(1)), names), html)
    # Rendered templates with autoescaping, and names escaped in _Actions.render.
    return mark_safe(filled)  # noqa: S308


def _merge_waiting(fragment: ThreadFragment, html: str, waiting: list[Comment]) -> str:
    items = selectors.own_waiting_items(waiting, max_indent=settings.PARLEY_MAX_INDENT)
    top: list[str] = []
    after: dict[int, list[str]] = {}
    for item in items:
        piece = _render_items([item])
        if item.comment.parent_id is None:
            if fragment.number == 1:
                top.append(piece)
            continue
        at = after_subtree(
            fragment.entries, item.comment.parent_id, lambda e: (e.id, e.depth)
        )
        if at is not None:
            after.setdefault(at, []).append(piece)
    for at in sorted(after, reverse=True):
        if at < len(fragment.entries):
            marker = _ITEM.format(fragment.entries[at].id)
            pos = html.index(marker)
        else:
            pos = len(html)
        html = html[:pos] + "".join(after[at]) + html[pos:]
    return "".join(top) + html


class _Actions:
    """Each comment's actions for one reader, rendered once and filled in per id."""

    _ID = "987654321"
    _NAME = "__parley_name__"

    def __init__(
        self,
        request: HttpRequest,
        *,
        article: Article,
        viewer: User,
        closed: bool,
        reply_to: int | None,
        reply_text: str,
        sort: str,
        awaiting_note: Callable[[], str] | None,
    ) -> None:
        self.viewer = viewer
        self.sort = sort
        self._awaiting_note = awaiting_note
        self._note: str | None = None
        self._deadlines: dict[int, datetime] | None = None
        self.reply_to = reply_to
        self.reply_text = reply_text
        self.request = request
        self.article = article
        self.closed = closed
        get_token(request)
        self.templates = {"other": self._render("other")}

    def _render(
        self,
        kind: str,
        *,
        open_text: str | None = None,
        deadline: datetime | None = None,
        note: str = "",
    ) -> str:
        return render_to_string(
            "articles/_comment_actions.html",
            {
                "kind": kind,
                "comment_id": self._ID,
                "author_name": self._NAME,
                "article": self.article,
                "closed": self.closed,
                "open_text": open_text,
                "sort": self.sort,
                "deadline": deadline,
                "awaiting_note": note,
            },
            request=self.request,
        )

    def _own(self, kind: str, pk: int) -> str:
        """The reader's own comment: its edit deadline (and, waiting, the note)."""
        if self._deadlines is None:
            self._deadlines = selectors.own_edit_deadlines(
                article=self.article, viewer=self.viewer
            )
        deadline = self._deadlines.get(pk)
        if deadline is not None and deadline <= timezone.now():
            deadline = None
        note = ""
        if kind == "own_waiting" and self._awaiting_note is not None:
            if self._note is None:
                self._note = self._awaiting_note()
            note = self._note
        return self._render(kind, deadline=deadline, note=note)

    def render(self, pk: int, names: dict[int, tuple[int, str, bool]]) -> str:
        author_id, name, published = names.get(pk, (self.viewer.pk, "", False))
        if author_id == self.viewer.pk:
            kind = "own" if published else "own_waiting"
        elif published:
            kind = "other"
        else:
            return ""
        template = self._own(kind, pk) if kind != "other" else self.templates[kind]
        if pk == self.reply_to and kind == "other":
            template = self._render(kind, open_text=self.reply_text)
        return template.replace(self._ID, str(pk)).replace(self._NAME, escape(name))


# -- whole responses for readers who are not signed in --------------------------

_SLUG_KEY = "story-slug:{}"
# A story's slug never changes once published (the admin does not edit it), so
# each process keeps the ones it has resolved.
_SLUG_IDS: dict[str, int] = {}


@dataclass
class SharedResponse:
    """A whole response every anonymous reader gets, kept per story version."""

    slug: str
    body: bytes
    content_type: str
    etag: str
    # The story closes itself to comments at this moment (the page changes then).
    valid_until: datetime | None


_SHARED_CACHE_CONTROL = "public, no-cache"
_SHARED_VARY = "Cookie, Authorization"


def shared_headers(response: HttpResponse, etag: str | None) -> HttpResponse:
    """Any cache may keep it but must revalidate: the ETag changes with the story's
    version, so asking again is one cheap request."""
    if etag is not None:
        response["ETag"] = etag
    patch_cache_control(response, public=True, no_cache=True)
    patch_vary_headers(response, ["Cookie", "Authorization"])
    return response


def _remember_slug(slug: str, article_id: int) -> None:
    # Also when another process resolved it: otherwise a process that never missed
    # would ask Redis for the slug on every hit.
    if len(_SLUG_IDS) >= 10_000:
        _SLUG_IDS.clear()
    _SLUG_IDS[slug] = article_id


def shared_hit(
    request: HttpRequest, *, slug: str, name: str, ahead: str | None = None
) -> HttpResponse | None:
    """The kept response for an anonymous read (see `shared_response`), or None
    when there is none for the story's current version. A miss is remembered on
    the request (with the entry `ahead`, read in the same round trip), so
    `shared_response` does not ask Redis the same again."""
    response, article_id, version, ahead_found = _shared_lookup(
        request, slug=slug, name=name, ahead=ahead
    )
    if response is None:
        request.parley_shared_miss = (  # type: ignore[attr-defined]
            (slug, name, ahead),
            article_id,
            version,
            ahead_found,
        )
    return response


def _shared_lookup(
    request: HttpRequest, *, slug: str, name: str, ahead: str | None = None
) -> tuple[HttpResponse | None, int | None, int | None, Any]:
    """(the kept response or None, the slug's story id, the story's version, the
    entry `ahead` at that version or None), the middle two None when the slug is
    not known here or in Redis."""
    article_id = _SLUG_IDS.get(slug)
    if article_id is None:
        article_id = cache.get(_SLUG_KEY.format(slug))
        if article_id is None:
            return None, None, None, None
        _remember_slug(slug, article_id)
    found: SharedResponse | None
    version, found, ahead_found = story_entries(
        article_id=article_id, name=name, ahead=ahead
    )
    if (
        found is None
        or found.slug != slug
        or (found.valid_until is not None and timezone.now() >= found.valid_until)
    ):
        return None, article_id, version, ahead_found
    count_hit()
    response: HttpResponse
    if found.etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(found.body, content_type=found.content_type)
    # What shared_headers() gives a new response, written directly: parsing and
    # merging header values cost a tenth of a hit.
    response["ETag"] = found.etag
    response["Cache-Control"] = _SHARED_CACHE_CONTROL
    response["Vary"] = _SHARED_VARY
    return response, article_id, version, None


def shared_response(
    request: HttpRequest,
    *,
    slug: str,
    name: str,
    build: Callable[[Article], HttpResponse],
    not_found: Exception | None = None,
    ahead: str | None = None,
) -> HttpResponse:
    """The response for an anonymous read of a story's thread (page or JSON).

    A hit costs one or two Redis reads (the slug's story unless this process
    knows it, then the story's version with the entry) and no database query; a
    miss loads the story and calls `build(article)`, whose 200 response (with
    its ETag) is kept under the version read before building. `ahead` names the
    thread's entry the build asks for (`story_cached`): read with the first, it
    costs no round trip of its own.
    """
    miss = getattr(request, "parley_shared_miss", None)
    if miss is not None and miss[0] == (slug, name, ahead):
        _, known_id, known_version, ahead_found = miss  # the API's dispatch looked
    else:
        hit, known_id, known_version, ahead_found = _shared_lookup(
            request, slug=slug, name=name, ahead=ahead
        )
        if hit is not None:
            return hit
    article = selectors.published_article(slug=slug)
    if article is None:
        raise not_found or Http404(f"There is no story {slug!r}.")
    read_ahead = ahead
    if known_id != article.pk or known_version is None:
        # Not known here nor in Redis (or under another story): say it for the
        # other processes, and read the version before building.
        cache.set(
            _SLUG_KEY.format(slug),
            article.pk,
            timeout=settings.PARLEY_THREAD_CACHE_SECONDS,
        )
        _remember_slug(slug, article.pk)
        known_version = story_version(article.pk)
        read_ahead = None  # nothing was read for this story
    version = known_version
    # The thread's entry, this response and the miss: one round trip at the end.
    with (
        writes_together(),
        reading_ahead(article.pk, read_ahead, version, ahead_found),
    ):
        response = build(article)
        etag = response.get("ETag")
        if response.status_code == 200 and etag:
            closes = article.comments_close_at()
            story_store(
                article_id=article.pk,
                version=version,
                name=name,
                value=SharedResponse(
                    slug=slug,
                    body=response.content,
                    content_type=response["Content-Type"],
                    etag=etag,
                    valid_until=None if article.comments_closed_reason() else closes,
                ),
            )
    return response
