from django.apps import AppConfig


class ReadersConfig(AppConfig):
    name = "readers"
    verbose_name = "Readers' help, appeals and notifications"

    def ready(self) -> None:
        from lifecycle.events import on_status_changed_batch
        from readers import notifications

        # Authors hear about decisions on their comments, and about replies.
        on_status_changed_batch(notifications.status_changed_receiver)
