"""A comment as the public API shows it: shared by the API's views and the cached
thread JSON (articles.fragments), so both always agree."""

from articles.models import Comment


def comment_payload(
    comment: Comment,
    *,
    tombstone: bool = False,
    url: str | None = None,
    more_replies: int = 0,
) -> dict[str, object]:
    payload: dict[str, object] = {
        "id": comment.pk,
        "parent_id": comment.parent_id,
        "depth": comment.depth,
        "status": comment.status,
        "author": None if tombstone else comment.author.public_name,
        "author_badge": None if tombstone else (comment.author.staff_badge or None),
        "body": None if tombstone else comment.body,
        "body_html": None if tombstone else comment.body_html,
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
        "awaiting_review": not tombstone and comment.is_awaiting_review,
        "url": url or comment.get_absolute_url(),
    }
    if more_replies:
        payload["more_replies"] = more_replies
    return payload
