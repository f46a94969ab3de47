"""The "Moderators" group: decide comments and sanction authors, read the rest.

Moderators cannot edit a comment's text (no change_comment) and cannot delete any
row; editing rules and managing models are separate permissions given to leads.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Moderators"
PERMISSIONS = [
    ("moderation", "decide_comment"),
    ("moderation", "sanction_author"),
    ("moderation", "view_needsreviewcomment"),
    ("moderation", "view_reportedcomment"),
    ("moderation", "view_pendingcomment"),
    ("moderation", "view_approvedcomment"),
    ("moderation", "view_rejectedcomment"),
    ("moderation", "view_allcomment"),
    ("moderation", "view_decision"),
    ("moderation", "view_report"),
    ("moderation", "view_authorstanding"),
    ("moderation", "view_wordrule"),
    ("moderation", "view_moderationsettings"),
    ("moderation", "view_modelversion"),
    ("articles", "view_article"),
    ("articles", "view_comment"),
]


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, codename in PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0002_workplace"),
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
