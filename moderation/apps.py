from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from lifecycle.events import on_comment_submitted
        from moderation import (
            signals,  # noqa: F401  (connects worker start-up hooks)
            tasks,
        )

        # Every new or edited comment is queued for scoring once it is committed.
        on_comment_submitted(tasks.comment_submitted_receiver)
