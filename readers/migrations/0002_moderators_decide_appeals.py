"""Let the Moderators group work the appeals queue and problem reports.

The group is shared with moderation's migrations; both get_or_create it by name.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATOR_PERMISSIONS = [
    ("appeal", "view_appeal"),
    ("appeal", "decide_appeal"),
    ("problemreport", "view_problemreport"),
    ("problemreport", "change_problemreport"),
    ("emaildelivery", "view_emaildelivery"),
    ("notification", "view_notification"),
]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now.
    app_config = apps.get_app_config("readers")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Moderators")
    perms = Permission.objects.filter(
        content_type__app_label="readers",
        codename__in=[codename for _, codename in MODERATOR_PERMISSIONS],
    )
    group.permissions.add(*perms)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name="Moderators").first()
    if group is not None:
        group.permissions.remove(
            *group.permissions.filter(content_type__app_label="readers")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("readers", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
