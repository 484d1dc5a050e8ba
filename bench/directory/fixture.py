"""The directory benchmark's data set: 50,000 contacts of the institutions of the 35 member
states, with their designations across the 9 networks (current ones and history), phones,
emails and languages, and the two users the searches run for.

It is a fixture, so it is bulk-loaded (``bulk_create``), not written through the services: the
services validate and audit one record at a time, which is what they are for and what would
make loading 50,000 contacts take far longer than searching them. The generator is seeded, so
every run loads the same data.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from cicte.accounts.choices import OrganizationKind as Kind
from cicte.accounts.models import (
    MemberState,
    Network,
    Organization,
    OrganizationMembership,
    Role,
    RoleAssignment,
    User,
)
from cicte.directory.choices import (
    Availability,
    ContactKind,
    DesignationStatus,
    EmailKind,
    PhoneKind,
)
from cicte.directory.models import (
    Contact,
    ContactDesignation,
    ContactEmail,
    ContactLanguage,
    ContactPhone,
    DirectoryPolicy,
)

IANT = "inter-american-network-against-terrorism"
CSIRT = "csirtamericas"
UNSCR_1540 = "unscr-1540"
AVSEC = "aviation-security"
MAJOR_EVENTS = "major-events-tourism-security"
PVE = "prevention-violent-extremism"
CARGO = "cargo-container-security"
MARITIME = "maritime-port-security"
TFS = "targeted-financial-sanctions"


def _words(text: str) -> list[str]:
    return text.split()


# The language most of a state's officials work in.
LANGUAGE = {
    "BR": "pt",
    "HT": "fr",
    "SR": "nl",
    **dict.fromkeys(_words("AG BS BB BZ CA DM GD GY JM KN LC VC TT US"), "en"),
}  # every other member state: Spanish
TIME_ZONES = {
    "AG": "America/Antigua", "AR": "America/Argentina/Buenos_Aires", "BS": "America/Nassau",
    "BB": "America/Barbados", "BZ": "America/Belize", "BO": "America/La_Paz",
    "BR": "America/Sao_Paulo", "CA": "America/Toronto", "CL": "America/Santiago",
    "CO": "America/Bogota", "CR": "America/Costa_Rica", "CU": "America/Havana",
    "DM": "America/Dominica", "DO": "America/Santo_Domingo", "EC": "America/Guayaquil",
    "SV": "America/El_Salvador", "GD": "America/Grenada", "GT": "America/Guatemala",
    "GY": "America/Guyana", "HT": "America/Port-au-Prince", "HN": "America/Tegucigalpa",
    "JM": "America/Jamaica", "MX": "America/Mexico_City", "NI": "America/Managua",
    "PA": "America/Panama", "PY": "America/Asuncion", "PE": "America/Lima",
    "KN": "America/St_Kitts", "LC": "America/St_Lucia", "VC": "America/St_Vincent",
    "SR": "America/Paramaribo", "TT": "America/Port_of_Spain", "US": "America/New_York",
    "UY": "America/Montevideo", "VE": "America/Caracas",
}  # fmt: skip

FIRST_NAMES = {
    "es": _words(
        "Alejandro Ana Andrés Beatriz Camila Carlos Carmen Daniel Diego Elena Fernando "
        "Gabriela Guillermo Isabel Javier Jorge José Juan Laura Lucía Luis Manuel María Mariana "
        "Martín Natalia Pablo Patricia Ricardo Rosa Santiago Sofía Valentina Verónica"
    ),
    "pt": _words(
        "Ana Beatriz Bruno Camila Carlos Daniela Eduardo Fernanda Gabriel Helena João Juliana "
        "Lucas Luiza Marcelo Mariana Paulo Pedro Rafael Renata Rodrigo Tatiana Thiago"
    ),
    "en": _words(
        "Andrew Anthony Claire David Denise Donovan Elizabeth Grace James Jennifer Kareem "
        "Keisha Kevin Latoya Marcus Michael Nadia Patrick Rachel Richard Sarah Shane Simone "
        "Stephanie Trevor"
    ),
    "fr": _words(
        "Carline Claude Daphné Emmanuel Fabienne Guerline Jean Jean-Marc Josué Lovely Marie "
        "Nadège Pierre Ralph Roseline Stéphane Widline Yves"
    ),
    "nl": _words("Anand Cheryl Dewanand Gillian Ivan Kenneth Natasha Radjesh Ruben Shanti Sharda"),
}
LAST_NAMES = {
    "es": _words(
        "Acosta Aguilar Álvarez Benítez Cabrera Castillo Castro Chávez Contreras Díaz "
        "Domínguez Espinoza Flores Fuentes García Gómez González Gutiérrez Hernández Herrera "
        "Jiménez López Martínez Medina Méndez Morales Muñoz Navarro Núñez Ortega Ortiz Paredes "
        "Pérez Ramírez Ramos Reyes Ríos Rodríguez Rojas Romero Ruiz Salazar Sánchez Silva Soto "
        "Suárez Torres Vargas Vásquez Vega"
    ),
    "pt": _words(
        "Almeida Alves Barbosa Cardoso Carvalho Costa Dias Ferreira Gomes Lima Machado "
        "Martins Melo Oliveira Pereira Ribeiro Rocha Rodrigues Santos Silva Souza"
    ),
    "en": _words(
        "Alleyne Baptiste Brathwaite Brown Campbell Charles Clarke Edwards Francis Gordon "
        "Grant Harris Henry James Johnson Joseph Lewis Mitchell Ramdial Ramsaran Roberts Smith "
        "Thomas Walker Williams"
    ),
    "fr": _words(
        "Augustin Baptiste Charles Dorval Étienne Exantus Jean-Baptiste Joseph Louis Pierre "
        "Saint-Fleur Théodore Valcourt"
    ),
    "nl": _words("Bouterse Hoefdraad Jadnanansing Kanhai Lachmon Mahabier Pinas Ramdin Sedney"),
}
TITLES = {
    "es": [
        "Director de Asuntos Internacionales", "Jefa de la Unidad de Cooperación",
        "Coordinador de Seguridad", "Analista Senior", "Asesora Jurídica",
        "Jefe de Operaciones", "Oficial de Enlace", "Especialista en Ciberseguridad",
        "Subdirectora de Análisis", "Inspector",
    ],
    "pt": [
        "Diretor de Assuntos Internacionais", "Chefe da Divisão de Cooperação",
        "Coordenadora de Segurança", "Analista Sênior", "Assessor Jurídico",
        "Oficial de Ligação", "Especialista em Cibersegurança",
    ],
    "en": [
        "Director of International Affairs", "Head of Cooperation", "Security Coordinator",
        "Senior Analyst", "Legal Adviser", "Head of Operations", "Liaison Officer",
        "Cybersecurity Specialist", "Deputy Commissioner", "Inspector",
    ],
    "fr": [
        "Directeur des affaires internationales", "Cheffe de la coopération",
        "Coordonnateur de la sécurité", "Analyste principal", "Conseillère juridique",
        "Officier de liaison",
    ],
    "nl": [
        "Directeur Internationale Zaken", "Hoofd Samenwerking", "Beleidsmedewerker",
        "Senior Analist", "Verbindingsofficier",
    ],
}  # fmt: skip
DESK = {
    "es": "Centro de Operaciones 24/7",
    "pt": "Centro de Operações 24/7",
    "en": "24/7 Operations Centre",
    "fr": "Centre des opérations 24/7",
    "nl": "24/7 Operationeel Centrum",
}

# (key, kind, networks, names by language): the institutions every member state has.
INSTITUTIONS: tuple[tuple[str, str, tuple[str, ...], dict[str, str]], ...] = (
    ("mfa", Kind.MINISTRY, (IANT, UNSCR_1540),
     {"es": "Ministerio de Relaciones Exteriores", "pt": "Ministério das Relações Exteriores",
      "en": "Ministry of Foreign Affairs", "fr": "Ministère des Affaires étrangères",
      "nl": "Ministerie van Buitenlandse Zaken"}),
    ("security", Kind.MINISTRY, (IANT, MAJOR_EVENTS, PVE),
     {"es": "Ministerio de Seguridad", "pt": "Ministério da Justiça e Segurança Pública",
      "en": "Ministry of National Security", "fr": "Ministère de la Sécurité publique",
      "nl": "Ministerie van Justitie en Politie"}),
    ("csirt", Kind.NATIONAL_CSIRT, (CSIRT,),
     {"es": "Equipo Nacional de Respuesta a Incidentes", "pt": "Centro Nacional de Resposta a Incidentes",
      "en": "National Computer Incident Response Team", "fr": "Centre national de réponse aux incidents",
      "nl": "Nationaal Computer Incident Response Team"}),
    ("gov-csirt", Kind.SECTOR_CSIRT, (CSIRT,),
     {"es": "CSIRT de Gobierno", "pt": "CSIRT de Governo", "en": "Government CSIRT",
      "fr": "CSIRT gouvernemental", "nl": "Overheids-CSIRT"}),
    ("fiu", Kind.FIU, (TFS,),
     {"es": "Unidad de Inteligencia Financiera", "pt": "Unidade de Inteligência Financeira",
      "en": "Financial Intelligence Unit", "fr": "Unité centrale de renseignements financiers",
      "nl": "Financial Intelligence Unit"}),
    ("customs", Kind.CUSTOMS, (CARGO,),
     {"es": "Dirección Nacional de Aduanas", "pt": "Receita Federal - Aduana",
      "en": "Customs and Excise Department", "fr": "Administration générale des douanes",
      "nl": "Douane"}),
    ("police", Kind.POLICE, (IANT, MAJOR_EVENTS, PVE),
     {"es": "Policía Nacional", "pt": "Polícia Federal", "en": "Police Service",
      "fr": "Police nationale", "nl": "Korps Politie"}),
    ("aviation", Kind.AVIATION, (AVSEC,),
     {"es": "Autoridad de Aviación Civil", "pt": "Agência Nacional de Aviação Civil",
      "en": "Civil Aviation Authority", "fr": "Office national de l'aviation civile",
      "nl": "Luchtvaartautoriteit"}),
    ("port", Kind.PORT, (MARITIME, CARGO),
     {"es": "Autoridad Portuaria Nacional", "pt": "Autoridade Portuária", "en": "Port Authority",
      "fr": "Autorité portuaire nationale", "nl": "Havenbeheer"}),
    ("intelligence", Kind.INTELLIGENCE, (IANT,),
     {"es": "Dirección Nacional de Inteligencia", "pt": "Agência de Inteligência",
      "en": "Strategic Services Agency", "fr": "Service de renseignement",
      "nl": "Centrale Inlichtingen Dienst"}),
    ("prosecutor", Kind.JUDICIARY, (TFS, PVE),
     {"es": "Fiscalía General", "pt": "Ministério Público", "en": "Office of the Director of Public Prosecutions",
      "fr": "Parquet général", "nl": "Openbaar Ministerie"}),
    ("migration", Kind.BORDER, (AVSEC, MAJOR_EVENTS),
     {"es": "Dirección General de Migración", "pt": "Departamento de Migrações",
      "en": "Immigration Department", "fr": "Direction de l'immigration", "nl": "Vreemdelingendienst"}),
)  # fmt: skip

ATTRIBUTES: dict[str, Callable[[random.Random], dict[str, Any]]] = {
    CSIRT: lambda r: {"constituency": r.choice(["National", "Government", "Critical infrastructure"])},
    PVE: lambda r: {"expertise_areas": r.sample(
        ["Radicalisation online", "Prison deradicalisation", "Community resilience",
         "Strategic communication", "Youth prevention"], 2)},
    CARGO: lambda r: {"certifications": r.sample(
        ["WCO SAFE Framework", "ISPS Code", "Container Control Programme", "IATA DGR"], 2)},
}  # fmt: skip

MEMBER_USERNAME = "bench.member"
SECRETARIAT_USERNAME = "bench.secretariat"
MEMBER_STATE = "CO"  # the member user works at Colombia's national CSIRT
MEMBER_NETWORKS = (CSIRT, IANT)
ORGANIZATION = ("MX", "csirt")  # the organisation searched for (in a network the member sees)
PAST_DAYS = 365  # "in force on" a year ago


@dataclass
class Loaded:
    """What was loaded, for the report and for the searches."""

    counts: dict[str, int] = field(default_factory=dict)
    member_pk: int = 0
    secretariat_pk: int = 0
    organization_slug: str = ""
    past_date: dt.date = dt.date.min


def _phone(region: str, r: random.Random) -> str:
    """A number in E.164 shaped like the state's own (its example number, last digits varied)."""
    example = phonenumbers.example_number(region)
    assert example is not None, region
    digits = str(example.national_number)
    varied = digits[:-4] + f"{r.randrange(10000):04d}"
    return f"+{example.country_code}{varied}"


def _email_part(text: str) -> str:
    return slugify(text).replace("-", ".") or "contact"


def _bulk(model: Any, objs: list[Any], batch: int = 2000) -> list[Any]:
    return model.objects.bulk_create(objs, batch_size=batch)


@transaction.atomic
def load(contacts: int, *, seed: int = 2024, log: Callable[[str], None] = print) -> Loaded:
    r = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    states = list(MemberState.objects.order_by("code"))
    networks = {n.slug: n for n in Network.objects.all()}
    policies = {p.network_id: p for p in DirectoryPolicy.objects.all()}
    roles = {role.slug: role for role in Role.objects.all()}
    secretariat_org = Organization.objects.get(kind=Kind.SECRETARIAT)

    # --- The two users the searches run for ------------------------------------------------
    admin = User.objects.create(
        username=SECRETARIAT_USERNAME,
        email="bench.secretariat@example.org",
        full_name="Secretariat administrator",
        organization=secretariat_org,
    )
    RoleAssignment.objects.create(user=admin, role=roles["secretariat_admin"])

    # --- Institutions ----------------------------------------------------------------------
    organizations: list[Organization] = []
    for state in states:
        language = LANGUAGE.get(state.code, "es")
        for key, kind, _networks, names in INSTITUTIONS:
            organizations.append(
                Organization(
                    slug=f"{state.code.lower()}-{key}",
                    name=names[language],
                    acronym=f"{key.upper()[:6]}-{state.code}",
                    kind=kind,
                    member_state=state,
                )
            )
    organizations = _bulk(Organization, organizations)
    by_slug = {o.slug: o for o in organizations}
    member_role = roles["member"]
    memberships = [
        OrganizationMembership(
            organization=by_slug[f"{state.code.lower()}-{key}"],
            network=networks[slug],
            role=member_role,
        )
        for state in states
        for key, _kind, slugs, _names in INSTITUTIONS
        for slug in slugs
    ]
    _bulk(OrganizationMembership, memberships)
    network_of = {key: slugs for key, _kind, slugs, _names in INSTITUTIONS}

    member = User.objects.create(
        username=MEMBER_USERNAME,
        email="bench.member@example.org",
        full_name="Network member",
        organization=by_slug[f"{MEMBER_STATE.lower()}-csirt"],
    )
    for slug in MEMBER_NETWORKS:
        RoleAssignment.objects.create(user=member, role=member_role, network=networks[slug])

    # --- Contacts --------------------------------------------------------------------------
    # Bigger states have more institutions' staff designated: weights rather than an even split.
    weights = [r.uniform(0.4, 2.0) for _ in organizations]
    homes = r.choices(organizations, weights=weights, k=contacts)
    state_of = {s.pk: s for s in states}
    rows: list[Contact] = []
    meta: list[tuple[str, str]] = []  # (language, email local part) per contact
    for home in homes:
        assert home.member_state_id is not None
        code = state_of[home.member_state_id].code
        language = LANGUAGE.get(code, "es")
        functional = r.random() < 0.08
        if functional:
            name = f"{DESK[language]} {home.acronym}"
            title = DESK[language]
            local = f"soc.{r.randrange(100000)}"
        else:
            first = r.choice(FIRST_NAMES[language])
            last = r.choice(LAST_NAMES[language])
            if language in ("es", "pt") and r.random() < 0.6:
                last = f"{last} {r.choice(LAST_NAMES[language])}"
            name = f"{first} {last}"
            title = r.choice(TITLES[language])
            local = f"{_email_part(first)}.{_email_part(last)}"
        always = functional or r.random() < 0.07
        rows.append(
            Contact(
                kind=ContactKind.FUNCTIONAL if functional else ContactKind.PERSON,
                organization=home,
                name=name,
                title=title,
                time_zone=TIME_ZONES[code],
                availability=Availability.ALWAYS if always else Availability.OFFICE_HOURS,
                office_hours_start=None if always else dt.time(8, 0),
                office_hours_end=None if always else dt.time(17, 0),
                office_days=[] if always else [1, 2, 3, 4, 5],
            )
        )
        meta.append((language, local))
    contacts_saved = _bulk(Contact, rows)
    log(f"  {len(contacts_saved):,} contacts in {len(organizations)} institutions")

    phones: list[ContactPhone] = []
    emails: list[ContactEmail] = []
    languages: list[ContactLanguage] = []
    for contact, (language, local) in zip(contacts_saved, meta, strict=True):
        code = state_of[contact.organization.member_state_id].code
        phones.append(ContactPhone(contact=contact, kind=PhoneKind.OFFICE, number=_phone(code, r)))
        if r.random() < 0.5:
            phones.append(
                ContactPhone(contact=contact, kind=PhoneKind.MOBILE, number=_phone(code, r))
            )
        if contact.availability == Availability.ALWAYS:
            phones.append(
                ContactPhone(contact=contact, kind=PhoneKind.HOTLINE, number=_phone(code, r))
            )
        domain = f"{contact.organization.slug}.example.org"
        emails.append(
            ContactEmail(
                contact=contact,
                kind=EmailKind.FUNCTIONAL
                if contact.kind == ContactKind.FUNCTIONAL
                else EmailKind.INSTITUTIONAL,
                address=f"{local}.{contact.pk}@{domain}",
            )
        )
        if contact.kind == ContactKind.PERSON and r.random() < 0.2:
            emails.append(
                ContactEmail(
                    contact=contact,
                    kind=EmailKind.PERSONAL,
                    address=f"{local}.{contact.pk}@example.net",
                )
            )
        codes = {language}
        if r.random() < 0.6:
            codes.add("en" if language != "en" else "es")
        if r.random() < 0.12:
            codes.add(r.choice(["fr", "pt", "es", "en"]))
        languages.extend(ContactLanguage(contact=contact, code=c) for c in sorted(codes))
    _bulk(ContactPhone, phones, 5000)
    _bulk(ContactEmail, emails, 5000)
    _bulk(ContactLanguage, languages, 5000)

    # --- Designations: current ones, awaiting confirmation, and history ---------------------
    designations: list[ContactDesignation] = []
    for contact in contacts_saved:
        key = contact.organization.slug.split("-", 1)[1]
        available = list(network_of[key])
        r.shuffle(available)
        count = 1 if r.random() < 0.7 else (2 if r.random() < 0.85 else 3)
        for slug in available[:count]:
            network = networks[slug]
            policy = policies[network.pk]
            roles_here = policy.roles or ["national_poc"]
            role = (
                "operational"
                if contact.availability == Availability.ALWAYS and "operational" in roles_here
                else r.choice(roles_here)
            )
            start = today - dt.timedelta(days=r.randrange(30, 1800))
            designated_at = timezone.make_aware(dt.datetime.combine(start, dt.time(10)))
            item = ContactDesignation(
                contact=contact,
                network=network,
                member_state_id=contact.organization.member_state_id,
                role=role,
                note_verbale_number=f"NV-{start.year}-{r.randrange(1, 999):03d}",
                note_verbale_date=start - dt.timedelta(days=r.randrange(1, 20)),
                valid_from=start,
                attributes=ATTRIBUTES[slug](r) if slug in ATTRIBUTES else {},
                designated_by=admin,
                designated_at=designated_at,
            )
            draw = r.random()
            if draw < 0.15:
                # Replaced or withdrawn: in force from its start until some time ago.
                end = min(
                    today - dt.timedelta(days=1), start + dt.timedelta(days=r.randrange(60, 900))
                )
                item.status = (
                    DesignationStatus.REPLACED if draw < 0.10 else DesignationStatus.WITHDRAWN
                )
                item.effective_from, item.valid_to = start, max(end, start)
                item.ended_at = timezone.make_aware(dt.datetime.combine(item.valid_to, dt.time(9)))
                item.ended_by = admin
                item.last_verified_at = designated_at
            elif draw < 0.18 and policy.requires_confirmation:
                item.status = DesignationStatus.PENDING
                item.valid_from = today - dt.timedelta(days=r.randrange(0, 20))
                item.designated_at = now - dt.timedelta(days=(today - item.valid_from).days)
            elif draw < 0.19:
                item.status = DesignationStatus.REJECTED
                item.ended_at, item.ended_by, item.end_reason = now, admin, "Not a state official"
            else:
                item.status = DesignationStatus.ACTIVE
                item.effective_from = start
                if policy.requires_confirmation:
                    item.confirmed_by, item.confirmed_at = admin, designated_at
                # Verified at some point in the last seven months: about one in seven is
                # overdue on a 180-day cycle.
                item.last_verified_at = now - dt.timedelta(
                    days=min(r.randrange(0, 210), (today - start).days)
                )
            designations.append(item)
    _bulk(ContactDesignation, designations, 5000)

    loaded = Loaded(
        member_pk=member.pk,
        secretariat_pk=admin.pk,
        organization_slug=f"{ORGANIZATION[0].lower()}-{ORGANIZATION[1]}",
        past_date=today - dt.timedelta(days=PAST_DAYS),
    )
    loaded.counts = {
        "contacts": Contact.objects.count(),
        "designations": ContactDesignation.objects.count(),
        "active designations": ContactDesignation.objects.filter(
            status=DesignationStatus.ACTIVE
        ).count(),
        "phones": ContactPhone.objects.count(),
        "emails": ContactEmail.objects.count(),
        "languages": ContactLanguage.objects.count(),
        "organisations": Organization.objects.count(),
        "member states": len({o.member_state_id for o in organizations}),
        "networks": len({d.network_id for d in designations}),
    }
    return loaded
