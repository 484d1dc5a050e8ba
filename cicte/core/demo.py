"""The demonstration data set: member states' institutions, partners, network memberships, one
account per role, and the networks' directory (contacts, designations and their history, a past
communication check), written through the services so that the demo exercises the same code
paths (permissions, validation, audit trail) as the real platform.

Used by ``manage.py seed_demo`` (which writes it) and ``manage.py demo_logins`` (which prints the
logins). Everything here is fictitious except the names of public institutions; the people and
the bank are invented.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP

from cicte.accounts import selectors, services
from cicte.accounts.choices import OrganizationKind as Kind
from cicte.accounts.choices import RoleScope
from cicte.accounts.models import (
    MemberState,
    Network,
    Organization,
    OrganizationMembership,
    Role,
    RoleAssignment,
    TOTPDevice,
    User,
)
from cicte.core import audit
from cicte.directory import checks as directory_checks
from cicte.directory import services as directory_services
from cicte.directory.choices import Availability, CheckStatus, ContactKind, DesignationStatus
from cicte.directory.models import CheckRecipient, CommunicationCheck, Contact, ContactDesignation
from cicte.env import env

PASSWORD_ENV = "CICTE_DEMO_PASSWORD"  # noqa: S105 - the name of a variable, not a password
EMAIL_DOMAIN = "demo.cicte.example"
SECRETARIAT_SLUG = "cicte-secretariat"


class DemoError(Exception):
    """The demo cannot be written or read (a bad password, a missing migration...)."""


@dataclass(frozen=True)
class OrgSpec:
    slug: str
    name: str
    acronym: str
    kind: str
    state: str | None
    website: str = ""
    description: str = ""
    # (network slug, role slug): the organisation's memberships of networks.
    networks: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class AccountSpec:
    username: str
    full_name: str
    organization: str  # slug
    role: str
    network: str | None = None  # for roles held in a network
    totp: bool = False
    language: str = "en"

    @property
    def email(self) -> str:
        return f"{self.username}@{EMAIL_DOMAIN}"


IANT = "inter-american-network-against-terrorism"
CSIRT = "csirtamericas"
UNSCR_1540 = "unscr-1540"
AVSEC = "aviation-security"
MAJOR_EVENTS = "major-events-tourism-security"
PVE = "prevention-violent-extremism"
CARGO = "cargo-container-security"
MARITIME = "maritime-port-security"
TFS = "targeted-financial-sanctions"

MEMBER, OBSERVER = "member", "observer"

ORGANIZATIONS: tuple[OrgSpec, ...] = (
    # Argentina
    OrgSpec("minseg-ar", "Ministerio de Seguridad Nacional", "MinSeg", Kind.MINISTRY, "AR",
            networks=((IANT, MEMBER),)),
    OrgSpec("cert-ar", "Equipo de Respuesta ante Emergencias Informáticas de Argentina",
            "CERT.ar", Kind.NATIONAL_CSIRT, "AR", networks=((CSIRT, MEMBER),)),
    OrgSpec("uif-ar", "Unidad de Información Financiera", "UIF", Kind.FIU, "AR",
            networks=((TFS, MEMBER),)),
    OrgSpec("dga-ar", "Dirección General de Aduanas", "DGA", Kind.CUSTOMS, "AR",
            networks=((CARGO, MEMBER),)),
    OrgSpec("anac-ar", "Administración Nacional de Aviación Civil", "ANAC", Kind.AVIATION, "AR",
            networks=((AVSEC, MEMBER),)),
    OrgSpec("pfa-ar", "Policía Federal Argentina", "PFA", Kind.POLICE, "AR",
            networks=((MAJOR_EVENTS, MEMBER),)),
    # Brazil
    OrgSpec("gsi-br", "Gabinete de Segurança Institucional da Presidência da República", "GSI",
            Kind.MINISTRY, "BR", networks=((IANT, MEMBER), (UNSCR_1540, MEMBER))),
    OrgSpec("ctir-gov-br",
            "Centro de Prevenção, Tratamento e Resposta a Incidentes Cibernéticos de Governo",
            "CTIR Gov", Kind.NATIONAL_CSIRT, "BR", networks=((CSIRT, MEMBER),)),
    OrgSpec("coaf-br", "Conselho de Controle de Atividades Financeiras", "COAF", Kind.FIU, "BR",
            networks=((TFS, MEMBER),)),
    OrgSpec("rfb-br", "Receita Federal do Brasil", "RFB", Kind.CUSTOMS, "BR",
            networks=((CARGO, MEMBER),)),
    OrgSpec("anac-br", "Agência Nacional de Aviação Civil", "ANAC", Kind.AVIATION, "BR",
            networks=((AVSEC, MEMBER),)),
    OrgSpec("pf-br", "Polícia Federal", "PF", Kind.POLICE, "BR",
            networks=((MAJOR_EVENTS, MEMBER),)),
    # Colombia
    OrgSpec("mintic-co", "Ministerio de Tecnologías de la Información y las Comunicaciones",
            "MinTIC", Kind.MINISTRY, "CO"),
    OrgSpec("cancilleria-co", "Ministerio de Relaciones Exteriores", "Cancillería",
            Kind.MINISTRY, "CO", networks=((IANT, MEMBER), (UNSCR_1540, MEMBER))),
    OrgSpec("colcert-co", "Grupo de Respuesta a Emergencias Cibernéticas de Colombia", "colCERT",
            Kind.NATIONAL_CSIRT, "CO", networks=((CSIRT, MEMBER),)),
    OrgSpec("uiaf-co", "Unidad de Información y Análisis Financiero", "UIAF", Kind.FIU, "CO",
            networks=((TFS, MEMBER),)),
    OrgSpec("dian-co", "Dirección de Impuestos y Aduanas Nacionales", "DIAN", Kind.CUSTOMS, "CO",
            networks=((CARGO, MEMBER),)),
    OrgSpec("ponal-co", "Policía Nacional de Colombia", "PONAL", Kind.POLICE, "CO",
            networks=((MAJOR_EVENTS, MEMBER),)),
    OrgSpec("aerocivil-co", "Unidad Administrativa Especial de Aeronáutica Civil", "Aerocivil",
            Kind.AVIATION, "CO", networks=((AVSEC, MEMBER),)),
    # Mexico
    OrgSpec("sre-mx", "Secretaría de Relaciones Exteriores", "SRE", Kind.MINISTRY, "MX",
            networks=((IANT, MEMBER), (UNSCR_1540, MEMBER))),
    OrgSpec("cert-mx", "Centro Nacional de Respuesta a Incidentes Cibernéticos", "CERT-MX",
            Kind.NATIONAL_CSIRT, "MX", networks=((CSIRT, MEMBER),)),
    OrgSpec("uif-mx", "Unidad de Inteligencia Financiera", "UIF", Kind.FIU, "MX",
            networks=((TFS, MEMBER),)),
    OrgSpec("anam-mx", "Agencia Nacional de Aduanas de México", "ANAM", Kind.CUSTOMS, "MX",
            networks=((CARGO, MEMBER),)),
    OrgSpec("afac-mx", "Agencia Federal de Aviación Civil", "AFAC", Kind.AVIATION, "MX",
            networks=((AVSEC, MEMBER),)),
    OrgSpec("puertos-mx", "Coordinación General de Puertos y Marina Mercante", "CGPMM",
            Kind.PORT, "MX", networks=((MARITIME, MEMBER),)),
    # Trinidad and Tobago
    OrgSpec("mns-tt", "Ministry of National Security", "MNS", Kind.MINISTRY, "TT",
            networks=((IANT, MEMBER),)),
    OrgSpec("ttcsirt-tt", "Trinidad and Tobago Cyber Security Incident Response Team",
            "TT-CSIRT", Kind.NATIONAL_CSIRT, "TT", networks=((CSIRT, MEMBER),)),
    OrgSpec("fiu-tt", "Financial Intelligence Unit of Trinidad and Tobago", "FIUTT", Kind.FIU,
            "TT", networks=((TFS, MEMBER),)),
    OrgSpec("customs-tt", "Customs and Excise Division", "C&E", Kind.CUSTOMS, "TT",
            networks=((CARGO, MEMBER),)),
    OrgSpec("ttps-tt", "Trinidad and Tobago Police Service", "TTPS", Kind.POLICE, "TT",
            networks=((MAJOR_EVENTS, MEMBER),)),
    OrgSpec("ttcaa-tt", "Trinidad and Tobago Civil Aviation Authority", "TTCAA", Kind.AVIATION,
            "TT", networks=((AVSEC, MEMBER),)),
    OrgSpec("port-tt", "Port Authority of Trinidad and Tobago", "PATT", Kind.PORT, "TT",
            networks=((MARITIME, MEMBER),)),
    # Partners
    OrgSpec("unodc", "United Nations Office on Drugs and Crime", "UNODC", Kind.INTERNATIONAL,
            None, networks=((IANT, OBSERVER), (PVE, OBSERVER))),
    OrgSpec("icao", "International Civil Aviation Organization", "ICAO", Kind.INTERNATIONAL,
            None, networks=((AVSEC, OBSERVER),)),
    OrgSpec("banco-demo-co", "Banco Demostración de las Américas", "BDA", Kind.PRIVATE, "CO",
            description="A fictitious bank that screens its customers against the sanctions "
            "lists (demo data).",
            networks=((TFS, OBSERVER),)),
)  # fmt: skip

ACCOUNTS: tuple[AccountSpec, ...] = (
    # The first account; it is the actor of every other write of the demo.
    AccountSpec("sec.admin", "Laura Méndez", SECRETARIAT_SLUG, "secretariat_admin", totp=True),
    AccountSpec("co.coordinator", "Andrés Restrepo", "mintic-co", "national_coordinator",
                network=CSIRT, totp=True, language="es"),
    # Mexico's coordinator in the Inter-American Network against Terrorism, whose designations
    # wait for the Secretariat's confirmation (the network requires it).
    AccountSpec("mx.coordinator", "Alejandra Vázquez", "sre-mx", "national_coordinator",
                network=IANT, totp=True, language="es"),
    AccountSpec("colcert.admin", "Camila Duarte", "colcert-co", "org_admin", language="es"),
    AccountSpec("colcert.analyst", "Santiago Rojas", "colcert-co", MEMBER, network=CSIRT,
                language="es"),
    AccountSpec("certmx.analyst", "Mariana Ortega", "cert-mx", MEMBER, network=CSIRT,
                language="es"),
    AccountSpec("uif.ar.analyst", "Martín Sosa", "uif-ar", MEMBER, network=TFS, language="es"),
    AccountSpec("fiutt.analyst", "Keisha Ramdial", "fiu-tt", MEMBER, network=TFS),
    AccountSpec("anac.br.officer", "Beatriz Almeida", "anac-br", MEMBER, network=AVSEC,
                language="pt"),
    AccountSpec("unodc.observer", "Jonathan Hale", "unodc", OBSERVER, network=PVE),
    AccountSpec("bank.compliance", "Valentina Gómez", "banco-demo-co", OBSERVER, network=TFS,
                language="es"),
    # Colombia's FIU: one official proposes domestic sanctions designations, a second approves
    # them (four eyes); see cicte/designations/demo.py.
    AccountSpec("uiaf.officer", "Daniela Cárdenas", "uiaf-co", "designation_officer",
                network=TFS, totp=True, language="es"),
    AccountSpec("uiaf.approver", "Felipe Ospina", "uiaf-co", "designation_approver",
                network=TFS, totp=True, language="es"),
)  # fmt: skip

ORGANIZATION_FIELDS = ("name", "acronym", "kind", "member_state", "website", "description")


# --- The directory -------------------------------------------------------------------------
# Contacts of every demo state's institutions and their designations to the networks, written
# through the directory services by the demo's actors: the Secretariat, and the national
# coordinators of Colombia (CSIRTAmericas) and Mexico (Inter-American Network against
# Terrorism). Phones are valid numbers of each state's plan (the services check them with
# phonenumbers); addresses are at example.org (institutional) and example.net (personal).

OFFICE, MOBILE, HOTLINE = "office", "mobile", "24_7"
INSTITUTIONAL, FUNCTIONAL, PERSONAL = "institutional", "functional", "personal"
TIME_ZONES = {
    "AR": "America/Argentina/Buenos_Aires",
    "BR": "America/Sao_Paulo",
    "CO": "America/Bogota",
    "MX": "America/Mexico_City",
    "TT": "America/Port_of_Spain",
}


@dataclass(frozen=True)
class ContactSpec:
    """A directory contact of a demo institution. ``always``: available 24/7 (a duty desk, or a
    person on call); ``account``: the demo account that keeps the contact's details."""

    key: str
    organization: str  # slug
    name: str
    title: str
    languages: tuple[str, ...]
    phones: tuple[tuple[str, str], ...]  # (kind, number)
    emails: tuple[tuple[str, str], ...]  # (kind, address)
    functional: bool = False
    always: bool = False
    channels: tuple[tuple[str, str], ...] = ()  # (kind, address)
    account: str | None = None


@dataclass(frozen=True)
class DesignationSpec:
    """A member state's designation of a contact to a network. ``since``: how many days ago it
    took effect (or was made, while it awaits confirmation); ``verified``: how many days ago the
    details were last confirmed; ``by``: the demo account that designates (the Secretariat by
    default); ``confirm``: the Secretariat confirms it where the network requires it;
    ``replaces``: the note verbale of the designation it replaces."""

    contact: str  # ContactSpec.key
    network: str
    role: str
    note_verbale: str
    since: int
    verified: int = 30
    by: str = "sec.admin"
    confirm: bool = True
    replaces: str | None = None
    attributes: tuple[tuple[str, Any], ...] = ()


def _person(
    key: str,
    org: str,
    name: str,
    title: str,
    languages: tuple[str, ...],
    office: str,
    email: str,
    *,
    mobile: str | None = None,
    personal: str | None = None,
    on_call: str | None = None,
    account: str | None = None,
) -> ContactSpec:
    phones = [(OFFICE, office)] + ([(MOBILE, mobile)] if mobile else [])
    phones += [(HOTLINE, on_call)] if on_call else []
    emails = [(INSTITUTIONAL, email)] + ([(PERSONAL, personal)] if personal else [])
    return ContactSpec(
        key,
        org,
        name,
        title,
        languages,
        tuple(phones),
        tuple(emails),
        always=bool(on_call),
        account=account,
    )


def _desk(
    key: str,
    org: str,
    name: str,
    languages: tuple[str, ...],
    line: str,
    office: str,
    email: str,
    channel: tuple[str, str] | None = None,
) -> ContactSpec:
    """A functional 24/7 contact: a duty desk or watch office with its 24/7 line."""
    return ContactSpec(
        key,
        org,
        name,
        name,
        languages,
        ((HOTLINE, line), (OFFICE, office)),
        ((FUNCTIONAL, email),),
        functional=True,
        always=True,
        channels=(channel,) if channel else (),
    )


ES, PT, EN = ("es", "en"), ("pt", "es", "en"), ("en", "es")
CONTACTS: tuple[ContactSpec, ...] = (
    # Argentina
    _person("ar-iant-poc", "minseg-ar", "Mariela Fernández",
            "Directora Nacional de Cooperación Internacional en Seguridad", ES,
            "+54 11 4342-6000", "mfernandez@minseg-ar.example.org", mobile="+54 9 11 5432-1876",
            personal="mariela.fernandez@example.net"),
    _person("ar-iant-alt", "minseg-ar", "Gustavo Peralta",
            "Coordinador de Asuntos Internacionales", ES, "+54 11 4346-8900",
            "gperalta@minseg-ar.example.org"),
    _desk("ar-iant-desk", "minseg-ar", "Centro de Operaciones 24/7 del Ministerio de Seguridad",
          ES, "+54 11 4370-5500", "+54 11 4342-6001", "guardia24@minseg-ar.example.org"),
    _person("ar-pve", "minseg-ar", "Lucía Benítez",
            "Especialista en Prevención de la Radicalización", ES, "+54 11 4342-6010",
            "lbenitez@minseg-ar.example.org"),
    _person("ar-csirt-poc", "cert-ar", "Pablo Giménez", "Jefe de Respuesta a Incidentes", ES,
            "+54 11 5550-4800", "pgimenez@cert-ar.example.org", mobile="+54 9 11 6123-4590"),
    _desk("ar-csirt-desk", "cert-ar", "Guardia 24/7 de CERT.ar", ES, "+54 11 5550-4899",
          "+54 11 5550-4801", "incidentes@cert-ar.example.org",
          ("secure_email", "pgp-incidentes@cert-ar.example.org")),
    _person("ar-tfs", "uif-ar", "Carolina Ibarra", "Directora de Supervisión", ES,
            "+54 11 4340-3100", "cibarra@uif-ar.example.org"),
    _person("ar-cargo", "dga-ar", "Roberto Quiroga",
            "Instructor de Seguridad de Contenedores", ES, "+54 11 4338-6400",
            "rquiroga@dga-ar.example.org"),
    _person("ar-avsec", "anac-ar", "Silvina Castro", "Jefa de Seguridad de la Aviación", ES,
            "+54 11 5941-3000", "scastro@anac-ar.example.org", mobile="+54 9 11 5876-2231"),
    _person("ar-events", "pfa-ar", "Diego Ledesma",
            "Comisario, Superintendencia de Seguridad Metropolitana", ES, "+54 11 4370-5800",
            "dledesma@pfa-ar.example.org"),
    # Brazil
    _person("br-iant-poc", "gsi-br", "Fernanda Lima",
            "Coordenadora-Geral de Prevenção ao Terrorismo", PT, "+55 61 3411-1234",
            "fernanda.lima@gsi-br.example.org", mobile="+55 61 99876-5432"),
    _person("br-1540", "gsi-br", "Ricardo Moura", "Assessor para Não Proliferação", PT,
            "+55 61 3411-1250", "ricardo.moura@gsi-br.example.org"),
    _desk("br-iant-desk", "gsi-br", "Centro de Monitoramento 24/7 do GSI", PT, "+55 61 3411-1999",
          "+55 61 3411-1200", "monitoramento@gsi-br.example.org"),
    _person("br-csirt-poc", "ctir-gov-br", "Thiago Nascimento",
            "Coordenador de Resposta a Incidentes", PT, "+55 61 2025-3000",
            "thiago.nascimento@ctir-gov-br.example.org", mobile="+55 61 98123-4567"),
    _desk("br-csirt-desk", "ctir-gov-br", "Plantão 24/7 do CTIR Gov", PT, "+55 61 2025-3999",
          "+55 61 2025-3001", "plantao@ctir-gov-br.example.org"),
    _person("br-tfs", "coaf-br", "Juliana Prado", "Diretora de Inteligência Financeira", PT,
            "+55 61 2025-4100", "juliana.prado@coaf-br.example.org"),
    _person("br-cargo", "rfb-br", "Marcelo Tavares",
            "Auditor-Fiscal, instrutor de segurança de carga", PT, "+55 61 3412-2000",
            "marcelo.tavares@rfb-br.example.org"),
    _person("br-avsec", "anac-br", "Beatriz Almeida",
            "Especialista em Segurança da Aviação Civil", PT, "+55 61 3314-4500",
            "beatriz.almeida@anac-br.example.org", account="anac.br.officer"),
    _person("br-events", "pf-br", "Eduardo Ramos", "Delegado, Coordenação de Grandes Eventos", PT,
            "+55 61 2024-8000", "eduardo.ramos@pf-br.example.org"),
    # Colombia
    _person("co-csirt-alt", "mintic-co", "Natalia Vargas", "Asesora de Seguridad Digital", ES,
            "+57 601 3443460", "nvargas@mintic-co.example.org"),
    _person("co-iant-poc", "cancilleria-co", "Juan Camilo Ospina",
            "Director de Asuntos Políticos Multilaterales", ES, "+57 601 3814000",
            "juan.ospina@cancilleria-co.example.org", mobile="+57 310 555 0101"),
    _person("co-1540", "cancilleria-co", "Paula Andrea Mejía",
            "Coordinadora de Desarme y No Proliferación", ES, "+57 601 3814110",
            "paula.mejia@cancilleria-co.example.org"),
    _person("co-csirt-old", "colcert-co", "Jorge Iván Cárdenas", "Coordinador de colCERT", ES,
            "+57 601 3445000", "jcardenas@colcert-co.example.org"),
    _person("co-csirt-poc", "colcert-co", "Camila Duarte", "Coordinadora de colCERT", ES,
            "+57 601 3445010", "cduarte@colcert-co.example.org", mobile="+57 315 678 9012",
            account="colcert.admin"),
    _person("co-csirt-tech", "colcert-co", "Santiago Rojas", "Analista de Incidentes", ES,
            "+57 601 3445020", "srojas@colcert-co.example.org", account="colcert.analyst"),
    _desk("co-csirt-desk", "colcert-co", "Centro de Coordinación 24/7 de colCERT", ES,
          "+57 601 3445099", "+57 601 3445001", "contacto@colcert-co.example.org",
          ("signal", "+57 315 600 2400")),
    _person("co-tfs", "uiaf-co", "Mauricio Salcedo", "Subdirector de Análisis Estratégico", ES,
            "+57 601 2886200", "msalcedo@uiaf-co.example.org"),
    _person("co-cargo", "dian-co", "Diana Carolina Rincón",
            "Instructora, Seguridad de la Cadena Logística", ES, "+57 601 7428973",
            "drincon@dian-co.example.org"),
    _person("co-events", "ponal-co", "Alejandro Marín",
            "Coronel, Dirección de Protección y Servicios Especiales", ES, "+57 601 5159000",
            "alejandro.marin@ponal-co.example.org", on_call="+57 601 5159111"),
    _person("co-pve", "ponal-co", "Sandra Milena Torres",
            "Analista de Prevención del Extremismo Violento", ES, "+57 601 5159030",
            "sandra.torres@ponal-co.example.org"),
    _person("co-avsec", "aerocivil-co", "Héctor Zuluaga",
            "Jefe del Grupo de Seguridad de la Aviación Civil", ES, "+57 601 2962000",
            "hzuluaga@aerocivil-co.example.org"),
    _desk("co-avsec-desk", "aerocivil-co", "Centro de Gestión Aeronáutica 24/7", ES,
          "+57 601 2962999", "+57 601 2962001", "cga@aerocivil-co.example.org"),
    # Mexico
    _person("mx-iant-poc", "sre-mx", "Rodrigo Sandoval",
            "Director General Adjunto de Asuntos de Seguridad", ES, "+52 55 3686 5100",
            "rsandoval@sre-mx.example.org", mobile="+52 55 1234 5678"),
    _person("mx-iant-alt", "sre-mx", "Mónica Herrera", "Subdirectora de Terrorismo", ES,
            "+52 55 3686 5110", "mherrera@sre-mx.example.org"),
    _person("mx-iant-ops", "sre-mx", "Carlos Mendoza", "Oficial de Guardia, Centro de Mando",
            ES, "+52 55 3686 5120", "cmendoza@sre-mx.example.org", on_call="+52 55 3686 5199"),
    _person("mx-1540", "sre-mx", "Elena Guzmán", "Directora de Desarme y No Proliferación", ES,
            "+52 55 3686 5130", "eguzman@sre-mx.example.org"),
    _person("mx-csirt-poc", "cert-mx", "Luis Fernando Aguilar", "Coordinador del CERT-MX", ES,
            "+52 55 5062 3000", "laguilar@cert-mx.example.org"),
    _person("mx-csirt-tech", "cert-mx", "Mariana Ortega", "Analista de Ciberseguridad", ES,
            "+52 55 5062 3010", "mortega@cert-mx.example.org", account="certmx.analyst"),
    _desk("mx-csirt-desk", "cert-mx", "Centro de Respuesta 24/7 del CERT-MX", ES,
          "+52 55 5062 3099", "+52 55 5062 3001", "incidentes@cert-mx.example.org"),
    _person("mx-tfs", "uif-mx", "Verónica Salinas", "Directora General de Asuntos Internacionales",
            ES, "+52 55 3688 1700", "vsalinas@uif-mx.example.org"),
    _person("mx-cargo", "anam-mx", "Jesús Ochoa", "Instructor de Seguridad de Contenedores", ES,
            "+52 55 5130 0400", "jochoa@anam-mx.example.org"),
    _person("mx-avsec", "afac-mx", "Gabriela Nava", "Directora de Seguridad de la Aviación", ES,
            "+52 55 5723 9300", "gnava@afac-mx.example.org"),
    _person("mx-port", "puertos-mx", "Arturo Reyes", "Capitán de Puerto, Protección Portuaria",
            ES, "+52 55 5723 9400", "areyes@puertos-mx.example.org"),
    # Trinidad and Tobago
    _person("tt-iant-poc", "mns-tt", "Sharon Baptiste-Charles",
            "Director, Counter-Terrorism Coordination", EN, "+1 868 623 2441",
            "sbaptiste-charles@mns-tt.example.org", mobile="+1 868 678 4521"),
    _person("tt-iant-alt", "mns-tt", "Darryl Mohammed", "Senior Security Policy Analyst", EN,
            "+1 868 623 2450", "dmohammed@mns-tt.example.org"),
    _desk("tt-iant-desk", "mns-tt", "National Operations Centre (24/7)", EN, "+1 868 627 7777",
          "+1 868 623 2400", "noc@mns-tt.example.org"),
    _person("tt-pve", "mns-tt", "Nicole Ramsaran", "Counter-Extremism Policy Analyst", EN,
            "+1 868 623 2460", "nramsaran@mns-tt.example.org"),
    _person("tt-csirt-poc", "ttcsirt-tt", "Kerry-Ann Joseph", "Head, TT-CSIRT", EN,
            "+1 868 625 2200", "kjoseph@ttcsirt-tt.example.org", mobile="+1 868 499 2211"),
    _desk("tt-csirt-desk", "ttcsirt-tt", "TT-CSIRT 24/7 Watch", EN, "+1 868 625 2299",
          "+1 868 625 2201", "watch@ttcsirt-tt.example.org"),
    _person("tt-tfs", "fiu-tt", "Anthony Lewis", "Director, Financial Intelligence Unit", EN,
            "+1 868 625 8351", "alewis@fiu-tt.example.org"),
    _person("tt-cargo", "customs-tt", "Richard Ali", "Customs Officer II, Container Control Unit",
            EN, "+1 868 625 3311", "rali@customs-tt.example.org"),
    _person("tt-events", "ttps-tt", "Simone Alexander",
            "Assistant Superintendent, Special Events Unit", EN, "+1 868 625 1261",
            "salexander@ttps-tt.example.org"),
    _person("tt-avsec", "ttcaa-tt", "Marcus Greene", "Aviation Security Inspector", EN,
            "+1 868 668 8222", "mgreene@ttcaa-tt.example.org"),
    _person("tt-port", "port-tt", "Trevor Sealy", "Port Facility Security Officer", EN,
            "+1 868 623 2901", "tsealy@port-tt.example.org"),
)  # fmt: skip

CERTIFICATIONS = ("WCO SAFE Framework of Standards", "UNODC-WCO Container Control Programme")
DESIGNATIONS: tuple[DesignationSpec, ...] = (
    # Inter-American Network against Terrorism: national point of contact, alternate, 24/7.
    DesignationSpec("ar-iant-poc", IANT, "national_poc", "NV-AR-2023-0412", since=540, verified=60),
    DesignationSpec("ar-iant-alt", IANT, "alternate", "NV-AR-2023-0413", since=540, verified=60),
    DesignationSpec("ar-iant-desk", IANT, "operational", "NV-AR-2024-0098", since=400, verified=25),
    DesignationSpec("br-iant-poc", IANT, "national_poc", "NV-BR-2024-0031", since=300, verified=40),
    DesignationSpec("br-iant-desk", IANT, "operational", "NV-BR-2024-0032", since=300, verified=40),
    DesignationSpec("co-iant-poc", IANT, "national_poc", "NV-CO-2024-1120", since=260, verified=90),
    DesignationSpec("tt-iant-poc", IANT, "national_poc", "NV-TT-2023-0077", since=610, verified=15),
    DesignationSpec("tt-iant-alt", IANT, "alternate", "NV-TT-2023-0078", since=610, verified=15),
    DesignationSpec("tt-iant-desk", IANT, "operational", "NV-TT-2024-0012", since=420, verified=15),
    # Mexico's coordinator designates; the Secretariat confirms the first two, and the third
    # still awaits its confirmation.
    DesignationSpec("mx-iant-poc", IANT, "national_poc", "SRE-DGAS-0215", since=200,
                    verified=20, by="mx.coordinator"),
    DesignationSpec("mx-iant-ops", IANT, "operational", "SRE-DGAS-0216", since=200,
                    verified=20, by="mx.coordinator"),
    DesignationSpec("mx-iant-alt", IANT, "alternate", "SRE-DGAS-0388", since=3,
                    by="mx.coordinator", confirm=False),
    # UNSCR 1540 points of contact.
    DesignationSpec("br-1540", UNSCR_1540, "national_poc", "NV-BR-2023-0190", since=700, verified=100),
    DesignationSpec("co-1540", UNSCR_1540, "national_poc", "NV-CO-2024-0655", since=330, verified=45),
    DesignationSpec("mx-1540", UNSCR_1540, "national_poc", "NV-MX-2024-0140", since=380, verified=70),
    # CSIRTAmericas: points of contact with their constituency, 24/7 desks, technical contacts.
    # Colombia's coordinator replaced colCERT's point of contact four months ago.
    DesignationSpec("co-csirt-old", CSIRT, "national_poc", "NV-CO-2022-0931", since=900,
                    by="co.coordinator",
                    attributes=(("constituency", "Gobierno nacional e infraestructura crítica"),
                                ("first_member", True))),
    DesignationSpec("co-csirt-poc", CSIRT, "national_poc", "NV-CO-2025-0214", since=120,
                    verified=45, by="co.coordinator", replaces="NV-CO-2022-0931",
                    attributes=(("constituency", "Gobierno nacional e infraestructura crítica"),
                                ("first_member", True))),
    DesignationSpec("co-csirt-alt", CSIRT, "alternate", "NV-CO-2025-0215", since=120,
                    verified=45, by="co.coordinator"),
    DesignationSpec("co-csirt-desk", CSIRT, "operational", "NV-CO-2023-0602", since=650,
                    verified=45, by="co.coordinator"),
    DesignationSpec("co-csirt-tech", CSIRT, "technical", "NV-CO-2025-0216", since=120,
                    verified=45, by="co.coordinator"),
    DesignationSpec("ar-csirt-poc", CSIRT, "national_poc", "NV-AR-2022-1107", since=800,
                    verified=45, attributes=(("constituency", "Sector público nacional"),
                                             ("first_member", True))),
    DesignationSpec("ar-csirt-desk", CSIRT, "operational", "NV-AR-2022-1108", since=800, verified=45),
    DesignationSpec("br-csirt-poc", CSIRT, "national_poc", "NV-BR-2023-0450", since=620,
                    verified=45, attributes=(("constituency", "Administração Pública Federal"),
                                             ("first_member", True))),
    DesignationSpec("br-csirt-desk", CSIRT, "operational", "NV-BR-2023-0451", since=620, verified=45),
    DesignationSpec("mx-csirt-poc", CSIRT, "national_poc", "NV-MX-2023-0822", since=560,
                    verified=45, attributes=(("constituency", "Administración Pública Federal"),
                                             ("first_member", False))),
    DesignationSpec("mx-csirt-desk", CSIRT, "operational", "NV-MX-2023-0823", since=560, verified=45),
    DesignationSpec("mx-csirt-tech", CSIRT, "technical", "NV-MX-2024-0301", since=240, verified=45),
    DesignationSpec("tt-csirt-poc", CSIRT, "national_poc", "NV-TT-2023-0210", since=590,
                    verified=45, attributes=(("constituency", "National"), ("first_member", True))),
    DesignationSpec("tt-csirt-desk", CSIRT, "operational", "NV-TT-2023-0211", since=590, verified=45),
    # Targeted financial sanctions: the financial intelligence units.
    DesignationSpec("ar-tfs", TFS, "national_poc", "NV-AR-2024-0333", since=350, verified=80),
    DesignationSpec("br-tfs", TFS, "national_poc", "NV-BR-2024-0120", since=410, verified=35),
    DesignationSpec("co-tfs", TFS, "national_poc", "NV-CO-2024-0808", since=280, verified=110),
    DesignationSpec("mx-tfs", TFS, "national_poc", "NV-MX-2024-0501", since=300, verified=65),
    DesignationSpec("tt-tfs", TFS, "national_poc", "NV-TT-2024-0099", since=330, verified=20),
    # Prevention of violent extremism experts.
    DesignationSpec("ar-pve", PVE, "expert", "NV-AR-2024-0610", since=230, verified=50,
                    attributes=(("expertise_areas", ["Online radicalisation", "Community resilience"]),)),
    DesignationSpec("co-pve", PVE, "expert", "NV-CO-2024-0977", since=210, verified=50,
                    attributes=(("expertise_areas", ["Reintegration of former combatants", "Youth prevention"]),)),
    DesignationSpec("tt-pve", PVE, "expert", "NV-TT-2024-0140", since=190, verified=50,
                    attributes=(("expertise_areas", ["Returning foreign terrorist fighters", "Strategic communication"]),)),
    # Cargo and container security instructors.
    DesignationSpec("ar-cargo", CARGO, "instructor", "NV-AR-2024-0702", since=260, verified=70,
                    attributes=(("certifications", list(CERTIFICATIONS)), ("certified_until", "2027-06-30"))),
    DesignationSpec("br-cargo", CARGO, "instructor", "NV-BR-2024-0233", since=240, verified=70,
                    attributes=(("certifications", [CERTIFICATIONS[0]]), ("certified_until", "2026-12-31"))),
    DesignationSpec("co-cargo", CARGO, "instructor", "NV-CO-2024-1002", since=220, verified=70,
                    attributes=(("certifications", list(CERTIFICATIONS)), ("certified_until", "2027-03-31"))),
    DesignationSpec("mx-cargo", CARGO, "instructor", "NV-MX-2024-0617", since=250, verified=70,
                    attributes=(("certifications", [CERTIFICATIONS[1]]), ("certified_until", "2026-09-30"))),
    DesignationSpec("tt-cargo", CARGO, "instructor", "NV-TT-2024-0188", since=270, verified=70,
                    attributes=(("certifications", list(CERTIFICATIONS)), ("certified_until", "2027-01-31"))),
    # Aviation security focal points; Trinidad and Tobago's has not been verified for longer
    # than the network's cycle (180 days): the demo's stale designation.
    DesignationSpec("ar-avsec", AVSEC, "focal_point", "NV-AR-2023-0950", since=450, verified=70),
    DesignationSpec("br-avsec", AVSEC, "focal_point", "NV-BR-2024-0077", since=330, verified=10),
    DesignationSpec("co-avsec", AVSEC, "focal_point", "NV-CO-2024-0340", since=310, verified=95),
    DesignationSpec("co-avsec-desk", AVSEC, "operational", "NV-CO-2024-0341", since=310, verified=95),
    DesignationSpec("mx-avsec", AVSEC, "focal_point", "NV-MX-2024-0215", since=290, verified=30),
    DesignationSpec("tt-avsec", AVSEC, "focal_point", "NV-TT-2023-0301", since=480, verified=205),
    # Major events and tourism security; maritime and port security.
    DesignationSpec("ar-events", MAJOR_EVENTS, "focal_point", "NV-AR-2024-0820", since=200, verified=40),
    DesignationSpec("br-events", MAJOR_EVENTS, "focal_point", "NV-BR-2024-0301", since=190, verified=40),
    DesignationSpec("co-events", MAJOR_EVENTS, "operational", "NV-CO-2024-1205", since=180, verified=40),
    DesignationSpec("tt-events", MAJOR_EVENTS, "focal_point", "NV-TT-2024-0230", since=170, verified=40),
    DesignationSpec("mx-port", MARITIME, "focal_point", "NV-MX-2024-0720", since=160, verified=60),
    DesignationSpec("tt-port", MARITIME, "focal_point", "NV-TT-2024-0260", since=150, verified=60),
)  # fmt: skip

# The past communication check of CSIRTAmericas: launched 40 days ago, answered by all but one
# contact, within these times (minutes after the email, by contact).
CHECK_MESSAGE = (
    "Quarterly communication check of the CSIRTAmericas points of contact: please confirm that "
    "this channel reaches you."
)
CHECK_DAYS_AGO = 40
CHECK_ANSWERS = {
    "ar-csirt-poc": 12, "ar-csirt-desk": 3, "br-csirt-poc": 95, "br-csirt-desk": 7,
    "co-csirt-poc": 26, "co-csirt-alt": 240, "co-csirt-desk": 5, "co-csirt-tech": 48,
    "mx-csirt-poc": 180, "mx-csirt-desk": 9, "mx-csirt-tech": 33, "tt-csirt-desk": 14,
}  # fmt: skip
# Trinidad and Tobago's point of contact (tt-csirt-poc) never answered.


# --- The demo password ---------------------------------------------------------------------


def demo_password(*, create: bool = True) -> str:
    """The password of every demo account: CICTE_DEMO_PASSWORD (or CICTE_DEMO_PASSWORD_FILE) when
    set, otherwise one generated once and kept in settings.DEMO_PASSWORD_FILE (mode 0600)."""
    configured = env(PASSWORD_ENV)
    if configured:
        return configured
    path = Path(settings.DEMO_PASSWORD_FILE)
    if path.exists():
        stored = path.read_text(encoding="utf-8").strip()
        if stored:
            return stored
    if not create:
        raise DemoError(
            f"No demo password yet: run `manage.py seed_demo` first or set {PASSWORD_ENV}."
        )
    password = secrets.token_urlsafe(18)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created with owner-only permissions from the start, never readable by others.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(password + "\n")
    path.chmod(0o600)
    return password


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DemoError(
            "The demo password is not accepted by the password rules: "
            + " ".join(exc.messages)
            + f" Set {PASSWORD_ENV} to another one, or unset it to generate one."
        ) from exc


# --- TOTP ------------------------------------------------------------------------------------


def totp_code(device: TOTPDevice, *, at: float | None = None) -> str:
    """The authenticator code of ``device`` at ``at`` (now by default)."""
    totp = TOTP(device.bin_key, TOTPDevice.STEP, 0, TOTPDevice.DIGITS, 0)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{TOTPDevice.DIGITS}d}"


def seconds_left(at: float | None = None) -> int:
    """How long the current code stays valid."""
    now = time.time() if at is None else at
    return TOTPDevice.STEP - int(now) % TOTPDevice.STEP


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


# --- Writing the demo ----------------------------------------------------------------------


@dataclass
class SeedReport:
    created: list[str]
    updated: list[str]

    def note(self, what: str, created: bool) -> None:
        (self.created if created else self.updated).append(what)


def _bootstrap_admin(spec: AccountSpec, password: str, report: SeedReport) -> User:
    """The first Secretariat administrator. There is no actor yet who could create it through
    the services (which need an actor with the right to manage accounts), so it is made the way
    ``createsuperuser`` makes one (UserManager.create_superuser, which grants the role) and the
    creation is recorded in the audit trail under the command's name."""
    user = User.objects.filter(username__iexact=spec.username).first()
    if user is not None:
        if not RoleAssignment.objects.filter(user=user, role__slug=spec.role).exists():
            # Someone revoked it in the demo; nobody else may be left to grant it back.
            assignment = RoleAssignment.objects.create(
                user=user, role=Role.objects.get(slug=spec.role)
            )
            audit.record(
                actor=None,
                actor_label="seed_demo",
                action="accounts.role.assign",
                obj=assignment,
                changes={"role": spec.role, "network": None, "organization": None},
            )
            report.note(f"role of {user.username}", created=False)
        return user
    probe = User(username=spec.username, email=spec.email, full_name=spec.full_name)
    _check_password(password, probe)
    user = User.objects.create_superuser(
        spec.username,
        spec.email,
        password,
        full_name=spec.full_name,
        preferred_language=spec.language,
    )
    audit.record(
        actor=None,
        actor_label="seed_demo",
        action="accounts.user.create",
        obj=user,
        changes={"username": [None, user.username], "role": [None, spec.role]},
    )
    report.note(f"account {user.username}", created=True)
    return user


def _organization(
    actor: User, spec: OrgSpec, states: dict[str, MemberState], report: SeedReport
) -> Organization:
    wanted: dict[str, Any] = {
        "name": spec.name,
        "acronym": spec.acronym,
        "kind": spec.kind,
        "member_state": states[spec.state] if spec.state else None,
        "website": spec.website,
        "description": spec.description,
    }
    organization = Organization.objects.filter(slug=spec.slug).first()
    if organization is None:
        organization = services.create_organization(actor=actor, slug=spec.slug, **wanted)
        report.note(f"organisation {spec.slug}", created=True)
        return organization
    changes = {f: v for f, v in wanted.items() if getattr(organization, f) != v}
    if changes:
        services.update_organization(actor=actor, organization=organization, **changes)
        report.note(f"organisation {spec.slug}", created=False)
    return organization


def _membership(
    actor: User, organization: Organization, network: Network, role: Role, report: SeedReport
) -> None:
    existing = OrganizationMembership.objects.filter(
        organization=organization, network=network
    ).first()
    if existing is not None and existing.role_id == role.pk:
        return
    services.add_organization_to_network(
        actor=actor, organization=organization, network=network, role=role
    )
    report.note(f"membership {organization.slug} in {network.slug}", created=existing is None)


def _account(
    actor: User,
    spec: AccountSpec,
    organization: Organization,
    password: str,
    report: SeedReport,
) -> User:
    user = User.objects.filter(username__iexact=spec.username).first()
    if user is None:
        probe = User(username=spec.username, email=spec.email, full_name=spec.full_name)
        _check_password(password, probe)
        user = services.create_user(
            actor=actor,
            username=spec.username,
            email=spec.email,
            organization=organization,
            full_name=spec.full_name,
            preferred_language=spec.language,
            password=password,
            send_invitation=False,
        )
        report.note(f"account {spec.username}", created=True)
        return user
    wanted = {
        "email": spec.email,
        "full_name": spec.full_name,
        "organization": organization,
        "preferred_language": spec.language,
        "is_active": True,
    }
    changes = {f: v for f, v in wanted.items() if getattr(user, f) != v}
    if changes:
        services.update_user(actor=actor, user=user, **changes)
        report.note(f"account {spec.username}", created=False)
    return user


def _password(user: User, password: str, report: SeedReport) -> None:
    """Re-runs set the current demo password (a changed CICTE_DEMO_PASSWORD), and only then."""
    if user.check_password(password):
        return
    _check_password(password, user)
    services.change_password(actor=user, user=user, new_password=password)
    report.note(f"password of {user.username}", created=False)


def _verified(user: User, report: SeedReport) -> None:
    """Demo accounts sign in with a password, as accounts in use do, and count as having
    proven their address (so the work plan links them to their certificates); a re-run
    verifies again an address someone changed in the demo."""
    if user.email_verified_at is not None:
        return
    services.verify_email(actor=user, user=user)
    if f"account {user.username}" not in report.created:  # a new account is news enough
        report.note(f"email address of {user.username}", created=False)


def _role(actor: User, user: User, spec: AccountSpec, roles: dict[str, Role]) -> None:
    role = roles[spec.role]
    network = Network.objects.get(slug=spec.network) if spec.network else None
    organization = user.organization if role.scope == RoleScope.ORGANIZATION else None
    held = RoleAssignment.objects.filter(
        user=user, role=role, network=network, organization=organization
    ).exists()
    if not held:
        services.assign_role(
            actor=actor, user=user, role=role, network=network, organization=organization
        )


def _totp(user: User, report: SeedReport) -> TOTPDevice:
    """Enrol an authenticator once and keep it: re-runs reuse the device, so its secret (stored
    encrypted) stays the one people have put in their apps."""
    device = confirmed_device(user)
    if device is not None:
        return device
    device = services.start_totp_setup(actor=user)
    # Confirm with the previous step's code (accepted within the one-step tolerance), so that
    # the current code, which `demo_logins` prints, has not been spent yet.
    previous = totp_code(device, at=time.time() - TOTPDevice.STEP)
    services.confirm_totp(actor=user, device=device, token=previous)
    report.note(f"authenticator of {user.username}", created=True)
    return device


# --- Writing the directory -----------------------------------------------------------------
# Contacts are found again by organisation and name, designations by contact, network and note
# verbale, the check by its network and message: a second run finds everything and writes
# nothing, and leaves what people changed in the demo's directory as they left it.

ADMIN = "sec.admin"
DIRECTORY_ACTORS = (ADMIN, "co.coordinator", "mx.coordinator")


def _directory_contact(
    spec: ContactSpec,
    organizations: dict[str, Organization],
    actors: dict[str, User],
    report: SeedReport,
) -> Contact:
    organization = organizations[spec.organization]
    existing = Contact.objects.filter(organization=organization, name=spec.name).first()
    if existing is not None:
        return existing
    assert organization.member_state is not None
    # The state's national coordinator records its institutions' contacts where the demo has
    # one; the Secretariat records the others.
    actor = next(
        (
            user
            for username, user in actors.items()
            if username != ADMIN and directory_services.may_manage_contacts_of(user, organization)
        ),
        actors[ADMIN],
    )
    contact = directory_services.create_contact(
        actor=actor,
        organization=organization,
        name=spec.name,
        kind=ContactKind.FUNCTIONAL if spec.functional else ContactKind.PERSON,
        title=spec.title,
        time_zone=TIME_ZONES[organization.member_state.code],
        availability=Availability.ALWAYS if spec.always else Availability.OFFICE_HOURS,
        office_hours_start=None if spec.always else dt.time(9, 0),
        office_hours_end=None if spec.always else dt.time(17, 30),
        office_days=[] if spec.always else [1, 2, 3, 4, 5],
        languages=list(spec.languages),
        phones=[{"kind": kind, "number": number} for kind, number in spec.phones],
        emails=[{"kind": kind, "address": address} for kind, address in spec.emails],
        secure_channels=[{"kind": kind, "address": address} for kind, address in spec.channels],
        user=User.objects.get(username=spec.account) if spec.account else None,
    )
    report.note(f"directory contact {spec.key}", created=True)
    return contact


def _set_in_the_past(designation: ContactDesignation, spec: DesignationSpec) -> None:
    """The services act today; the demo's designations took effect, were confirmed and last
    verified in the past, and its replaced designation ended when its successor began."""
    now = timezone.now()
    start = designation.valid_from
    at = timezone.make_aware(dt.datetime.combine(start, dt.time(15, 0)))
    fields: dict[str, Any]
    if designation.status == DesignationStatus.PENDING:
        fields = {"designated_at": now - dt.timedelta(days=spec.since)}
    else:
        fields = {
            "designated_at": at - dt.timedelta(days=6),
            "effective_from": start,
            "last_verified_at": now - dt.timedelta(days=min(spec.verified, spec.since)),
        }
        if designation.confirmed_at is not None:
            fields["confirmed_at"] = at
    ContactDesignation.objects.filter(pk=designation.pk).update(**fields)
    if designation.replaces_id is not None:
        ContactDesignation.objects.filter(pk=designation.replaces_id).update(
            valid_to=start, ended_at=at
        )


def _directory_designation(
    spec: DesignationSpec,
    contacts: dict[str, Contact],
    made: dict[str, ContactDesignation],
    networks: dict[str, Network],
    actors: dict[str, User],
    report: SeedReport,
) -> ContactDesignation:
    contact, network = contacts[spec.contact], networks[spec.network]
    existing = ContactDesignation.objects.filter(
        contact=contact, network=network, note_verbale_number=spec.note_verbale
    ).first()
    if existing is not None:
        return existing
    start = timezone.localdate() - dt.timedelta(days=spec.since)
    designation = directory_services.designate(
        actor=actors[spec.by],
        contact=contact,
        network=network,
        role=spec.role,
        note_verbale_number=spec.note_verbale,
        note_verbale_date=start - dt.timedelta(days=9),
        valid_from=start,
        attributes=dict(spec.attributes),
        replaces=made[spec.replaces] if spec.replaces else None,
    )
    if designation.status == DesignationStatus.PENDING and spec.confirm:
        designation = directory_services.confirm_designation(
            actor=actors[ADMIN], designation=designation
        )
    _set_in_the_past(designation, spec)
    designation.refresh_from_db()
    report.note(f"designation {spec.note_verbale}", created=True)
    return designation


def _past_check(
    network: Network, contacts: dict[str, Contact], admin: User, report: SeedReport
) -> None:
    """A communication check of CSIRTAmericas, some weeks ago: launched and closed by the
    Secretariat through the checks services; the answers, which only the contacts' single-use
    links can record, and the check's dates in the past are written directly."""
    if CommunicationCheck.objects.filter(network=network, message=CHECK_MESSAGE).exists():
        return
    if CommunicationCheck.objects.filter(network=network, status=CheckStatus.OPEN).exists():
        return  # someone is running a check of the network in the demo: leave it be
    now = timezone.now()
    check = directory_checks.launch_check(
        actor=admin,
        network=network,
        deadline=now + dt.timedelta(hours=directory_checks.DEFAULT_DEADLINE_HOURS),
        message=CHECK_MESSAGE,
    )
    launched = now - dt.timedelta(days=CHECK_DAYS_AGO)
    sent = launched + dt.timedelta(seconds=40)
    keys = {contact.pk: key for key, contact in contacts.items()}
    for recipient in check.recipients.select_related("designation"):
        minutes = CHECK_ANSWERS.get(keys.get(recipient.designation.contact_id, ""))
        answered = sent + dt.timedelta(minutes=minutes) if minutes is not None else None
        CheckRecipient.objects.filter(pk=recipient.pk).update(sent_at=sent, responded_at=answered)
        if answered is not None:
            # An answer verifies the designation, as the checks services record it.
            ContactDesignation.objects.filter(
                pk=recipient.designation_id, last_verified_at__lt=answered
            ).update(last_verified_at=answered)
    directory_checks.close_check(actor=admin, check=check)
    deadline = launched + dt.timedelta(hours=directory_checks.DEFAULT_DEADLINE_HOURS)
    CommunicationCheck.objects.filter(pk=check.pk).update(
        launched_at=launched, deadline=deadline, closed_at=deadline
    )
    report.note(f"communication check of {network.slug}", created=True)


def _seed_directory(
    organizations: dict[str, Organization],
    networks: dict[str, Network],
    report: SeedReport,
) -> None:
    actors = {
        username: User.objects.select_related("organization").get(username=username)
        for username in DIRECTORY_ACTORS
    }
    contacts = {
        spec.key: _directory_contact(spec, organizations, actors, report) for spec in CONTACTS
    }
    made: dict[str, ContactDesignation] = {}
    for spec in DESIGNATIONS:
        made[spec.note_verbale] = _directory_designation(
            spec, contacts, made, networks, actors, report
        )
    _past_check(networks[CSIRT], contacts, actors[ADMIN], report)


@transaction.atomic
def seed(*, password: str, log: Callable[[str], None] = lambda _msg: None) -> SeedReport:
    """Write the demo, or bring an existing one back to it; a second run changes nothing."""
    report = SeedReport(created=[], updated=[])
    codes = {spec.state for spec in ORGANIZATIONS if spec.state}
    states = {s.code: s for s in MemberState.objects.filter(code__in=codes)}
    roles = {r.slug: r for r in Role.objects.all()}
    networks = {n.slug: n for n in Network.objects.all()}
    missing = (
        (codes - set(states))
        | ({a.role for a in ACCOUNTS} - set(roles))
        | ({net for o in ORGANIZATIONS for net, _r in o.networks} - set(networks))
    )
    if missing or not Organization.objects.filter(slug=SECRETARIAT_SLUG).exists():
        raise DemoError(
            "The reference data (member states, roles, networks, the Secretariat) is missing: "
            "run `manage.py migrate` first."
        )

    admin_spec, *others = ACCOUNTS
    admin = _bootstrap_admin(admin_spec, password, report)
    _password(admin, password, report)
    _verified(admin, report)
    _totp(admin, report)
    admin = User.objects.get(pk=admin.pk)  # fresh permission cache

    organizations = {SECRETARIAT_SLUG: Organization.objects.get(slug=SECRETARIAT_SLUG)}
    for spec in ORGANIZATIONS:
        organizations[spec.slug] = _organization(admin, spec, states, report)
    log(f"{len(ORGANIZATIONS)} organisations in {len(states)} member states")
    for spec in ORGANIZATIONS:
        for network_slug, role_slug in spec.networks:
            _membership(
                admin,
                organizations[spec.slug],
                networks[network_slug],
                roles[role_slug],
                report,
            )
    for account in others:
        user = _account(admin, account, organizations[account.organization], password, report)
        _password(user, password, report)
        _verified(user, report)
        _role(admin, user, account, roles)
        if account.totp:
            _totp(user, report)
    log(f"{len(ACCOUNTS)} demo accounts")
    _seed_directory(organizations, networks, report)
    log(
        f"{len(CONTACTS)} directory contacts, {len(DESIGNATIONS)} designations, "
        "a past communication check"
    )
    from cicte.taxii import demo as taxii_demo

    taxii_demo.seed(admin=admin, note=report.note, log=log)
    from cicte.advisories import demo as advisories_demo

    advisories_demo.seed(note=report.note, log=log)
    from cicte.hunts import demo as hunts_demo

    hunts_demo.seed(admin=admin, note=report.note, log=log)
    from cicte.sanctions import demo as sanctions_demo

    sanctions_demo.seed(admin=admin, note=report.note, log=log)
    from cicte.designations import demo as designations_demo

    designations_demo.seed(admin=admin, note=report.note, log=log)
    from cicte.screening import demo as screening_demo

    screening_demo.seed(admin=admin, note=report.note, log=log)
    from cicte.workplan import demo as workplan_demo

    workplan_demo.seed(admin=admin, note=report.note, log=log)
    from cicte.messaging import demo as messaging_demo

    messaging_demo.seed(admin=admin, note=report.note, log=log)
    return report


# --- Reading the demo ----------------------------------------------------------------------


def accounts(password: str) -> list[dict[str, Any]]:
    """The demo accounts as `seed_demo --json` prints them."""
    slugs = dict(Network.objects.values_list("pk", "slug"))
    users = {
        u.username.lower(): u
        for u in User.objects.filter(username__in=[a.username for a in ACCOUNTS]).select_related(
            "organization__member_state"
        )
    }
    result = []
    for spec in ACCOUNTS:
        user = users.get(spec.username.lower())
        if user is None:
            raise DemoError(f"The demo account {spec.username} is missing: run `seed_demo`.")
        device = confirmed_device(user)
        organization = user.organization
        state = organization.member_state if organization else None
        result.append(
            {
                "username": user.username,
                "password": password,
                "totp_secret": device.base32_key if device else None,
                "role": spec.role,
                "organisation": organization.name if organization else None,
                "member_state": state.code if state else None,
                "networks": sorted(slugs[pk] for pk in selectors.network_ids_for(user)),
            }
        )
    return result
