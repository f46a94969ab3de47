"""Every story belongs to a site and has the CMS's id: existing stories go to a
default site ("Parley News", Parley's own pages), keyed by their slug."""

import django.db.models.deletion
from django.db import migrations, models


def to_default_site(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Site = apps.get_model("sites", "Site")
    if not Article.objects.exists():
        return
    site, _ = Site.objects.get_or_create(
        slug="parley", defaults={"name": "Parley News"}
    )
    for article in Article.objects.filter(site__isnull=True).only("pk", "slug"):
        Article.objects.filter(pk=article.pk).update(
            site=site, external_id=article.slug
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_idempotency_request_hash"),
        ("sites", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="site",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="articles",
                to="sites.site",
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="external_id",
            field=models.CharField(
                default="",
                help_text="The story's id in the site's CMS.",
                max_length=200,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="article",
            name="url",
            field=models.URLField(
                blank=True, help_text="The story's canonical URL.", max_length=1000
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="body",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(to_default_site, migrations.RunPython.noop),
    ]
