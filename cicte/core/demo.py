"""The demonstration data set: member states' institutions, partners, network memberships and one
account per role, written through the accounts services so that the demo exercises the same code
paths (permissions, validation, audit trail) as the real platform.

Used by ``manage.py seed_demo`` (which writes it) and ``manage.py demo_logins`` (which prints the
logins). Everything here is fictitious except the names of public institutions; the people and
the bank are invented.
"""

from __future__ import annotations

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
)  # fmt: skip

ORGANIZATION_FIELDS = ("name", "acronym", "kind", "member_state", "website", "description")


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
        _role(admin, user, account, roles)
        if account.totp:
            _totp(user, report)
    log(f"{len(ACCOUNTS)} demo accounts")
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
