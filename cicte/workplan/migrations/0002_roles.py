"""Who runs the work plan (the Secretariat's administrators) and who requests assistance for a
member state (its national coordinators, for their own state)."""

from django.db import migrations

GRANTS = {
    "manage_workplan": ("Can run the work plan: events, participants, results", ["secretariat_admin"]),
    "request_assistance": (
        "Can request and follow assistance for a member state",
        ["secretariat_admin", "national_coordinator"],
    ),
}


def load(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Role = apps.get_model("accounts", "Role")
    ct, _ = ContentType.objects.get_or_create(app_label="workplan", model="workplan")
    for codename, (name, roles) in GRANTS.items():
        perm, _ = Permission.objects.get_or_create(
            content_type=ct, codename=codename, defaults={"name": name}
        )
        for role in Role.objects.filter(slug__in=roles):
            role.permissions.add(perm)


class Migration(migrations.Migration):
    dependencies = [
        ("workplan", "0001_initial"),
        ("accounts", "0003_load_roles_networks_secretariat"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
