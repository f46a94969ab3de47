"""Indexes for the moderation queues; drop single-column ones the composites cover.

The new index is built concurrently on PostgreSQL (no write lock on a large table),
which needs a migration outside a transaction. It is built before the old indexes
are dropped, so no query is left without one.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from core.migration_operations import AddIndexConcurrentlyIfPossible


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("articles", "0004_comment_body_html"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrentlyIfPossible(
            model_name="comment",
            index=models.Index(
                fields=["status", "status_changed_at", "id"],
                name="comment_status_changed_idx",
            ),
        ),
        migrations.AlterField(
            model_name="comment",
            name="article",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="comments",
                to="articles.article",
            ),
        ),
        migrations.AlterField(
            model_name="comment",
            name="author",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="comments",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="comment",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="comment",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending (not yet scored)"),
                    ("published", "Published"),
                    ("held", "Held for review"),
                    ("rejected", "Rejected"),
                    ("withdrawn", "Withdrawn by its author"),
                ],
                default="pending",
                max_length=20,
            ),
        ),
    ]
