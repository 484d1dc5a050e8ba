"""The platform's first roles (with their permissions), the networks of the work plan, and the
CICTE Secretariat. Later modules add their own roles in their own migrations, the same way."""

from django.db import migrations

# (app_label, model, codename, name): custom permissions the roles below use.
PERMISSIONS = [
    ("accounts", "organization", "manage_organizations", "Can create and update organisations"),
    ("accounts", "user", "manage_users", "Can create and update accounts and grant roles"),
    ("accounts", "network", "manage_networks", "Can create and update networks"),
    ("accounts", "network", "manage_memberships", "Can add and remove network members"),
    ("accounts", "network", "contribute", "Can contribute content to networks"),
    ("core", "auditevent", "view_auditevent", "Can view audit event"),
]

# slug, scope, requires_mfa, ordering, permissions, granted by, names (en, es, fr, pt), description
ROLES = [
    (
        "secretariat_admin", "global", True, 10,
        ["manage_organizations", "manage_users", "manage_networks", "manage_memberships", "contribute", "view_auditevent"],
        ["secretariat_admin"],
        ("Secretariat administrator", "Administrador de la Secretaría", "Administrateur du Secrétariat", "Administrador da Secretaria"),
        "Manages accounts, organisations, networks and roles across the platform. Does not read other organisations' AMBER or RED content.",
    ),
    (
        "national_coordinator", "network", True, 20,
        ["manage_organizations", "manage_users", "manage_memberships", "contribute", "view_auditevent"],
        ["secretariat_admin"],
        ("National coordinator", "Coordinador nacional", "Coordonnateur national", "Coordenador nacional"),
        "For a member state, in one network: manages that state's organisations, users and contact designations.",
    ),
    (
        "org_admin", "organization", False, 30,
        ["manage_users", "contribute"],
        ["secretariat_admin", "national_coordinator"],
        ("Organisation administrator", "Administrador de la organización", "Administrateur de l'organisation", "Administrador da organização"),
        "Manages the accounts of one organisation and adds its people to the networks it belongs to.",
    ),
    (
        "member", "network", False, 40,
        ["contribute"],
        ["secretariat_admin", "national_coordinator", "org_admin"],
        ("Member", "Miembro", "Membre", "Membro"),
        "Reads and contributes in a network.",
    ),
    (
        "observer", "network", False, 50,
        [],
        ["secretariat_admin", "national_coordinator", "org_admin"],
        ("Observer", "Observador", "Observateur", "Observador"),
        "Reads in a network, read-only.",
    ),
]

# slug, acronym, names (en, es, fr, pt)
NETWORKS = [
    ("inter-american-network-against-terrorism", "IANT", (
        "Inter-American Network against Terrorism", "Red Interamericana contra el Terrorismo",
        "Réseau interaméricain contre le terrorisme", "Rede Interamericana contra o Terrorismo")),
    ("csirtamericas", "CSIRTAmericas", (
        "CSIRTAmericas (national CSIRTs)", "CSIRTAmericas (CSIRT nacionales)",
        "CSIRTAmericas (CSIRT nationaux)", "CSIRTAmericas (CSIRTs nacionais)")),
    ("unscr-1540", "1540", (
        "UNSCR 1540 points of contact", "Puntos de contacto de la Resolución 1540",
        "Points de contact de la résolution 1540", "Pontos de contato da Resolução 1540")),
    ("aviation-security", "AVSEC", (
        "Aviation security focal points", "Puntos focales de seguridad de la aviación",
        "Points focaux de sûreté de l'aviation", "Pontos focais de segurança da aviação")),
    ("major-events-tourism-security", "MEST", (
        "Major events and tourism security focal points", "Puntos focales de seguridad de grandes eventos y turismo",
        "Points focaux de sécurité des grands événements et du tourisme", "Pontos focais de segurança de grandes eventos e turismo")),
    ("prevention-violent-extremism", "PVE", (
        "Prevention of violent extremism experts", "Expertos en prevención del extremismo violento",
        "Experts en prévention de l'extrémisme violent", "Especialistas em prevenção do extremismo violento")),
    ("cargo-container-security", "CCS", (
        "Cargo and container security instructors", "Instructores de seguridad de carga y contenedores",
        "Instructeurs en sûreté du fret et des conteneurs", "Instrutores de segurança de carga e contêineres")),
    ("maritime-port-security", "MPS", (
        "Maritime and port security", "Seguridad marítima y portuaria",
        "Sûreté maritime et portuaire", "Segurança marítima e portuária")),
    ("targeted-financial-sanctions", "TFS", (
        "Targeted financial sanctions", "Sanciones financieras dirigidas",
        "Sanctions financières ciblées", "Sanções financeiras direcionadas")),
]


def load(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Role = apps.get_model("accounts", "Role")
    Network = apps.get_model("accounts", "Network")
    Organization = apps.get_model("accounts", "Organization")

    perms = {}
    for app_label, model, codename, name in PERMISSIONS:
        ct, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        perms[codename], _ = Permission.objects.get_or_create(content_type=ct, codename=codename, defaults={"name": name})

    roles = {}
    for slug, scope, mfa, ordering, codenames, _by, names, description in ROLES:
        role, _ = Role.objects.update_or_create(
            slug=slug,
            defaults={
                "scope": scope, "requires_mfa": mfa, "ordering": ordering, "description": description,
                "name": names[0], "name_es": names[1], "name_fr": names[2], "name_pt": names[3],
            },
        )
        role.permissions.set([perms[c] for c in codenames])
        roles[slug] = role
    for slug, *_rest in ROLES:
        granted_by = _rest[4]
        roles[slug].assignable_by.set([roles[s] for s in granted_by])

    for slug, acronym, names in NETWORKS:
        Network.objects.update_or_create(
            slug=slug,
            defaults={"acronym": acronym, "name": names[0], "name_es": names[1], "name_fr": names[2], "name_pt": names[3]},
        )

    Organization.objects.get_or_create(
        slug="cicte-secretariat",
        defaults={
            "name": "Secretariat of the Inter-American Committee against Terrorism",
            "acronym": "CICTE",
            "kind": "secretariat",
            "website": "https://www.oas.org/en/sms/cicte/",
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_load_member_states"),
        ("core", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
