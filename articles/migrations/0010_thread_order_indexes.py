"""Indexes in the thread's own order, so a page of a busy story stops after its rows.

The thread orders top-level comments by (created_at, id); the old index ended at
created_at, so PostgreSQL read all of a story's top-level comments and sorted them
for every page. The "most replies" order gets a partial index of its own. Both are
built concurrently on PostgreSQL (no write lock on a large table) before the old
index is dropped, so no query is left without one.
"""

import django.db.models.expressions
from django.db import migrations, models

from core.migration_operations import (
    AddIndexConcurrentlyIfPossible,
    RemoveIndexConcurrentlyIfPossible,
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("articles", "0009_article_site_required"),
    ]

    operations = [
        AddIndexConcurrentlyIfPossible(
            model_name="comment",
            index=models.Index(
                fields=["article", "parent", "created_at", "id"],
                name="comment_thread_order_idx",
            ),
        ),
        AddIndexConcurrentlyIfPossible(
            model_name="comment",
            index=models.Index(
                django.db.models.expressions.F("article"),
                django.db.models.expressions.OrderBy(
                    django.db.models.expressions.F("published_reply_count"),
                    descending=True,
                ),
                django.db.models.expressions.F("created_at"),
                django.db.models.expressions.F("id"),
                condition=models.Q(("parent__isnull", True)),
                name="comment_top_by_replies_idx",
            ),
        ),
        RemoveIndexConcurrentlyIfPossible(
            model_name="comment",
            name="articles_co_article_5a21f8_idx",
        ),
    ]
