"""A comment as the public API shows it: shared by the API's views and the cached
thread JSON (articles.fragments), so both always agree."""

from articles.models import Comment, CommentStatus

_AWAITING = frozenset((CommentStatus.PENDING.value, CommentStatus.HELD.value))


def comment_payload(
    comment: Comment,
    *,
    tombstone: bool = False,
    url: str | None = None,
    more_replies: int = 0,
) -> dict[str, object]:
    # Read once each: a thread's JSON builds this for every comment it shows.
    if tombstone:
        author = badge = body = body_html = None
    else:
        writer = comment.author
        author = writer.public_name
        badge = writer.staff_badge or None
        body, body_html = comment.body, comment.body_html
    payload: dict[str, object] = {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "depth": comment.depth,
        "status": comment.status,
        "author": author,
        "author_badge": badge,
        "body": body,
        "body_html": body_html,
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
        "awaiting_review": not tombstone and comment.status in _AWAITING,
        "url": url or comment.get_absolute_url(),
    }
    if more_replies:
        payload["more_replies"] = more_replies
    return payload
