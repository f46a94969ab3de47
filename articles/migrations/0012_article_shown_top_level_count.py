"""The story's count of top-level comments readers see, kept by the transitions.

A thread page counted them on every read the cache missed: an index scan over
every top-level comment of the story, the only part of the read that grew with
the story (0.34 ms of PostgreSQL's time at 5,000 comments). The column is added
with a default (no table rewrite on PostgreSQL) and filled once from the
comments, one UPDATE over the stories.
"""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    Article = apps.get_model("articles", "Article")
    Comment = apps.get_model("articles", "Comment")
    # The rule of articles.models.shown_top_level, as it stands at this migration.
    shown = (
        Comment.objects.filter(article=OuterRef("pk"), parent__isnull=True)
        .filter(
            Q(status="published")
            | Q(status__in=["withdrawn", "rejected"], published_reply_count__gt=0)
        )
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Article.objects.update(shown_top_level_count=Coalesce(Subquery(shown), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_top_level_order_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="shown_top_level_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
