from django.apps import AppConfig


class PerspectiveConfig(AppConfig):
    name = "perspective"
    verbose_name = "Perspective API replacement"
    default_auto_field = "django.db.models.BigAutoField"
