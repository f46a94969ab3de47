"""Indexes the moderation queues need at a million comments.

Open reports get a partial index (the Reported queue reads only those), replacing
the (comment, resolution) one; the pipeline's reason codes get a GIN index on
PostgreSQL so a reason filter is an index lookup (`reasons @> '[{"code": ...}]'`),
not a text match over every row. Built concurrently: no write lock on a large table.
"""

from django.db import migrations, models

from core.migration_operations import (
    AddIndexConcurrentlyIfPossible,
    RemoveIndexConcurrentlyIfPossible,
    RunSQLOnPostgres,
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("moderation", "0003_moderators_group"),
    ]

    operations = [
        AddIndexConcurrentlyIfPossible(
            model_name="report",
            index=models.Index(
                condition=models.Q(("resolution", "pending")),
                fields=["comment"],
                name="report_open_by_comment_idx",
            ),
        ),
        RemoveIndexConcurrentlyIfPossible(
            model_name="report",
            name="moderation__comment_91ae29_idx",
        ),
        RunSQLOnPostgres(
            sql=(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS pipelineresult_reasons_gin "
                "ON moderation_pipelineresult USING gin (reasons jsonb_path_ops)"
            ),
            reverse_sql="DROP INDEX CONCURRENTLY IF EXISTS pipelineresult_reasons_gin",
        ),
    ]
