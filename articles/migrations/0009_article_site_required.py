"""Separate from 0007: PostgreSQL refuses ALTER TABLE with the data update's
foreign-key checks still pending in the same transaction."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_article_site"),
    ]

    operations = [
        migrations.AlterField(
            model_name="article",
            name="site",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="articles",
                to="sites.site",
            ),
        ),
        migrations.AddConstraint(
            model_name="article",
            constraint=models.UniqueConstraint(
                fields=("site", "external_id"), name="unique_story_per_site"
            ),
        ),
    ]
