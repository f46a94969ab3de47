"""A page of a story's thread as the API's JSON, cached per story version.

Every reader gets the same bytes (with an ETag); a signed-in reader's own comments
awaiting review are merged in per request (`merge_waiting_json`), as
`articles.fragments` does for the HTML page.
"""

from dataclasses import dataclass
from typing import Any

import orjson
from django.conf import settings

from . import selectors
from .cache import story_cached
from .fragments import after_subtree, etag_for
from .models import Article, Comment
from .payloads import comment_payload


@dataclass
class ThreadJson:
    body: bytes
    etag: str


def render(data: object) -> bytes:
    """The bytes DRF's JSONRenderer writes for the API's data (UTF-8, compact,
    datetimes in ISO 8601 with "Z" for UTC, U+2028 and U+2029 escaped so the
    JSON is also valid JavaScript), written by orjson: an eighth of a whole
    thread's read went to the standard library's encoder."""
    body = orjson.dumps(data, option=orjson.OPT_UTC_Z)
    return body.replace(b"\xe2\x80\xa8", b"\\u2028").replace(
        b"\xe2\x80\xa9", b"\\u2029"
    )


def thread_json(
    *,
    article: Article,
    sort: str,
    page: str | None,
    cursor: str | None,
    limit: int,
    base_url: str,
) -> ThreadJson:
    """A page of the thread as the API's JSON, cached per story version."""
    name = entry_name(sort, page, cursor, limit, base_url)

    def build(version: int) -> bytes:
        return render(_thread_data(article, sort, page, cursor, limit, base_url))

    version, body = story_cached(article_id=article.pk, name=name, build=build)
    return ThreadJson(body=body, etag=etag_for(article.pk, version, name))


def entry_name(
    sort: str, page: str | None, cursor: str | None, limit: int, base_url: str
) -> str:
    """The cache entry's name of a thread read (`thread_json`)."""
    if page is not None:
        return f"json:{sort}:p{page[:20]}:{base_url}"
    return f"json:{sort}:c{limit}:{(cursor or '')[:200]}:{base_url}"


def _thread_data(
    article: Article,
    sort: str,
    page: str | None,
    cursor: str | None,
    limit: int,
    base_url: str,
) -> dict[str, Any]:
    if page is not None:
        tp = selectors.thread_page(
            article=article,
            sort=sort,
            page=page,
            per_page=settings.PARLEY_THREAD_PAGE_SIZE,
            max_replies=settings.PARLEY_THREAD_REPLIES_SHOWN,
            max_indent=10**6,
            dates=False,
        )
        items = tp.items
        roots = [i.comment for i in items if i.comment.parent_id is None]
        next_cursor = selectors.cursor_after(roots[-1], sort) if tp.has_next else None
        data: dict[str, Any] = {
            "count": tp.total_top_level,
            "page": tp.number,
            "num_pages": tp.num_pages,
            "next": f"{base_url}?sort={sort}&page={tp.number + 1}"
            if tp.has_next
            else None,
            "previous": f"{base_url}?sort={sort}&page={tp.number - 1}"
            if tp.has_previous
            else None,
        }
    else:
        chunk = selectors.thread_after(
            article=article,
            sort=sort,
            cursor=cursor,
            limit=limit,
            max_replies=settings.PARLEY_THREAD_REPLIES_SHOWN,
        )
        items = chunk.items
        next_cursor = chunk.next_cursor
        data = {
            "next": f"{base_url}?sort={sort}&limit={limit}&cursor={next_cursor}"
            if next_cursor
            else None,
        }
    data.update(
        {
            "sort": sort,
            "next_cursor": next_cursor,
            "results": [
                comment_payload(
                    i.comment,
                    tombstone=i.tombstone,
                    url=i.url,
                    more_replies=i.more_replies,
                )
                for i in items
            ],
        }
    )
    return data


def merge_waiting_json(body: bytes, waiting: list[Comment], *, first: bool) -> bytes:
    """The cached JSON page with the viewer's own waiting comments added."""
    data = orjson.loads(body)
    results: list[dict[str, Any]] = data["results"]
    for comment in waiting:
        payload = orjson.loads(render(comment_payload(comment)))
        if comment.parent_id is None:
            if first:
                results.insert(0, payload)
            continue
        at = after_subtree(
            results, comment.parent_id, lambda row: (row["id"], row["depth"])
        )
        if at is not None:
            results.insert(at, payload)
    return render(data)
