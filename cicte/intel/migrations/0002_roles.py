"""The intel app's permissions on the platform's roles: who manages collections (the
Secretariat) and who may publish TLP:CLEAR intelligence, which the platform shows publicly."""

from django.db import migrations

# codename -> (model, name, roles that hold it)
GRANTS = {
    "manage_collections": (
        "collection",
        "Can create and change collections",
        ["secretariat_admin"],
    ),
    "publish_clear": (
        "stixobject",
        "Can publish TLP:CLEAR intelligence",
        ["secretariat_admin", "national_coordinator", "org_admin"],
    ),
}


def load(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Role = apps.get_model("accounts", "Role")
    for codename, (model, name, roles) in GRANTS.items():
        ct, _ = ContentType.objects.get_or_create(app_label="intel", model=model)
        perm, _ = Permission.objects.get_or_create(
            content_type=ct, codename=codename, defaults={"name": name}
        )
        for role in Role.objects.filter(slug__in=roles):
            role.permissions.add(perm)


class Migration(migrations.Migration):
    dependencies = [
        ("intel", "0001_initial"),
        ("accounts", "0003_load_roles_networks_secretariat"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
