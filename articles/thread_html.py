"""A page of the thread as HTML, written in Python rather than a template.

The thread's markup is one small block per comment, repeated hundreds of times on
a busy story's page; through the template engine each block cost about 120 µs (a
variable lookup walks the context for each of its twenty names). The same markup
written here costs a tenth of that, which is most of what a page not yet cached
costs. It holds nothing about the reader, as the cached fragment must
(`articles.fragments`): each comment's actions are a marker filled in per request.

Every value from a reader is escaped here (names, the parent's name); the body is
the HTML sanitised when the comment was written (`articles.text`).
"""

from html import escape

from django.utils.safestring import SafeString, mark_safe

from .models import CommentStatus
from .selectors import SORTS, ThreadItem

_WITHDRAWN = "<p>This comment was withdrawn by its author.</p>"
_REMOVED = "<p>This comment was removed by a moderator.</p>"


def _replies(count: int) -> str:
    return "reply" if count == 1 else "replies"


def _item(item: ThreadItem) -> str:
    comment = item.comment
    pk = comment.pk
    classes = f"comment depth-{item.depth}"
    tombstone = item.tombstone
    awaiting = not tombstone and comment.is_awaiting_review
    if awaiting:
        classes += " awaiting"
    if tombstone:
        classes += " tombstone"
    parts = [f'<!--parley-item:{pk}-->\n<div class="{classes}" id="c{pk}">\n']
    if tombstone:
        withdrawn = comment.status == CommentStatus.WITHDRAWN
        parts.append(_WITHDRAWN if withdrawn else _REMOVED)
    else:
        author = comment.author
        meta = [f"<strong>{escape(author.public_name)}</strong>"]
        badge = author.staff_badge
        if badge:
            meta.append(
                f' <span class="badge staff" title="A member of Parley\'s staff">'
                f"{escape(badge)}</span>"
            )
        if item.in_reply_to:
            meta.append(f" · in reply to {escape(item.in_reply_to)}")
        meta.append(
            f' · <a href="{escape(item.url)}" title="Permalink">'
            f'<time datetime="{item.iso_date}">{escape(item.date)}</time></a>'
        )
        if comment.edited_at:
            meta.append(" · edited")
        if awaiting:
            meta.append(' · <span class="badge">awaiting review</span>')
        if item.reply_count:
            meta.append(f" · {item.reply_count} {_replies(item.reply_count)}")
        parts.append(f'<p class="meta">{"".join(meta)}</p>\n')
        parts.append(comment.body_html)
        parts.append(f"\n<!--parley-actions:{pk}-->")
    parts.append("\n</div>\n")
    if item.more_after:
        parts.append(
            f'<p class="more-replies"><a href="{escape(item.more_url)}">'
            f"{item.more_after} more {_replies(item.more_after)} in this "
            "conversation</a></p>\n"
        )
    return "".join(parts)


def render_items(items: list[ThreadItem]) -> str:
    """The items' HTML, in order (the markup `articles/_thread.html` gave before)."""
    return "".join(map(_item, items))


# The story page's controls around the thread, here for the same reason: through
# the template engine they cost a quarter of the page's template.


def sort_options(current: str) -> SafeString:
    """The sort menu's options, the current order selected."""
    return mark_safe(  # noqa: S308 - keys and labels are ours, escaped anyway
        "".join(
            f'<option value="{escape(key)}"{" selected" if key == current else ""}>'
            f"{escape(label)}</option>"
            for key, label in SORTS.items()
        )
    )


def pager(
    *, sort: str, number: int, num_pages: int, has_previous: bool, has_next: bool
) -> SafeString:
    """Earlier / "Page n of m" / More comments, linking to the neighbouring pages."""
    order = escape(sort)
    parts = [
        f'<a href="?sort={order}&amp;page={number - 1}#comments">Earlier comments</a>'
        if has_previous
        else "<span></span>"
    ]
    if num_pages > 1:
        parts.append(f"<span>Page {number} of {num_pages}</span>")
    if has_next:
        parts.append(
            f'<a href="?sort={order}&amp;page={number + 1}#comments">More comments</a>'
        )
    return mark_safe("\n    ".join(parts))  # noqa: S308 - numbers, and the order escaped
