"""Who writes and publishes advisories: the people of a network's organisations (member,
organisation administrator, national coordinator roles, in that network) and the Secretariat."""

from django.db import migrations

ROLES = ["secretariat_admin", "national_coordinator", "org_admin", "member"]


def load(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Role = apps.get_model("accounts", "Role")
    ct, _ = ContentType.objects.get_or_create(app_label="advisories", model="advisory")
    perm, _ = Permission.objects.get_or_create(
        content_type=ct,
        codename="publish_advisories",
        defaults={"name": "Can write and publish advisories"},
    )
    for role in Role.objects.filter(slug__in=ROLES):
        role.permissions.add(perm)


class Migration(migrations.Migration):
    dependencies = [
        ("advisories", "0001_initial"),
        ("accounts", "0003_load_roles_networks_secretariat"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
