"""The directory's permissions on the platform's roles, and each seeded network's directory
policy: which designation roles it uses, who sees sensitive fields, whether the Secretariat
confirms designations, and the attributes its contacts carry."""

from django.db import migrations

# codename -> roles that hold it
GRANTS = {
    "view_all_directories": ["secretariat_admin"],
    "manage_designations": ["secretariat_admin", "national_coordinator"],
    "confirm_designations": ["secretariat_admin"],
    "launch_checks": ["secretariat_admin"],
    "export_contacts": ["secretariat_admin", "national_coordinator", "org_admin", "member"],
}
MODELS = {
    "view_all_directories": "directorypolicy",
    "manage_designations": "contactdesignation",
    "confirm_designations": "contactdesignation",
    "export_contacts": "contactdesignation",
    "launch_checks": "communicationcheck",
}
NAMES = {
    "view_all_directories": "Can see every network's directory",
    "manage_designations": "Can designate, replace and withdraw contacts",
    "confirm_designations": "Can confirm designations",
    "launch_checks": "Can launch communication checks",
    "export_contacts": "Can export contacts",
}


def label(en, es, fr, pt):
    return {"en": en, "es": es, "fr": fr, "pt": pt}


POC = ["national_poc", "alternate", "operational"]
POLICIES = {
    "inter-american-network-against-terrorism": dict(
        requires_confirmation=True, sensitive_fields="same_state", roles=POC, attribute_schema=[]
    ),
    "csirtamericas": dict(
        requires_confirmation=False,
        sensitive_fields="members",
        roles=[*POC, "technical"],
        attribute_schema=[
            {"key": "constituency", "type": "text", "required": False,
             "label": label("Constituency", "Comunidad atendida", "Communauté desservie", "Público atendido")},
            {"key": "first_member", "type": "boolean", "required": False,
             "label": label("FIRST member", "Miembro de FIRST", "Membre du FIRST", "Membro do FIRST")},
        ],
    ),
    "unscr-1540": dict(requires_confirmation=True, sensitive_fields="same_state", roles=["national_poc", "alternate", "expert"], attribute_schema=[]),
    "aviation-security": dict(requires_confirmation=False, sensitive_fields="same_state", roles=["focal_point", "alternate", "operational"], attribute_schema=[]),
    "major-events-tourism-security": dict(requires_confirmation=False, sensitive_fields="same_state", roles=["focal_point", "alternate", "operational"], attribute_schema=[]),
    "prevention-violent-extremism": dict(
        requires_confirmation=False,
        sensitive_fields="coordinators",
        roles=["expert", "focal_point"],
        attribute_schema=[
            {"key": "expertise_areas", "type": "list", "required": False,
             "label": label("Areas of expertise", "Áreas de especialización", "Domaines d'expertise", "Áreas de especialização")},
        ],
    ),
    "cargo-container-security": dict(
        requires_confirmation=False,
        sensitive_fields="same_state",
        roles=["instructor", "focal_point"],
        attribute_schema=[
            {"key": "certifications", "type": "list", "required": False,
             "label": label("Certifications", "Certificaciones", "Certifications", "Certificações")},
            {"key": "certified_until", "type": "date", "required": False,
             "label": label("Certified until", "Certificado hasta", "Certifié jusqu'au", "Certificado até")},
        ],
    ),
    "maritime-port-security": dict(requires_confirmation=False, sensitive_fields="same_state", roles=["focal_point", "alternate", "operational"], attribute_schema=[]),
    "targeted-financial-sanctions": dict(requires_confirmation=True, sensitive_fields="same_state", roles=["national_poc", "alternate", "focal_point"], attribute_schema=[]),
}


def load(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Role = apps.get_model("accounts", "Role")
    Network = apps.get_model("accounts", "Network")
    DirectoryPolicy = apps.get_model("directory", "DirectoryPolicy")
    for codename, roles in GRANTS.items():
        ct, _ = ContentType.objects.get_or_create(app_label="directory", model=MODELS[codename])
        perm, _ = Permission.objects.get_or_create(content_type=ct, codename=codename, defaults={"name": NAMES[codename]})
        for role in Role.objects.filter(slug__in=roles):
            role.permissions.add(perm)
    for network in Network.objects.all():
        DirectoryPolicy.objects.update_or_create(network=network, defaults=POLICIES.get(network.slug, {}))


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0001_initial"),
        ("accounts", "0003_load_roles_networks_secretariat"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
