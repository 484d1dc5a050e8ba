"""The verification cycle: before a designation falls due, its contact (at their working
institutional and functional addresses, in their language) and their state's coordinators in
that network are emailed, once per cycle; the contact's link confirms the details (GET shows a
button, POST confirms, once). Time passes by editing ``last_verified_at``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail, signing
from django.test import Client, TestCase
from django.utils import timezone

from cicte.accounts.tests import factories as af
from cicte.core.models import AuditEvent
from cicte.directory import checks, services, tasks
from cicte.directory.models import ContactDesignation, ContactEmail
from cicte.directory.tests import factories as df

pytestmark = pytest.mark.django_db

NETWORK = "csirtamericas"  # a 180-day cycle, reminders from 14 days before


@pytest.fixture
def world():
    admin = af.secretariat_admin()
    ar_org = af.OrganizationFactory(member_state=af.state("AR"))
    contact = df.contact(
        ar_org,
        actor=admin,
        name="Lucía Pérez",
        languages=["es", "en"],
        emails=[
            {"kind": "institutional", "address": "lperez@example.gob.ar"},
            {"kind": "functional", "address": "csirt@example.gob.ar"},
            {"kind": "functional", "address": "old-desk@example.gob.ar"},
            {"kind": "personal", "address": "lucia@example.com"},
        ],
    )
    ContactEmail.objects.filter(address="old-desk@example.gob.ar").update(
        bounced_at=timezone.now(), bounce_reason="550 unknown"
    )
    designation = df.designation(contact, NETWORK, "national_poc", actor=admin)
    coordinator = af.national_coordinator("AR", NETWORK, organization=ar_org)
    elsewhere = af.national_coordinator("AR", "unscr-1540")  # same state, another network
    foreign = af.national_coordinator("BR", NETWORK)  # same network, another state
    return {
        "designation": designation,
        "contact": contact,
        "coordinator": coordinator,
        "elsewhere": elsewhere,
        "foreign": foreign,
    }


def verified_days_ago(designation, days):
    ContactDesignation.objects.filter(pk=designation.pk).update(
        last_verified_at=timezone.now() - dt.timedelta(days=days)
    )


def run_cycle():
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        tasks.verification_reminders()
    return list(mail.outbox)


def test_nothing_before_the_reminder_window(world):
    verified_days_ago(world["designation"], 160)  # due in 20 days; reminders start at 14
    assert run_cycle() == []
    world["designation"].refresh_from_db()
    assert world["designation"].reminder_sent_at is None


def test_contact_and_own_coordinators_are_reminded_once_per_cycle(world):
    designation = world["designation"]
    verified_days_ago(designation, 170)  # due in 10 days

    sent = run_cycle()

    # The contact at each working institutional or functional address, never the personal one
    # nor the one whose delivery failed; the state's coordinator in this network, only.
    assert sorted(m.to[0] for m in sent) == [
        "csirt@example.gob.ar",
        "lperez@example.gob.ar",
        world["coordinator"].email,
    ]
    to_contact = next(m for m in sent if m.to == ["lperez@example.gob.ar"])
    links = df.links_in([to_contact], kind="verify")
    assert len(links) == 1
    summary = next(m for m in sent if m.to == [world["coordinator"].email])
    assert summary.subject == "One designation of your state to verify"
    assert "Lucía Pérez" in summary.body
    assert f"/directory/designations/{designation.pk}/" in summary.body
    assert "/checks/verify/" not in summary.body  # the coordinator gets the page, not the link
    designation.refresh_from_db()
    assert designation.reminder_sent_at is not None
    event = AuditEvent.objects.get(action="directory.designation.remind")
    assert event.object_id == str(designation.pk) and event.actor_label == "system"

    assert run_cycle() == []  # once per cycle
    assert AuditEvent.objects.filter(action="directory.designation.remind").count() == 1


def test_overdue_designations_are_reminded_too_and_flagged_stale(world):
    designation = world["designation"]
    df.make_stale(designation, days_over=3)
    assert designation.is_stale
    sent = run_cycle()
    assert len(sent) == 3
    assert run_cycle() == []


def test_contact_confirms_with_the_link_and_a_new_cycle_begins(world):
    designation = world["designation"]
    verified_days_ago(designation, 175)
    sent = run_cycle()
    path = df.links_in([m for m in sent if m.to == ["lperez@example.gob.ar"]], kind="verify")[0]
    client = Client()
    before = ContactDesignation.objects.get(pk=designation.pk)

    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Confirm that my details are current" in html
    assert "Lucía Pérez" in html
    assert "lperez@example.gob.ar" not in html
    assert ContactDesignation.objects.get(pk=designation.pk).last_verified_at == (
        before.last_verified_at
    )

    done = client.post(path)
    assert done.status_code == 200
    designation.refresh_from_db()
    assert designation.last_verified_at > before.last_verified_at
    assert designation.reminder_sent_at is None
    assert not designation.is_stale
    event = AuditEvent.objects.get(action="directory.designation.verify")
    assert event.actor_id is None and event.actor_label == "Lucía Pérez"
    assert event.changes == {"via": "email link"}

    again = client.post(path)
    assert again.status_code == 409
    assert "Already confirmed" in again.content.decode()

    # Next cycle: due again, reminded again (once).
    verified_days_ago(designation, 170)
    assert len(run_cycle()) == 3
    assert run_cycle() == []


def test_a_reminder_older_than_the_last_verification_does_not_count(world):
    designation = world["designation"]
    now = timezone.now()
    ContactDesignation.objects.filter(pk=designation.pk).update(
        last_verified_at=now - dt.timedelta(days=170),
        reminder_sent_at=now - dt.timedelta(days=200),  # from the previous cycle
    )
    assert len(run_cycle()) == 3


def test_verification_links_expire_with_the_designation_and_are_replaced(world):
    designation = world["designation"]
    verified_days_ago(designation, 170)
    sent = run_cycle()
    path = df.links_in([m for m in sent if m.to == ["lperez@example.gob.ar"]], kind="verify")[0]
    client = Client()

    # A new reminder (say the coordinator verified, then the cycle came round again) replaces it.
    ContactDesignation.objects.filter(pk=designation.pk).update(
        reminder_sent_at=timezone.now() + dt.timedelta(seconds=1)
    )
    assert client.get(path).status_code == 410
    assert "This link has been replaced" in client.get(path).content.decode()

    designation.refresh_from_db()
    fresh = f"/directory/checks/verify/{checks.verification_token(designation)}/"
    services.withdraw_designation(
        actor=af.secretariat_admin(), designation=designation, reason="Retired"
    )
    response = client.post(fresh)
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()

    forged = fresh[:-3] + "x/"
    assert client.post(forged).status_code == 404
    response_token = signing.dumps({"r": 1, "n": "x"}, salt=checks.RESPONSE_SALT)
    assert client.get(f"/directory/checks/verify/{response_token}/").status_code == 404
    assert not AuditEvent.objects.filter(action="directory.designation.verify").exists()


def test_old_verification_links_expire(world, monkeypatch):
    designation = world["designation"]
    verified_days_ago(designation, 170)
    run_cycle()
    designation.refresh_from_db()
    path = f"/directory/checks/verify/{checks.verification_token(designation)}/"
    monkeypatch.setattr(checks, "VERIFY_LINK_MAX_AGE", dt.timedelta(seconds=-1))
    assert Client().post(path).status_code == 410
    designation.refresh_from_db()
    assert designation.reminder_sent_at is not None  # nothing confirmed


@pytest.mark.parametrize(
    ("account_language", "languages", "expected"),
    [
        ("pt", ["es"], "pt"),  # the account's language wins
        (None, ["es", "en"], "en"),  # the first of en/es/fr/pt among the contact's
        (None, ["fr", "pt"], "fr"),
        (None, ["pt", "nl"], "pt"),
        (None, ["nl"], "en"),  # none of the four: English
    ],
)
def test_the_contact_is_written_to_in_their_language(world, account_language, languages, expected):
    contact = world["contact"]
    services.update_contact(actor=af.secretariat_admin(), contact=contact, languages=languages)
    if account_language:
        contact.user = af.UserFactory(preferred_language=account_language)
        contact.save(update_fields=["user"])
    assert checks.contact_language(contact) == expected
    verified_days_ago(world["designation"], 170)
    sent = run_cycle()
    body = next(m for m in sent if m.to == ["lperez@example.gob.ar"]).body
    # Words the catalogs already translate: the organisation's label and the state's name.
    marker = {
        "en": "Argentina has designated you",
        "fr": "Argentine",
        "pt": "\nOrganização: ",
    }[expected]
    assert marker in body


def test_coordinators_get_one_summary_for_several_designations(world):
    admin = af.secretariat_admin()
    second = df.designation(
        df.contact(world["contact"].organization, actor=admin, name="Mesa 24/7"),
        NETWORK,
        "operational",
        actor=admin,
    )
    verified_days_ago(world["designation"], 170)
    verified_days_ago(second, 179)
    sent = run_cycle()
    summaries = [m for m in sent if m.to == [world["coordinator"].email]]
    assert len(summaries) == 1
    assert summaries[0].subject == "2 designations of your state to verify"
    assert "Lucía Pérez" in summaries[0].body and "Mesa 24/7" in summaries[0].body


def test_a_contact_without_a_working_address_is_flagged_to_the_coordinator(world):
    ContactEmail.objects.filter(contact=world["contact"]).update(
        bounced_at=timezone.now(), bounce_reason="550"
    )
    verified_days_ago(world["designation"], 170)
    sent = run_cycle()
    assert [m.to for m in sent] == [[world["coordinator"].email]]
    assert "No working email address" in sent[0].body
