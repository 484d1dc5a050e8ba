"""Who proposes and who approves domestic sanctions designations.

Two roles held by people (never by organisations: they require two-factor authentication) in the
targeted financial sanctions network, for the member state of the holder's organisation:

- designation officer: ``designations.propose_designation`` (propose designations,
  amendments, delistings and unfreezings, and withdraw one's own proposals);
- designation approver: ``designations.approve_designation`` (approve or reject the proposals
  of another official of the same state).

A competent authority gives them to the officials of its FIU, ministry or prosecutor's office
(granted by the Secretariat or the state's national coordinator). No existing role carries them:
organisations' network memberships (member, observer) reach every person of an institution, and
a bank is an observer of the same network; the Secretariat manages accounts, it does not
designate for a state.
"""

from django.db import migrations

PERMISSIONS = [
    ("propose_designation", "Can propose sanctions designations and their changes"),
    ("approve_designation", "Can approve or reject proposed sanctions designations"),
]
# slug, ordering, permission, names (en, es, fr, pt), description
ROLES = [
    (
        "designation_officer", 60, "propose_designation",
        ("Designation officer", "Oficial de designaciones", "Agent de désignation", "Oficial de designações"),
        "For a member state, in the targeted financial sanctions network: proposes domestic "
        "sanctions designations (UNSCR 1373), amendments, delistings and unfreezings.",
    ),
    (
        "designation_approver", 61, "approve_designation",
        ("Designation approver", "Aprobador de designaciones", "Approbateur de désignations", "Aprovador de designações"),
        "For a member state, in the targeted financial sanctions network: approves or rejects "
        "the designation proposals of another official, which publishes the domestic list.",
    ),
]  # fmt: skip
GRANTED_BY = ["secretariat_admin", "national_coordinator"]


def load(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Role = apps.get_model("accounts", "Role")
    ct, _ = ContentType.objects.get_or_create(app_label="designations", model="designation")
    perms = {}
    for codename, name in PERMISSIONS:
        perms[codename], _ = Permission.objects.get_or_create(
            content_type=ct, codename=codename, defaults={"name": name}
        )
    granted_by = list(Role.objects.filter(slug__in=GRANTED_BY))
    for slug, ordering, codename, names, description in ROLES:
        role, _ = Role.objects.update_or_create(
            slug=slug,
            defaults={
                "scope": "network",
                "requires_mfa": True,
                "ordering": ordering,
                "description": description,
                "name": names[0],
                "name_es": names[1],
                "name_fr": names[2],
                "name_pt": names[3],
            },
        )
        role.permissions.set([perms[codename]])
        role.assignable_by.set(granted_by)


def unload(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    Role.objects.filter(slug__in=[slug for slug, *_rest in ROLES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("designations", "0001_initial"),
        ("accounts", "0003_load_roles_networks_secretariat"),
    ]

    operations = [migrations.RunPython(load, unload)]
