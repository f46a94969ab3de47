from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from lifecycle.events import on_comment_submitted, on_status_changed_batch
        from moderation import (
            signals,  # noqa: F401  (connects worker start-up hooks)
            tasks,
        )
        from moderation.services import priority

        # Every new or edited comment is queued for scoring once it is committed.
        on_comment_submitted(tasks.comment_submitted_receiver)
        # The queues' stored priority follows comments into and out of them.
        on_status_changed_batch(priority.status_changed_receiver)
