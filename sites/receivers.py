"""Sites' subscribers to the lifecycle hooks (see docs/architecture.md)."""

from lifecycle.events import StatusChanged

from .selectors import story_count_forget

PUBLISHED = "published"


def status_changed_receiver(event: StatusChanged) -> None:
    """A comment published or unpublished changes its story's count for count.js."""
    if PUBLISHED in (event.old_status, event.new_status):
        story_count_forget(article_id=event.article_id)
