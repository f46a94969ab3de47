from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Stories and comments"

    def ready(self) -> None:
        from lifecycle.events import on_author_renamed, on_status_changed_batch

        from . import cache

        # Cached threads follow every committed status change (articles.cache).
        on_status_changed_batch(cache.status_changed_receiver)
        # Authors' names are in the cached HTML and JSON too.
        on_author_renamed(cache.author_renamed_receiver)
