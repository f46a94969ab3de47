"""Sites' subscribers to the lifecycle hooks (see docs/architecture.md)."""

from collections.abc import Sequence

from lifecycle.events import StatusChanged

from .selectors import story_counts_forget

PUBLISHED = "published"


def status_changed_receiver(events: Sequence[StatusChanged]) -> None:
    """Comments published or unpublished change their stories' counts for count.js:
    each story's cached count is dropped once per committed batch."""
    article_ids = sorted(
        {e.article_id for e in events if PUBLISHED in (e.old_status, e.new_status)}
    )
    if article_ids:
        story_counts_forget(article_ids=article_ids)
