"""Communication checks ("pings") end to end: launch, emails with signed single-use links, the
confirmation page (GET changes nothing, POST confirms), expired, forged, replaced and reused
links, the live page and the list with response rates, reminders, closing, and who may see and
do what."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from cicte.accounts.tests import factories as af
from cicte.core.models import AuditEvent
from cicte.directory import checks, services, tasks
from cicte.directory.choices import CheckStatus
from cicte.directory.models import CheckRecipient, CommunicationCheck, ContactDesignation
from cicte.directory.tests import factories as df

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """CSIRTAmericas with three designated contacts (Argentina's duty desk, Brazil's point of
    contact, and a Chilean contact with only a personal address), one withdrawn and one in
    another network; the Secretariat administrator has a second factor."""
    admin = af.secretariat_admin(full_name="Ana Secretariat")
    af.add_totp(admin)

    def org(code):
        return af.OrganizationFactory(member_state=af.state(code))

    desk = df.contact(
        org("AR"),
        actor=admin,
        name="Guardia CERT.ar",
        kind="functional",
        emails=[
            {"kind": "institutional", "address": "cert@example.gob.ar"},
            {"kind": "functional", "address": "guardia@example.gob.ar"},
            {"kind": "personal", "address": "guardia.personal@example.com"},
        ],
    )
    bruna = df.contact(
        org("BR"),
        actor=admin,
        name="Bruna Silva",
        emails=[
            {"kind": "personal", "address": "bruna@example.com"},
            {"kind": "institutional", "address": "bruna.silva@example.gov.br"},
        ],
    )
    carlos = df.contact(
        org("CL"),
        actor=admin,
        name="Carlos Rojas",
        emails=[{"kind": "personal", "address": "carlos@example.com"}],
    )
    designations = {
        "ar": df.designation(desk, "csirtamericas", "operational", actor=admin),
        "br": df.designation(bruna, "csirtamericas", "national_poc", actor=admin),
        "cl": df.designation(carlos, "csirtamericas", "national_poc", actor=admin),
    }
    withdrawn = df.designation(
        df.contact(org("PE"), actor=admin), "csirtamericas", "national_poc", actor=admin
    )
    services.withdraw_designation(actor=admin, designation=withdrawn, reason="Left")
    df.designation(df.contact(org("MX"), actor=admin), "unscr-1540", "national_poc", actor=admin)
    return {"admin": admin, **designations}


def recipient_of(check, designation):
    return CheckRecipient.objects.get(check_run=check, designation=designation)


def launch(world, **kwargs):
    mail.outbox.clear()
    return df.communication_check("csirtamericas", actor=world["admin"], **kwargs)


def run_jobs():
    """Run the jobs that services enqueue after commit (the test's transaction never commits)."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def schedule():
    with run_jobs():
        tasks.communication_check_schedule()


def link_for(address):
    messages = [m for m in mail.outbox if m.to == [address]]
    links = df.links_in(messages)
    assert links, f"no link was sent to {address}"
    return links[-1]


# --- Launch ----------------------------------------------------------------------------------


def test_launch_asks_every_active_designation_at_its_best_address(world):
    check = launch(world, message="Annual test of the network.")

    recipients = {r.designation_id: r for r in check.recipients.all()}
    assert set(recipients) == {world["ar"].pk, world["br"].pk, world["cl"].pk}
    # A duty desk is written to at its functional mailbox, a person at the institutional one;
    # personal addresses are never used.
    assert recipients[world["ar"].pk].email == "guardia@example.gob.ar"
    assert recipients[world["br"].pk].email == "bruna.silva@example.gov.br"
    assert recipients[world["cl"].pk].email == ""
    assert recipients[world["cl"].pk].delivery_failed_at is not None
    assert recipients[world["cl"].pk].sent_at is None
    assert recipients[world["ar"].pk].sent_at is not None
    assert recipients[world["br"].pk].sent_at is not None

    assert sorted(m.to[0] for m in mail.outbox) == [
        "bruna.silva@example.gov.br",
        "guardia@example.gob.ar",
    ]
    message = next(m for m in mail.outbox if m.to == ["bruna.silva@example.gov.br"])
    assert (
        message.subject == "Communication check of CSIRTAmericas (national CSIRTs): please confirm"
    )
    assert "Annual test of the network." in message.body
    assert "Dear Bruna Silva," in message.body
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    (path,) = df.links_in([message])
    token = path.split("/")[-2]
    data = signing.loads(token, salt=checks.RESPONSE_SALT)
    assert data["r"] == recipients[world["br"].pk].pk
    # Only the digest of the nonce is stored.
    stored = recipients[world["br"].pk].nonce_digest
    assert stored == hashlib.sha256(data["n"].encode()).hexdigest()
    assert data["n"] not in stored

    event = AuditEvent.objects.get(action="directory.check.launch")
    assert event.actor_id == world["admin"].pk
    assert event.object_id == str(check.pk)
    assert event.changes["recipients"] == 3
    assert event.changes["without_address"] == 1


def test_launch_is_the_secretariats_and_validated(world):
    coordinator = af.national_coordinator("AR", "csirtamericas")
    network = af.network("csirtamericas")
    soon = timezone.now() + dt.timedelta(hours=72)
    with pytest.raises(PermissionDenied):
        checks.launch_check(actor=coordinator, network=network, deadline=soon)
    with pytest.raises(ValidationError) as error:
        checks.launch_check(
            actor=world["admin"], network=network, deadline=timezone.now() - dt.timedelta(hours=1)
        )
    assert error.value.message_dict == {"deadline": ["The deadline must be in the future."]}
    with pytest.raises(ValidationError) as error:
        checks.launch_check(
            actor=world["admin"], network=af.network("aviation-security"), deadline=soon
        )
    assert error.value.message_dict == {"network": ["No contact is designated to this network."]}
    launch(world)
    with pytest.raises(ValidationError) as error:
        checks.launch_check(actor=world["admin"], network=network, deadline=soon)
    assert error.value.message_dict == {
        "network": ["A check of this network is still open: close it first."]
    }
    assert CommunicationCheck.objects.count() == 1


# --- The link: GET changes nothing, POST confirms once ----------------------------------------


def test_get_shows_one_button_and_changes_nothing(world, client: Client):
    check = launch(world)
    path = link_for("bruna.silva@example.gov.br")
    designation = ContactDesignation.objects.get(pk=world["br"].pk)
    events = AuditEvent.objects.count()

    response = client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert len(re.findall(r"<form method=\"post\">", html)) == 1
    assert "Confirm that I received it" in html
    assert "Bruna Silva" in html and "CSIRTAmericas" in html
    # Nothing beyond the network's name and the contact's own name.
    for secret in ("bruna.silva@example.gov.br", "bruna@example.com", "+55", "Institution"):
        assert secret not in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    assert recipient_of(check, designation).responded_at is None
    designation.refresh_from_db()
    assert designation.last_verified_at == world["br"].last_verified_at
    assert AuditEvent.objects.count() == events


def test_post_confirms_verifies_the_designation_and_is_audited(world, client: Client):
    check = launch(world)
    path = link_for("bruna.silva@example.gov.br")
    ContactDesignation.objects.filter(pk=world["br"].pk).update(
        last_verified_at=timezone.now() - dt.timedelta(days=170),
        reminder_sent_at=timezone.now() - dt.timedelta(days=1),
    )

    response = client.post(path)

    assert response.status_code == 200
    assert (
        "your answer to the communication check of CSIRTAmericas (national CSIRTs) is recorded"
        in (response.content.decode())
    )
    recipient = recipient_of(check, world["br"])
    assert recipient.responded_at is not None
    designation = ContactDesignation.objects.get(pk=world["br"].pk)
    assert designation.last_verified_at == recipient.responded_at
    assert designation.reminder_sent_at is None
    event = AuditEvent.objects.get(action="directory.check.respond")
    assert event.actor_id is None
    assert event.actor_label == "bruna.silva@example.gov.br"
    assert event.object_type == "directory.contactdesignation"
    assert event.object_id == str(designation.pk)
    assert event.subject_member_state_id == af.state("BR").pk
    assert event.changes["check"] == check.pk
    assert event.changes["verified"] is True
    # The other contact has not answered.
    assert recipient_of(check, world["ar"]).responded_at is None


def test_a_used_link_is_answered_409_and_confirms_nothing_again(world, client: Client):
    check = launch(world)
    path = link_for("bruna.silva@example.gov.br")
    assert client.post(path).status_code == 200
    first = recipient_of(check, world["br"]).responded_at

    again = client.get(path)
    assert again.status_code == 409
    assert "Already confirmed" in again.content.decode()
    assert client.post(path).status_code == 409
    assert recipient_of(check, world["br"]).responded_at == first
    assert AuditEvent.objects.filter(action="directory.check.respond").count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_forged_links_are_404_and_confirm_nothing(world, client: Client, method):
    check = launch(world)
    path = link_for("bruna.silva@example.gov.br")
    token = path.split("/")[-2]
    recipient = recipient_of(check, world["br"])
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    other_recipient = signing.dumps(
        {"r": recipient_of(check, world["ar"]).pk, "n": "guess"}, salt="another salt"
    )
    unsigned = signing.dumps({"r": recipient.pk, "n": "x"}, salt=checks.VERIFY_SALT)
    for bad in (tampered, "not-a-token", other_recipient, unsigned):
        response = getattr(client, method)(f"/directory/checks/respond/{bad}/")
        assert response.status_code == 404, bad
        assert "This link is not valid" in response.content.decode()
        assert "Bruna" not in response.content.decode()
    assert recipient_of(check, world["br"]).responded_at is None


@pytest.mark.parametrize("how", ["deadline", "closed"])
def test_expired_links_are_410_and_confirm_nothing(world, client: Client, how):
    check = launch(world)
    path = link_for("bruna.silva@example.gov.br")
    if how == "deadline":
        CommunicationCheck.objects.filter(pk=check.pk).update(
            deadline=timezone.now() - dt.timedelta(minutes=1)
        )
    else:
        checks.close_check(actor=world["admin"], check=check)

    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()
        assert (
            "The communication check of CSIRTAmericas (national CSIRTs) is closed"
            in response.content.decode()
        )
    assert recipient_of(check, world["br"]).responded_at is None
    assert not AuditEvent.objects.filter(action="directory.check.respond").exists()


def test_a_reminder_replaces_the_link(world, client: Client):
    check = launch(world)
    first = link_for("bruna.silva@example.gov.br")
    mail.outbox.clear()
    CheckRecipient.objects.filter(check_run=check).update(
        last_reminded_at=timezone.now() - dt.timedelta(hours=2)
    )
    with pytest.raises(PermissionDenied):
        checks.remind_non_responders(actor=af.national_coordinator("BR"), check=check)
    with run_jobs():
        assert checks.remind_non_responders(actor=world["admin"], check=check) == 2
    message = next(m for m in mail.outbox if m.to == ["bruna.silva@example.gov.br"])
    assert message.subject == "Reminder: communication check of CSIRTAmericas (national CSIRTs)"
    second = link_for("bruna.silva@example.gov.br")
    assert second != first

    response = client.post(first)
    assert response.status_code == 410
    assert "This link has been replaced" in response.content.decode()
    assert recipient_of(check, world["br"]).responded_at is None
    assert client.post(second).status_code == 200
    assert recipient_of(check, world["br"]).reminders_sent == 1


# --- Reminders and the schedule ---------------------------------------------------------------


def shift(check, hours):
    """Move a check ``hours`` into the past: launch, deadline, sending and reminders."""
    delta = dt.timedelta(hours=hours)
    CommunicationCheck.objects.filter(pk=check.pk).update(
        launched_at=check.launched_at - delta, deadline=check.deadline - delta
    )
    for recipient in CheckRecipient.objects.filter(check_run=check):
        for field in ("sent_at", "last_reminded_at", "responded_at"):
            if getattr(recipient, field):
                setattr(recipient, field, getattr(recipient, field) - delta)
        recipient.save()
    check.refresh_from_db()


def test_reminders_go_only_to_non_responders_on_schedule(world, client: Client):
    check = launch(world)
    client.post(link_for("guardia@example.gob.ar"))  # Argentina answers at once
    mail.outbox.clear()

    schedule()  # too early: nothing
    assert mail.outbox == []

    shift(check, 25)  # a day has passed: first reminder
    schedule()
    assert [m.to for m in mail.outbox] == [["bruna.silva@example.gov.br"]]
    assert mail.outbox[0].subject.startswith("Reminder:")
    bruna = recipient_of(check, world["br"])
    assert (bruna.reminders_sent, recipient_of(check, world["ar"]).reminders_sent) == (1, 0)
    # Chile's contact has no working address: nobody to remind.
    assert recipient_of(check, world["cl"]).reminders_sent == 0

    mail.outbox.clear()
    schedule()  # the next one is due half-way to the deadline
    assert mail.outbox == []
    shift(check, 24)
    schedule()
    assert [m.to for m in mail.outbox] == [["bruna.silva@example.gov.br"]]
    assert recipient_of(check, world["br"]).reminders_sent == 2

    mail.outbox.clear()
    shift(check, 20)  # still open, but two reminders are the most
    schedule()
    assert mail.outbox == []
    events = AuditEvent.objects.filter(action="directory.check.remind").order_by("id")
    assert [(e.actor_label, e.changes) for e in events] == [
        ("system", {"recipients": 1, "automatic": True}),
        ("system", {"recipients": 1, "automatic": True}),
    ]


def test_manual_reminders_skip_those_just_reminded(world):
    check = launch(world)
    with run_jobs():
        assert checks.remind_non_responders(actor=world["admin"], check=check) == 2
    mail.outbox.clear()
    with run_jobs():
        assert checks.remind_non_responders(actor=world["admin"], check=check) == 0
    assert mail.outbox == []


def test_next_reminder_times():
    launched = timezone.now()
    check = CommunicationCheck(launched_at=launched, deadline=launched + dt.timedelta(hours=72))
    fresh = CheckRecipient(reminders_sent=0)
    assert checks.next_reminder_at(check, fresh) == launched + dt.timedelta(hours=24)
    once = CheckRecipient(reminders_sent=1, last_reminded_at=launched + dt.timedelta(hours=24))
    assert checks.next_reminder_at(check, once) == launched + dt.timedelta(hours=48)
    twice = CheckRecipient(reminders_sent=2, last_reminded_at=launched + dt.timedelta(hours=48))
    assert checks.next_reminder_at(check, twice) is None
    short = CommunicationCheck(launched_at=launched, deadline=launched + dt.timedelta(hours=12))
    assert checks.next_reminder_at(short, fresh) == launched + dt.timedelta(hours=6)


def test_the_schedule_closes_checks_past_their_deadline(world, client: Client):
    check = launch(world)
    path = link_for("bruna.silva@example.gov.br")
    client.post(link_for("guardia@example.gob.ar"))
    schedule()
    check.refresh_from_db()
    assert check.status == CheckStatus.OPEN

    shift(check, 73)
    mail.outbox.clear()
    schedule()

    check.refresh_from_db()
    assert check.status == CheckStatus.CLOSED
    assert check.closed_at is not None
    assert mail.outbox == []  # no reminder for a closed check
    event = AuditEvent.objects.get(action="directory.check.close")
    assert event.actor_id is None and event.actor_label == "system"
    assert event.changes["asked"] == 3 and event.changes["answered"] == 1
    assert event.changes["failed"] == 1
    assert client.post(path).status_code == 410


# --- Statistics --------------------------------------------------------------------------------


def test_response_rate_and_median(world, login):
    check = launch(world)
    now = timezone.now()
    sent = now - dt.timedelta(hours=5)
    CheckRecipient.objects.filter(check_run=check).update(sent_at=sent)
    CheckRecipient.objects.filter(check_run=check, designation=world["ar"]).update(
        responded_at=sent + dt.timedelta(minutes=10)
    )
    CheckRecipient.objects.filter(check_run=check, designation=world["br"]).update(
        responded_at=sent + dt.timedelta(minutes=50)
    )
    stats = checks.stats_for(check.recipients.all())
    assert (stats.asked, stats.answered, stats.failed, stats.waiting) == (3, 2, 1, 0)
    assert stats.percent == 67
    assert stats.median_seconds == 30 * 60

    client = login(world["admin"])
    response = client.get("/directory/checks/")
    assert response.status_code == 200
    html = response.content.decode()
    row = re.search(r"<tr>\s*<th scope=\"row\">.*?</tr>", html, re.S).group(0)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
    assert cells[2:] == ["3", "2", "67 %", "30 min", "1"]


def test_median_of_an_even_count_and_durations():
    now = timezone.now()

    class R:
        def __init__(self, minutes):
            self.sent_at, self.delivery_failed_at = now, None
            self.responded_at = now + dt.timedelta(minutes=minutes) if minutes else None

    stats = checks.stats_for([R(10), R(20), R(None), R(None)])
    assert (stats.answered, stats.waiting, stats.percent, stats.median_seconds) == (2, 2, 50, 900)
    assert checks.stats_for([]).percent is None
    assert [checks.format_duration(s) for s in (None, 42, 900, 3 * 3600 + 300, 50 * 3600)] == [
        "—",
        "42 s",
        "15 min",
        "3 h 5 min",
        "2 d 2 h",
    ]


# --- The live page and the list ---------------------------------------------------------------


def test_live_page_shows_who_answered_per_state_and_polls_while_open(world, login):
    check = launch(world)
    Client().post(link_for("bruna.silva@example.gov.br"))
    client = login(world["admin"])

    response = client.get(f"/directory/checks/{check.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'hx-trigger="every 10s"' in html
    assert f'hx-get="/directory/checks/{check.pk}/"' in html
    for heading in ("Argentina", "Brazil", "Chile"):
        assert f">{heading}</h2>" in html
    brazil = html[html.index(">Brazil</h2>") : html.index(">Chile</h2>")]
    assert "Bruna Silva" in brazil and "Answered" in brazil and "1 of 1 answered" in brazil
    chile = html[html.index(">Chile</h2>") :]
    assert "No working email address" in chile
    argentina = html[html.index(">Argentina</h2>") : html.index(">Brazil</h2>")]
    assert "No answer yet" in argentina
    assert "Send reminders now" in html and "Close the check" in html

    partial = client.get(f"/directory/checks/{check.pk}/", headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    assert "Bruna Silva" in partial.content.decode()

    paused = client.get(f"/directory/checks/{check.pk}/?refresh=off")
    assert "hx-trigger" not in paused.content.decode()

    checks.close_check(actor=world["admin"], check=check)
    last = client.get(f"/directory/checks/{check.pk}/", headers={"HX-Request": "true"})
    assert last.status_code == 286  # htmx stops polling
    closed = client.get(f"/directory/checks/{check.pk}/")
    assert "hx-trigger" not in closed.content.decode()
    assert "Send reminders now" not in closed.content.decode()


def test_remind_and_close_buttons(world, login):
    check = launch(world)
    client = login(world["admin"])
    mail.outbox.clear()
    with run_jobs():
        response = client.post(f"/directory/checks/{check.pk}/remind/", follow=True)
    assert response.status_code == 200
    assert "Reminders are on their way to 2 contacts." in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "bruna.silva@example.gov.br",
        "guardia@example.gob.ar",
    ]
    response = client.post(f"/directory/checks/{check.pk}/close/", follow=True)
    assert "The check is closed." in response.content.decode()
    check.refresh_from_db()
    assert check.status == CheckStatus.CLOSED
    response = client.post(f"/directory/checks/{check.pk}/remind/", follow=True)
    assert "This check is closed." in response.content.decode()
    assert client.get(f"/directory/checks/{check.pk}/remind/").status_code == 405


def test_launch_form(world, login):
    client = login(world["admin"])
    response = client.get("/directory/checks/launch/?network=csirtamericas")
    assert response.status_code == 200
    html = response.content.decode()
    csirt = af.network("csirtamericas")
    assert re.search(
        rf'<option value="{csirt.pk}" selected>CSIRTAmericas \(national CSIRTs\) \(3 designations\)',
        html,
    )
    assert 'value="72"' in html

    response = client.post(
        "/directory/checks/launch/", {"network": csirt.pk, "deadline_hours": 0, "message": ""}
    )
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()
    aviation = af.network("aviation-security")
    response = client.post(
        "/directory/checks/launch/", {"network": aviation.pk, "deadline_hours": 72}
    )
    assert "No contact is designated to this network." in response.content.decode()
    assert CommunicationCheck.objects.count() == 0

    mail.outbox.clear()
    with run_jobs():
        response = client.post(
            "/directory/checks/launch/",
            {"network": csirt.pk, "deadline_hours": 48, "message": "Hello"},
        )
    check = CommunicationCheck.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/directory/checks/{check.pk}/"
    assert check.launched_by == world["admin"]
    assert dt.timedelta(hours=47, minutes=59) < check.deadline - check.launched_at
    assert check.deadline - check.launched_at <= dt.timedelta(hours=48, seconds=5)
    assert len(mail.outbox) == 2  # sent after commit
    page = client.get(response["Location"])
    assert "The check is launched: 3 contacts are asked." in page.content.decode()


# --- Who may see and do what -------------------------------------------------------------------


def test_authorization(world):
    check = launch(world)
    urls = {
        "list": "/directory/checks/",
        "detail": f"/directory/checks/{check.pk}/",
        "launch": "/directory/checks/launch/",
    }
    posts = {
        "remind": f"/directory/checks/{check.pk}/remind/",
        "close": f"/directory/checks/{check.pk}/close/",
    }

    anonymous = Client()
    for url in [*urls.values(), *posts.values()]:
        response = getattr(anonymous, "get" if url in urls.values() else "post")(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/")

    member = af.UserFactory()
    af.grant(member, "member", network_slug="csirtamericas")
    other_coordinator = af.national_coordinator("CO", "unscr-1540")
    af.add_totp(other_coordinator)
    coordinator = af.national_coordinator("AR", "csirtamericas")
    af.add_totp(coordinator)

    expected = {
        member: {"list": 404, "detail": 404, "launch": 404, "remind": 404, "close": 404},
        other_coordinator: {"list": 200, "detail": 404, "launch": 403, "remind": 404, "close": 404},
        coordinator: {"list": 200, "detail": 200, "launch": 403, "remind": 403, "close": 403},
        world["admin"]: {"list": 200, "detail": 200, "launch": 200},
    }
    for user, codes in expected.items():
        client = Client()
        client_login(client, user)
        for name, code in codes.items():
            response = client.get(urls[name]) if name in urls else client.post(posts[name])
            assert response.status_code == code, (user.username, name, response.status_code)
        if user is other_coordinator:
            assert "CSIRTAmericas" not in client.get(urls["list"]).content.decode()
        if user is coordinator:
            assert "Send reminders now" not in client.get(urls["detail"]).content.decode()
    check.refresh_from_db()
    assert check.status == CheckStatus.OPEN
    assert CheckRecipient.objects.filter(check_run=check, reminders_sent__gt=0).count() == 0


def client_login(client, user):
    """Sign in through the real forms (with the TOTP code where the account has a device)."""
    from cicte.accounts.models import TOTPDevice

    response = client.post("/accounts/login/", {"username": user.username, "password": af.PASSWORD})
    assert response.status_code == 302
    if response["Location"].endswith("/accounts/login/verify/"):
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        response = client.post("/accounts/login/verify/", {"token": af.totp_now(device)})
        assert response.status_code == 302
    return client


def test_navigation_offers_checks_to_those_who_see_them(world, login):
    client = login(world["admin"])
    assert 'href="/directory/checks/"' in client.get("/").content.decode()
    member = af.UserFactory()
    af.grant(member, "member", network_slug="csirtamericas")
    other = client_login(Client(), member)
    assert 'href="/directory/checks/"' not in other.get("/").content.decode()


def count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_and_live_page_queries_do_not_grow_with_rows(world, login):
    client = login(world["admin"])
    first = launch(world)
    list_one = count_queries(client, "/directory/checks/")
    live_small = count_queries(client, f"/directory/checks/{first.pk}/")

    checks.close_check(actor=world["admin"], check=first)
    admin = world["admin"]
    for code in ("CO", "MX", "PE", "UY"):
        df.designation(
            df.contact(af.OrganizationFactory(member_state=af.state(code)), actor=admin),
            "csirtamericas",
            "national_poc",
            actor=admin,
        )
    second = launch(world)
    checks.close_check(actor=admin, check=second)
    third = launch(world)
    Client().post(link_for("bruna.silva@example.gov.br"))

    assert count_queries(client, "/directory/checks/") == list_one
    assert count_queries(client, f"/directory/checks/{third.pk}/") == live_small
    assert third.recipients.count() == 7
