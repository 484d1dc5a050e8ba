"""Who sends in the secure exchange and who takes its escalations.

- ``messaging.send_message`` on the network roles that contribute (member, national
  coordinator): their holders, and the people of member organisations, send on behalf of their
  state (designated contacts send without a role: the directory says who they are);
- a new platform-wide role, the Secretariat's **duty officer**, carrying
  ``messaging.take_escalations``: immediate messages that no one of a state acknowledged reach
  them at the second escalation level. Granted by Secretariat administrators.
"""

from django.db import migrations

PERMISSIONS = [
    ("send_message", "Can send messages in the secure exchange"),
    ("take_escalations", "Takes the escalations of unacknowledged messages"),
]
SENDING_ROLES = ["member", "national_coordinator"]
DUTY_OFFICER = (
    "duty_officer", 70,
    ("Duty officer", "Oficial de guardia", "Officier de permanence", "Oficial de plantão"),
    "Of the CICTE Secretariat: receives the escalation of immediate messages that a member "
    "state has not acknowledged in time.",
)  # fmt: skip


def load(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Role = apps.get_model("accounts", "Role")
    ct, _ = ContentType.objects.get_or_create(app_label="messaging", model="message")
    perms = {}
    for codename, name in PERMISSIONS:
        perms[codename], _ = Permission.objects.get_or_create(
            content_type=ct, codename=codename, defaults={"name": name}
        )
    for role in Role.objects.filter(slug__in=SENDING_ROLES):
        role.permissions.add(perms["send_message"])
    slug, ordering, names, description = DUTY_OFFICER
    role, _ = Role.objects.update_or_create(
        slug=slug,
        defaults={
            "scope": "global",
            "requires_mfa": True,
            "ordering": ordering,
            "description": description,
            "name": names[0],
            "name_es": names[1],
            "name_fr": names[2],
            "name_pt": names[3],
        },
    )
    role.permissions.set([perms["take_escalations"]])
    role.assignable_by.set(Role.objects.filter(slug="secretariat_admin"))


def unload(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    Permission = apps.get_model("auth", "Permission")
    Role.objects.filter(slug=DUTY_OFFICER[0]).delete()
    send = Permission.objects.filter(content_type__app_label="messaging", codename="send_message")
    for role in Role.objects.filter(slug__in=SENDING_ROLES):
        role.permissions.remove(*send)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_initial"),
        ("accounts", "0003_load_roles_networks_secretariat"),
    ]

    operations = [migrations.RunPython(load, unload)]
