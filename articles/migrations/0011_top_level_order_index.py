"""A partial index that gives a story's top-level comments in the thread's order.

`comment_thread_order_idx` (article, parent, created_at, id) was meant to, but
PostgreSQL does not treat `parent IS NULL` as an equality when it matches an
index's order to ORDER BY, so every thread page read all of a story's top-level
comments and sorted them. Built concurrently on PostgreSQL (no write lock on a
large table).
"""

from django.db import migrations, models

from core.migration_operations import AddIndexConcurrentlyIfPossible


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("articles", "0010_thread_order_indexes"),
    ]

    operations = [
        AddIndexConcurrentlyIfPossible(
            model_name="comment",
            index=models.Index(
                fields=["article", "created_at", "id"],
                include=["status", "published_reply_count"],
                name="comment_top_in_order_idx",
                condition=models.Q(parent__isnull=True),
            ),
        ),
    ]
