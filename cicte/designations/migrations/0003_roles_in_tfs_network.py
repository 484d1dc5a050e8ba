"""The designation roles are held only in the targeted financial sanctions network
(``Role.networks``, accounts 0004): granting them in another network is refused, with a message
naming it. Assignments made earlier in another network are left as they are (a migration does
not take rights away unaudited); the Secretariat revokes them on the people's pages."""

from django.db import migrations

ROLES = ["designation_officer", "designation_approver"]
NETWORK = "targeted-financial-sanctions"


def limit(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    Network = apps.get_model("accounts", "Network")
    network = Network.objects.filter(slug=NETWORK).first()
    if network is None:
        return
    for role in Role.objects.filter(slug__in=ROLES):
        role.networks.set([network])


def unlimit(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(slug__in=ROLES):
        role.networks.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("designations", "0002_roles"),
        ("accounts", "0004_role_networks"),
    ]

    operations = [migrations.RunPython(limit, unlimit)]
