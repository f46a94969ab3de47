from django.apps import AppConfig


class SitesConfig(AppConfig):
    """Publications that embed Parley: origins, single sign-on, API keys."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "sites"
    verbose_name = "Sites (newsrooms embedding Parley)"

    def ready(self) -> None:
        from corsheaders.signals import check_request_enabled

        from lifecycle.events import on_status_changed_batch

        from .receivers import status_changed_receiver
        from .signals import cors_allow_site_origin

        check_request_enabled.connect(cors_allow_site_origin)
        on_status_changed_batch(status_changed_receiver)
