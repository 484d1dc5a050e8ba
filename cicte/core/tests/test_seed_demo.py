"""`manage.py seed_demo` and `manage.py demo_logins`: the demo, its JSON, its password."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from cicte.accounts.choices import STATE_KINDS, OrganizationKind
from cicte.accounts.models import (
    Organization,
    OrganizationMembership,
    RecoveryCode,
    RoleAssignment,
    TOTPDevice,
    User,
)
from cicte.accounts.tests import factories
from cicte.core import audit, demo
from cicte.core.models import AuditEvent
from cicte.directory import services as directory_services
from cicte.directory.choices import (
    Availability,
    CheckStatus,
    ContactKind,
    DesignationStatus,
    EmailKind,
    PhoneKind,
)
from cicte.directory.models import (
    CheckRecipient,
    CommunicationCheck,
    Contact,
    ContactDesignation,
    ContactEmail,
    ContactLanguage,
    ContactPhone,
)

ROOT = Path(__file__).resolve().parents[3]
KEYS = {"username", "password", "totp_secret", "role", "organisation", "member_state", "networks"}
IANT = "inter-american-network-against-terrorism"
PVE = "prevention-violent-extremism"
TFS = "targeted-financial-sanctions"
AVSEC = "aviation-security"
CSIRT = "csirtamericas"
CARGO = "cargo-container-security"
DEMO_STATES = {"AR", "BR", "CO", "MX", "TT"}


@pytest.fixture(autouse=True)
def _demo_password_file(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    settings.DEBUG = True  # pytest-django runs tests with DEBUG off; the demo needs it on.
    monkeypatch.delenv(demo.PASSWORD_ENV, raising=False)
    monkeypatch.delenv(f"{demo.PASSWORD_ENV}_FILE", raising=False)
    settings.DEMO_PASSWORD_FILE = tmp_path / "var" / "demo-password"
    return settings.DEMO_PASSWORD_FILE


def seed_json() -> list[dict[str, Any]]:
    out, err = StringIO(), StringIO()
    call_command("seed_demo", "--json", stdout=out, stderr=err)
    return json.loads(out.getvalue())


def by_username(accounts: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {a["username"]: a for a in accounts}


def state_of_everything() -> dict[str, Any]:
    """Everything the demo writes, to compare two runs."""
    return {
        "organizations": sorted(
            Organization.objects.values_list(
                "slug", "name", "acronym", "kind", "member_state__code", "updated_at"
            )
        ),
        "memberships": sorted(
            OrganizationMembership.objects.values_list(
                "organization__slug", "network__slug", "role__slug"
            )
        ),
        "users": sorted(User.objects.values_list("username", "email", "password", "organization")),
        "roles": sorted(
            RoleAssignment.objects.values_list(
                "user__username", "role__slug", "network__slug", "organization__slug"
            )
        ),
        "devices": sorted(TOTPDevice.objects.values_list("pk", "user__username", "key")),
        "recovery_codes": RecoveryCode.objects.count(),
        "audit": AuditEvent.objects.count(),
        **directory_state(),
    }


def directory_state() -> dict[str, Any]:
    """Everything the demo writes in the directory (first column unique, so rows sort)."""
    return {
        "contacts": sorted(
            Contact.objects.values_list(
                "pk", "organization__slug", "name", "kind", "title", "availability", "updated_at"
            )
        ),
        "phones": sorted(ContactPhone.objects.values_list("pk", "contact_id", "kind", "number")),
        "emails": sorted(ContactEmail.objects.values_list("pk", "contact_id", "kind", "address")),
        "languages": sorted(ContactLanguage.objects.values_list("pk", "contact_id", "code")),
        "designations": sorted(
            ContactDesignation.objects.values_list(
                "pk",
                "contact_id",
                "network__slug",
                "role",
                "status",
                "effective_from",
                "valid_to",
                "designated_at",
                "confirmed_at",
                "last_verified_at",
                "replaces_id",
            )
        ),
        "checks": sorted(
            CommunicationCheck.objects.values_list(
                "pk", "network__slug", "status", "launched_at", "deadline", "closed_at"
            )
        ),
        "recipients": sorted(
            CheckRecipient.objects.values_list(
                "pk", "designation_id", "email", "sent_at", "responded_at"
            )
        ),
    }


@pytest.mark.django_db
def test_json_lists_one_account_per_role_with_exact_keys(capsys: pytest.CaptureFixture[str]):
    accounts = seed_json()

    # Nothing but the JSON reaches standard output.
    assert capsys.readouterr().out == ""
    assert all(set(a) == KEYS for a in accounts)
    assert {a["role"] for a in accounts} == {
        "secretariat_admin",
        "national_coordinator",
        "org_admin",
        "member",
        "observer",
        "designation_officer",
        "designation_approver",
    }
    password = demo.demo_password()
    assert {a["password"] for a in accounts} == {password}
    by_name = by_username(accounts)
    admin = User.objects.get(username="sec.admin")
    coordinator = User.objects.get(username="co.coordinator")
    assert by_name["sec.admin"] == {
        "username": "sec.admin",
        "password": password,
        "totp_secret": TOTPDevice.objects.get(user=admin, confirmed=True).base32_key,
        "role": "secretariat_admin",
        "organisation": "Secretariat of the Inter-American Committee against Terrorism",
        "member_state": None,
        "networks": [],
    }
    assert by_name["co.coordinator"] == {
        "username": "co.coordinator",
        "password": password,
        "totp_secret": TOTPDevice.objects.get(user=coordinator, confirmed=True).base32_key,
        "role": "national_coordinator",
        "organisation": "Ministerio de Tecnologías de la Información y las Comunicaciones",
        "member_state": "CO",
        "networks": ["csirtamericas"],
    }
    assert by_name["colcert.admin"]["role"] == "org_admin"
    assert by_name["colcert.admin"]["networks"] == ["csirtamericas"]
    assert by_name["colcert.admin"]["totp_secret"] is None
    # The CSIRT analysts of two states, in CSIRTAmericas.
    assert (
        by_name["colcert.analyst"]["member_state"],
        by_name["certmx.analyst"]["member_state"],
    ) == (
        "CO",
        "MX",
    )
    assert by_name["colcert.analyst"]["networks"] == ["csirtamericas"]
    assert by_name["certmx.analyst"]["networks"] == ["csirtamericas"]
    # Colombia's FIU officials of the designation workflow (cicte/designations/demo.py).
    for username, role in (
        ("uiaf.officer", "designation_officer"),
        ("uiaf.approver", "designation_approver"),
    ):
        assert by_name[username]["role"] == role
        assert by_name[username]["member_state"] == "CO"
        assert by_name[username]["networks"] == [TFS]
        assert by_name[username]["totp_secret"]
    assert by_name["bank.compliance"] == {
        "username": "bank.compliance",
        "password": password,
        "totp_secret": None,
        "role": "observer",
        "organisation": "Banco Demostración de las Américas",
        "member_state": "CO",
        "networks": [TFS],
    }
    assert by_name["unodc.observer"]["member_state"] is None
    assert by_name["unodc.observer"]["networks"] == [IANT, PVE]
    assert by_name["anac.br.officer"]["networks"] == [AVSEC]
    # The TOTP secrets are base32 of the devices' 20-byte keys.
    assert len(by_name["sec.admin"]["totp_secret"]) == 32


@pytest.mark.django_db
def test_structure_is_realistic():
    seed_json()

    states = set(
        Organization.objects.exclude(member_state=None).values_list("member_state__code", flat=True)
    )
    assert states >= {"AR", "BR", "CO", "MX", "TT"}
    csirts = Organization.objects.filter(kind=OrganizationKind.NATIONAL_CSIRT)
    assert len({c.member_state_id for c in csirts}) == csirts.count() >= 2
    kinds = set(Organization.objects.values_list("kind", flat=True))
    assert kinds >= {
        OrganizationKind.SECRETARIAT,
        OrganizationKind.MINISTRY,
        OrganizationKind.NATIONAL_CSIRT,
        OrganizationKind.FIU,
        OrganizationKind.CUSTOMS,
        OrganizationKind.POLICE,
        OrganizationKind.AVIATION,
        OrganizationKind.INTERNATIONAL,
        OrganizationKind.PRIVATE,
    }
    bank = Organization.objects.get(slug="banco-demo-co")
    assert bank.kind == OrganizationKind.PRIVATE
    assert list(bank.network_memberships.values_list("network__slug", "role__slug")) == [
        (TFS, "observer")
    ]
    assert set(
        OrganizationMembership.objects.filter(
            organization__kind=OrganizationKind.NATIONAL_CSIRT
        ).values_list("network__slug", flat=True)
    ) == {"csirtamericas"}
    # Every institution passes the model's own validation.
    for organization in Organization.objects.all():
        organization.full_clean()


@pytest.mark.django_db
def test_second_run_changes_nothing():
    first = seed_json()
    before = state_of_everything()

    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())
    second = seed_json()

    assert "nothing changed" in out.getvalue()
    assert state_of_everything() == before
    assert second == first


@pytest.mark.django_db
def test_writes_are_audited_and_the_chain_holds():
    seed_json()

    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "accounts.user.create",
        "accounts.organization.create",
        "accounts.membership.create",
        "accounts.role.assign",
        "accounts.mfa.enable",
    } <= actions
    bootstrap = AuditEvent.objects.get(action="accounts.user.create", object_repr="Laura Méndez")
    assert (bootstrap.actor_id, bootstrap.actor_label) == (None, "seed_demo")
    admin = User.objects.get(username="sec.admin")
    assert (
        AuditEvent.objects.filter(action="accounts.organization.create")
        .exclude(actor=admin)
        .count()
        == 0
    )
    checked, broken = audit.verify_chain()
    assert (checked, broken) == (AuditEvent.objects.count(), None)


@pytest.mark.django_db
def test_generated_password_is_kept_private_and_reused(_demo_password_file: Path):
    first = seed_json()
    password = first[0]["password"]

    assert _demo_password_file.read_text().strip() == password
    assert stat.S_IMODE(_demo_password_file.stat().st_mode) == 0o600
    assert len(password) >= 12
    for user in User.objects.filter(username__in=[a["username"] for a in first]):
        validate_password(password, user)
        assert user.check_password(password)
    assert seed_json()[0]["password"] == password


@pytest.mark.django_db
def test_password_from_environment_and_reset_on_rerun(
    monkeypatch: pytest.MonkeyPatch, _demo_password_file: Path
):
    monkeypatch.setenv(demo.PASSWORD_ENV, "first-demo-passphrase-2024")
    seed_json()
    monkeypatch.setenv(demo.PASSWORD_ENV, "second-demo-passphrase-2025")

    accounts = seed_json()

    assert {a["password"] for a in accounts} == {"second-demo-passphrase-2025"}
    assert all(
        u.check_password("second-demo-passphrase-2025")
        for u in User.objects.filter(username__in=[a["username"] for a in accounts])
    )
    assert not _demo_password_file.exists()
    assert AuditEvent.objects.filter(action="accounts.password.change").count() == len(accounts)


@pytest.mark.django_db
def test_weak_password_is_refused_and_nothing_is_written(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(demo.PASSWORD_ENV, "short")
    users, organizations = User.objects.count(), Organization.objects.count()

    with pytest.raises(CommandError, match="not accepted by the password rules"):
        call_command("seed_demo", stdout=StringIO(), stderr=StringIO())

    assert (User.objects.count(), Organization.objects.count()) == (users, organizations)


@pytest.mark.django_db
def test_totp_secret_is_kept_and_stored_encrypted():
    first = by_username(seed_json())
    device = TOTPDevice.objects.get(user__username="sec.admin", confirmed=True)

    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_totpdevice WHERE id = %s", [device.pk])
        (raw,) = cursor.fetchone()

    assert device.key not in raw
    assert by_username(seed_json())["sec.admin"]["totp_secret"] == first["sec.admin"]["totp_secret"]
    assert TOTPDevice.objects.filter(user__username="sec.admin").count() == 1


@pytest.mark.django_db
def test_every_demo_account_signs_in(login: Any, client: Client):
    accounts = seed_json()

    for account in accounts:
        user = User.objects.get(username=account["username"])
        login(user, password=account["password"])
        response = client.get("/")
        assert response.status_code == 200, account["username"]
        assert response.context["user"].pk == user.pk
        client.logout()


@pytest.mark.django_db
def test_refuses_without_debug(settings: Any):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG=true"):
        call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="DEBUG=true"):
        call_command("demo_logins", stdout=StringIO(), stderr=StringIO())
    assert not User.objects.filter(username="sec.admin").exists()


def _clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "LC_ALL"}}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "cicte.settings",
        "CICTE_VAR_DIR": str(tmp_path / "var"),
        "PYTHONDONTWRITEBYTECODE": "1",
        **extra,
    }


def test_command_exits_non_zero_without_debug(tmp_path: Path):
    env = _clean_env(
        tmp_path,
        DEBUG="false",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="cicte.example",
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert "runs only in development: set DEBUG=true" in result.stderr
    assert result.stdout == ""


def test_json_on_stdout_only_in_a_real_process(tmp_path: Path):
    """End to end, as `DEBUG=true python manage.py seed_demo --json` runs: a fresh SQLite
    database, then nothing on standard output but the JSON."""
    env = _clean_env(tmp_path, DEBUG="true", CICTE_DEMO_PASSWORD="a-demo-passphrase-for-ci")

    def manage(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    migrate = manage("migrate", "-v0")
    assert migrate.returncode == 0, migrate.stderr

    result = manage("seed_demo", "--json")

    assert result.returncode == 0, result.stderr
    accounts = json.loads(result.stdout)
    assert [a["username"] for a in accounts] == [a.username for a in demo.ACCOUNTS]
    assert {a["password"] for a in accounts} == {"a-demo-passphrase-for-ci"}
    assert not (tmp_path / "var" / "demo-password").exists()

    logins = manage("demo_logins", "--url", "http://127.0.0.1:8001/")
    assert logins.returncode == 0, logins.stderr
    assert "http://127.0.0.1:8001/" in logins.stdout
    for account in accounts:
        assert account["username"] in logins.stdout
        if account["totp_secret"]:
            assert account["totp_secret"] in logins.stdout


@pytest.mark.django_db
def test_demo_logins_prints_the_table():
    accounts = by_username(seed_json())
    device = TOTPDevice.objects.get(user__username="sec.admin", confirmed=True)

    out = StringIO()
    call_command("demo_logins", "--url", "http://127.0.0.1:8001/", stdout=out)
    text = out.getvalue()

    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("Username"))
    assert header.split() == [
        "Username",
        "Password",
        "Role",
        "Organisation",
        "State",
        "TOTP",
        "secret",
        "Code",
        "now",
    ]
    row = next(line for line in lines if line.startswith("sec.admin "))
    cells = row.split()
    assert cells[:6] == [
        "sec.admin",
        accounts["sec.admin"]["password"],
        "secretariat_admin",
        "CICTE",
        "-",
        accounts["sec.admin"]["totp_secret"],
    ]
    # The code of the current step (or of the previous one, if the clock ticked meanwhile).
    assert cells[6] in {factories.totp_now(device), factories.totp_now(device, -1)}
    colcert = next(line for line in lines if line.startswith("colcert.admin "))
    assert colcert.split()[2:] == ["org_admin", "colCERT", "CO", "-", "-"]
    assert "http://127.0.0.1:8001/" in text


@pytest.mark.django_db
def test_demo_logins_before_seeding_says_what_to_do():
    with pytest.raises(CommandError, match=r"run `manage\.py seed_demo` first"):
        call_command("demo_logins", stdout=StringIO())


@pytest.mark.django_db
def test_rerun_restores_what_was_changed_in_the_demo():
    seed_json()
    admin = User.objects.get(username="sec.admin")
    RoleAssignment.objects.filter(user=admin).delete()
    analyst = User.objects.get(username="certmx.analyst")
    analyst.full_name = "Renamed"
    analyst.set_password("something-else-entirely-9")
    analyst.save()
    Organization.objects.filter(slug="cert-mx").update(acronym="OLD")

    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())

    assert "Demo ready: 0 created, 4 updated." in out.getvalue()
    assert RoleAssignment.objects.filter(user=admin, role__slug="secretariat_admin").exists()
    analyst.refresh_from_db()
    assert analyst.full_name == "Mariana Ortega"
    assert analyst.check_password(demo.demo_password())
    assert Organization.objects.get(slug="cert-mx").acronym == "CERT-MX"
    assert audit.verify_chain()[1] is None


# --- The directory ---------------------------------------------------------------------------


def _designation(note_verbale: str) -> ContactDesignation:
    return ContactDesignation.objects.select_related("contact", "designated_by").get(
        note_verbale_number=note_verbale
    )


@pytest.mark.django_db
def test_every_institution_of_the_demo_states_has_contacts():
    seed_json()

    institutions = Organization.objects.filter(
        member_state__code__in=DEMO_STATES, kind__in=STATE_KINDS
    )
    assert institutions.count() == 32
    assert [o.slug for o in institutions if not o.contacts.exists()] == []
    assert Contact.objects.count() == len(demo.CONTACTS) == 54
    functional = Contact.objects.filter(kind=ContactKind.FUNCTIONAL)
    assert functional.count() == 9
    assert set(functional.values_list("availability", flat=True)) == {Availability.ALWAYS}
    # Every contact passes the model's own validation.
    for contact in Contact.objects.all():
        contact.full_clean()


@pytest.mark.django_db
def test_phones_are_valid_e164_numbers_of_the_contacts_state():
    seed_json()

    phones = ContactPhone.objects.select_related("contact__organization__member_state")
    assert phones.count() == 75
    for phone in phones:
        parsed = phonenumbers.parse(phone.number)
        assert phonenumbers.is_valid_number(parsed), phone.number
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == (
            phone.number
        )
        assert phonenumbers.region_code_for_number(parsed) == (
            phone.contact.organization.member_state.code
        )
    # Every 24/7 contact has a 24/7 line; nobody else has one.
    always = set(
        Contact.objects.filter(availability=Availability.ALWAYS).values_list("pk", flat=True)
    )
    with_line = set(
        ContactPhone.objects.filter(kind=PhoneKind.HOTLINE).values_list("contact_id", flat=True)
    )
    assert always == with_line
    assert len(always) == 11


@pytest.mark.django_db
def test_emails_are_example_addresses():
    seed_json()

    for email in ContactEmail.objects.select_related("contact__organization"):
        if email.kind == EmailKind.PERSONAL:
            assert email.address.endswith("@example.net"), email.address
        else:
            assert email.address.endswith(f"@{email.contact.organization.slug}.example.org")
    assert ContactEmail.objects.filter(kind=EmailKind.PERSONAL).count() == 1


@pytest.mark.django_db
def test_designations_cover_the_networks_and_their_roles():
    seed_json()

    active = ContactDesignation.objects.filter(status=DesignationStatus.ACTIVE)
    assert set(active.values_list("network__slug", flat=True)) == {
        IANT,
        CSIRT,
        "unscr-1540",
        AVSEC,
        "major-events-tourism-security",
        PVE,
        CARGO,
        "maritime-port-security",
        TFS,
    }
    # The Inter-American Network against Terrorism: a national point of contact for every demo
    # state, alternates and 24/7 operational contacts.
    iant = active.filter(network__slug=IANT)
    assert set(iant.filter(role="national_poc").values_list("member_state__code", flat=True)) == (
        DEMO_STATES
    )
    assert set(iant.values_list("role", flat=True)) == {"national_poc", "alternate", "operational"}
    # The 24/7 operational contacts are available 24/7.
    operational = active.filter(role="operational")
    assert operational.count() == 11
    assert set(operational.values_list("contact__availability", flat=True)) == {Availability.ALWAYS}
    # Network-specific attributes.
    experts = list(active.filter(network__slug=PVE))
    assert [d.role for d in experts] == ["expert"] * 3
    assert all(len(d.attributes["expertise_areas"]) == 2 for d in experts)
    instructors = list(active.filter(network__slug=CARGO))
    assert [d.role for d in instructors] == ["instructor"] * 5
    assert all(d.attributes["certifications"] for d in instructors)
    assert all(dt.date.fromisoformat(d.attributes["certified_until"]) for d in instructors)
    csirt_pocs = list(active.filter(network__slug=CSIRT, role="national_poc"))
    assert len(csirt_pocs) == 5
    assert all(d.attributes["constituency"] for d in csirt_pocs)
    # Every designation holds against the network's own policy.
    for designation in ContactDesignation.objects.all():
        designation.full_clean(exclude=["document"])
        assert designation.policy.clean_attributes(designation.attributes) == (
            designation.attributes
        )


@pytest.mark.django_db
def test_confirmation_history_and_staleness():
    seed_json()
    today = timezone.localdate()

    # Mexico's coordinator designated to the network that requires confirmation: two confirmed
    # by the Secretariat, one still waiting.
    pending = ContactDesignation.objects.get(status=DesignationStatus.PENDING)
    assert (pending.network.slug, pending.member_state.code, pending.designated_by.username) == (
        IANT,
        "MX",
        "mx.coordinator",
    )
    assert (pending.effective_from, pending.confirmed_at) == (None, None)
    confirmed = _designation("SRE-DGAS-0215")
    assert (confirmed.status, confirmed.designated_by.username, confirmed.confirmed_by) == (
        DesignationStatus.ACTIVE,
        "mx.coordinator",
        User.objects.get(username="sec.admin"),
    )
    # Colombia's coordinator replaced colCERT's point of contact: both stay in the history,
    # which answers who the point of contact was on any date.
    old, new = _designation("NV-CO-2022-0931"), _designation("NV-CO-2025-0214")
    assert (old.status, new.status, new.replaces_id) == (
        DesignationStatus.REPLACED,
        DesignationStatus.ACTIVE,
        old.pk,
    )
    assert old.effective_from == today - dt.timedelta(days=900)
    assert old.valid_to == new.effective_from == today - dt.timedelta(days=120)
    colcert = ContactDesignation.objects.filter(
        network__slug=CSIRT, member_state__code="CO", role="national_poc"
    )
    assert [d.contact.name for d in colcert.in_force_on(today - dt.timedelta(days=365))] == [
        "Jorge Iván Cárdenas"
    ]
    assert [d.contact.name for d in colcert.in_force_on(today)] == ["Camila Duarte"]
    # One designation is overdue for verification: Trinidad and Tobago's aviation focal point.
    stale = [d for d in ContactDesignation.objects.all() if d.is_stale]
    assert [(d.contact.name, d.network.slug) for d in stale] == [("Marcus Greene", AVSEC)]


@pytest.mark.django_db
def test_a_past_communication_check_with_its_answers():
    seed_json()

    check = CommunicationCheck.objects.get()
    assert (check.network.slug, check.status, check.launched_by.username) == (
        CSIRT,
        CheckStatus.CLOSED,
        "sec.admin",
    )
    launched_days_ago = (timezone.now() - check.launched_at).days
    assert launched_days_ago == demo.CHECK_DAYS_AGO
    assert check.closed_at == check.deadline < timezone.now()
    recipients = list(check.recipients.select_related("designation__contact"))
    # Every CSIRTAmericas designation in force was asked, not the replaced one.
    assert len(recipients) == 13
    assert {r.designation.status for r in recipients} == {DesignationStatus.ACTIVE}
    answered = [r for r in recipients if r.responded_at]
    assert len(answered) == 12
    assert sorted(int(r.response_time.total_seconds() // 60) for r in answered) == sorted(
        demo.CHECK_ANSWERS.values()
    )
    assert [r.designation.contact.name for r in recipients if not r.responded_at] == [
        "Kerry-Ann Joseph"
    ]
    assert all(r.sent_at and r.email for r in recipients)
    # An answer verified the designation.
    for recipient in answered:
        verified, responded = recipient.designation.last_verified_at, recipient.responded_at
        assert verified is not None and responded is not None
        assert verified >= responded


@pytest.mark.django_db
def test_directory_is_written_by_the_demo_actors_and_audited():
    seed_json()

    by = dict(
        ContactDesignation.objects.values_list("note_verbale_number", "designated_by__username")
    )
    assert {by[n] for n in ("NV-CO-2022-0931", "NV-CO-2025-0214", "NV-CO-2023-0602")} == {
        "co.coordinator"
    }
    assert by["NV-AR-2023-0412"] == "sec.admin"
    creators = dict(
        AuditEvent.objects.filter(action="directory.contact.create").values_list(
            "object_repr", "actor__username"
        )
    )
    assert (creators["Camila Duarte"], creators["Rodrigo Sandoval"], creators["Anthony Lewis"]) == (
        "co.coordinator",
        "mx.coordinator",
        "sec.admin",
    )
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "directory.contact.create",
        "directory.designation.create",
        "directory.designation.confirm",
        "directory.check.launch",
        "directory.check.close",
    } <= actions
    assert AuditEvent.objects.filter(action="directory.designation.create").count() == len(
        demo.DESIGNATIONS
    )
    # Demo accounts keep their own contact details.
    assert dict(Contact.objects.exclude(user=None).values_list("user__username", "name")) == {
        "anac.br.officer": "Beatriz Almeida",
        "colcert.admin": "Camila Duarte",
        "colcert.analyst": "Santiago Rojas",
        "certmx.analyst": "Mariana Ortega",
    }
    assert audit.verify_chain()[1] is None


@pytest.mark.django_db
def test_demo_members_see_their_networks_directory():
    seed_json()
    analyst = User.objects.get(username="colcert.analyst")

    seen = ContactDesignation.objects.visible_to(analyst)

    assert set(seen.values_list("network__slug", flat=True)) == {CSIRT}
    assert seen.count() == 14  # the 13 in force and the replaced one (history)


@pytest.mark.django_db
def test_rerun_leaves_the_directory_as_people_changed_it():
    seed_json()
    coordinator = User.objects.get(username="co.coordinator")
    contact = Contact.objects.get(name="Natalia Vargas")
    directory_services.update_contact(actor=coordinator, contact=contact, title="Asesora")
    designation = _designation("NV-CO-2025-0215")
    directory_services.withdraw_designation(
        actor=coordinator, designation=designation, reason="Left MinTIC"
    )
    before = directory_state()

    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())

    assert "nothing changed" in out.getvalue()
    assert directory_state() == before
    assert Contact.objects.get(pk=contact.pk).title == "Asesora"
    assert _designation("NV-CO-2025-0215").status == DesignationStatus.WITHDRAWN
