"""The queues rank each comment by its author's rejections: a partial index makes
that count an index-only scan instead of reading every comment of the author.
Built concurrently on PostgreSQL."""

from django.db import migrations, models

from core.migration_operations import AddIndexConcurrentlyIfPossible


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("articles", "0005_comment_queue_indexes"),
    ]

    operations = [
        AddIndexConcurrentlyIfPossible(
            model_name="comment",
            index=models.Index(
                condition=models.Q(("status", "rejected")),
                fields=["author"],
                name="comment_rejected_author_idx",
            ),
        ),
    ]
