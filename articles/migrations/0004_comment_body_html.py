"""Comment HTML rendered once at write time, kept beside the text.

The data step renders existing comments in batches. It uses the application's
renderer on purpose: the stored HTML must be exactly what new writes store.
"""

from django.db import migrations, models

BATCH = 2000


def render_existing(apps, schema_editor):
    from articles.text import render_body

    Comment = apps.get_model("articles", "Comment")
    last = 0
    while True:
        batch = list(
            Comment.objects.filter(pk__gt=last, body_html="")
            .order_by("pk")
            .only("pk", "body")[:BATCH]
        )
        if not batch:
            return
        for comment in batch:
            comment.body_html = render_body(comment.body)
        Comment.objects.bulk_update(batch, ["body_html"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_pending_since_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="body_html",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(render_existing, migrations.RunPython.noop, elidable=True),
    ]
