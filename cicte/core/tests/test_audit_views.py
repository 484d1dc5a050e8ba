"""The audit trail in the UI: who sees which part, the filters, the pages, the CSV export."""

from __future__ import annotations

import csv
import datetime
import io
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cicte.accounts.tests import factories
from cicte.core import audit
from cicte.core.filtersets import AuditEventFilterSet
from cicte.core.models import AuditEvent
from cicte.core.views_audit import CSV_HEADER, PAGE_SIZE

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    """Three member states' people acting on each other's records, and one failed login."""
    ar_org = factories.OrganizationFactory(member_state=factories.state("AR"))
    br_org = factories.OrganizationFactory(member_state=factories.state("BR"))
    admin = factories.secretariat_admin(username="admin")
    factories.add_totp(admin)
    coordinator = factories.national_coordinator("AR", username="coordinator")
    factories.add_totp(coordinator)
    member = factories.UserFactory(username="member", organization=ar_org)
    colleague = factories.UserFactory(username="colleague", organization=ar_org)
    foreigner = factories.UserFactory(username="foreigner", organization=br_org)
    events = {
        "member": audit.record(actor=member, action="test.member", obj=member),
        "ar": audit.record(actor=colleague, action="test.ar", obj=colleague),
        "br": audit.record(actor=foreigner, action="test.br", obj=foreigner),
        "br_on_ar": audit.record(actor=foreigner, action="test.br_on_ar", obj=ar_org),
        "anonymous": audit.record(actor=None, action="test.anonymous", actor_label="nobody"),
        # A failed sign-in aimed at the member's account: no actor, but the member sees it.
        "failed_login": audit.record(
            actor=None, action="auth.login_failed", obj=member, actor_label="member"
        ),
    }
    return {
        "admin": admin,
        "coordinator": coordinator,
        "member": member,
        "foreigner": foreigner,
        "events": events,
    }


def _shown_ids(response: Any) -> list[int]:
    assert response.status_code == 200
    return [event.pk for event in response.context["page"].items]


def _ids(**filters: Any) -> list[int]:
    return list(AuditEvent.objects.filter(**filters).order_by("-id").values_list("id", flat=True))


# --- who sees what


@pytest.mark.parametrize("path", ["/audit/", "/audit/1/", "/audit/999999/", "/audit/export.csv"])
def test_anonymous_is_sent_to_login(client, world, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_member_sees_only_own_events(client, login, world):
    member = world["member"]
    login(member)
    shown = _shown_ids(client.get("/audit/"))
    events = world["events"]
    assert set(shown) == set(_ids(actor=member)) | {events["failed_login"].pk}
    assert events["member"].pk in shown
    assert {events[k].pk for k in ("ar", "br", "br_on_ar", "anonymous")}.isdisjoint(shown)
    response = client.get("/audit/")
    assert b"You see your own actions." in response.content
    assert b"test.ar" not in response.content


def test_coordinator_sees_own_state_part(client, login, world):
    coordinator = world["coordinator"]
    events = world["events"]
    login(coordinator)
    shown = _shown_ids(client.get("/audit/"))
    expected = {
        events["member"].pk,
        events["ar"].pk,
        events["br_on_ar"].pk,
        events["failed_login"].pk,
    }
    expected |= set(_ids(actor=coordinator))
    assert set(shown) == expected
    assert events["br"].pk not in shown
    assert events["anonymous"].pk not in shown
    assert shown == sorted(shown, reverse=True)
    assert b"You see the part of the trail of Argentina, and your own actions." in (
        client.get("/audit/").content
    )


def test_secretariat_administrator_sees_everything(client, login, world):
    login(world["admin"])
    response = client.get("/audit/")
    assert _shown_ids(response) == _ids()
    assert b"You see the whole trail." in response.content


@pytest.mark.parametrize(
    ("who", "visible", "hidden"),
    [
        ("member", ["member", "failed_login"], ["ar", "br", "br_on_ar", "anonymous"]),
        ("coordinator", ["member", "ar", "br_on_ar", "failed_login"], ["br", "anonymous"]),
        ("admin", ["member", "ar", "br", "br_on_ar", "anonymous", "failed_login"], []),
    ],
)
def test_detail_answers_404_when_not_visible(client, login, world, who, visible, hidden):
    login(world[who])
    for key in visible:
        event = world["events"][key]
        response = client.get(f"/audit/{event.pk}/")
        assert response.status_code == 200, key
        assert event.hash.encode() in response.content
        assert event.prev_hash.encode() in response.content
        assert event.action.encode() in response.content
    for key in hidden:
        response = client.get(f"/audit/{world['events'][key].pk}/")
        assert response.status_code == 404, key
        assert world["events"][key].hash.encode() not in response.content
    assert client.get("/audit/999999/").status_code == 404


def test_detail_shows_every_field_and_the_chain(client, login, world):
    login(world["admin"])
    event = world["events"]["br_on_ar"]
    response = client.get(f"/audit/{event.pk}/")
    content = response.content.decode()
    assert response.context["event"] == event
    assert response.context["content_intact"] is True
    assert response.context["link_intact"] is True
    for text in [
        f"Audit event #{event.pk}",
        "foreigner",
        str(event.organization),
        "Brazil (BR)",
        "Argentina (AR)",
        "accounts.organization",
        str(event.object_repr),
        event.hash,
        event.prev_hash,
    ]:
        assert text in content, text


def test_detail_shows_old_and_new_values(client, login, world):
    admin = world["admin"]
    event = audit.record(
        actor=admin,
        action="accounts.organization.update",
        obj=admin.organization,
        changes={"website": ["https://old.example", "https://new.example"]},
    )
    login(admin)
    response = client.get(f"/audit/{event.pk}/")
    assert response.context["changes_kind"] == "diff"
    assert response.context["changes"] == [
        ("website", "https://old.example", "https://new.example")
    ]
    assert b"https://new.example" in response.content


def test_detail_says_when_an_event_was_altered(client, login, world):
    event = world["events"]["ar"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET action = %s WHERE id = %s",
            ["test.altered", event.pk],
        )
    login(world["admin"])
    response = client.get(f"/audit/{event.pk}/")
    assert response.context["content_intact"] is False
    assert response.context["link_intact"] is True
    assert b"No: this event was altered" in response.content


def test_viewing_the_trail_is_not_audited(client, login, world):
    login(world["admin"])
    before = AuditEvent.objects.count()
    assert client.get("/audit/").status_code == 200
    assert client.get(f"/audit/{world['events']['ar'].pk}/").status_code == 200
    assert client.get("/audit/?action=test.").status_code == 200
    assert AuditEvent.objects.count() == before


def test_only_get_is_allowed(client, login, world):
    login(world["admin"])
    assert client.post("/audit/").status_code == 405
    assert client.post("/audit/export.csv").status_code == 405


# --- filters


def _filtered(data: dict[str, str]) -> list[int]:
    filterset = AuditEventFilterSet(data, queryset=AuditEvent.objects.all())
    assert filterset.is_valid(), filterset.errors
    return sorted(filterset.qs.values_list("id", flat=True))


def test_filter_by_actor_action_object_and_state(world):
    events = world["events"]

    def ids(*keys: str) -> list[int]:
        return sorted(events[k].pk for k in keys)

    assert _filtered({"actor": "FOREIGNER"}) == ids("br", "br_on_ar")
    assert _filtered({"actor": "nobody"}) == ids("anonymous")
    assert _filtered({"action": "test.br"}) == ids("br", "br_on_ar")
    assert _filtered({"action": "test.br_"}) == ids("br_on_ar")
    assert _filtered({"action": "br"}) == []
    assert _filtered({"object_type": "accounts.organization"}) == ids("br_on_ar")
    assert _filtered({"object_type": "accounts.user", "actor": "foreigner"}) == ids("br")
    assert _filtered({"object_id": str(world["foreigner"].pk), "action": "test."}) == ids("br")
    # The member state matches the actor's state or the record's.
    assert _filtered({"member_state": "BR", "action": "test."}) == ids("br", "br_on_ar")
    assert _filtered({"member_state": "AR", "action": "test."}) == ids("member", "ar", "br_on_ar")
    assert _filtered({"member_state": "CL"}) == []


def test_filter_by_ip_address(world):
    actor = world["member"]
    with audit.request_context("198.51.100.23"):
        event = audit.record(actor=actor, action="test.from_address", obj=actor)
    with audit.request_context("2001:db8::1"):
        event6 = audit.record(actor=actor, action="test.from_address", obj=actor)
    assert _filtered({"ip": "198.51.100.23"}) == [event.pk]
    assert _filtered({"ip": "2001:db8::1"}) == [event6.pk]
    assert _filtered({"ip": "198.51.100.24"}) == []


def test_invalid_filters_show_errors_and_no_events(client, login, world):
    login(world["admin"])
    response = client.get("/audit/?ip=not-an-address&member_state=ZZ")
    assert response.status_code == 200
    assert response.context["page"].items == []
    errors = response.context["filterset"].errors
    assert set(errors) == {"ip", "member_state"}
    assert b"Some filters are not valid" in response.content
    assert b"<li>IP address: Enter a valid IPv4 or IPv6 address.</li>" in response.content


def test_filter_by_dates_includes_whole_days(world):
    def at(moment: datetime.datetime) -> AuditEvent:
        # An event of the past, appended to the chain as audit.record would.
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event = AuditEvent(occurred_at=moment, action="test.dated", prev_hash=last)
        event.hash = event.compute_hash()
        event.save()
        return event

    utc = datetime.UTC
    late = at(datetime.datetime(2024, 3, 9, 23, 59, 59, 999999, tzinfo=utc))
    early = at(datetime.datetime(2024, 3, 10, 0, 0, tzinfo=utc))
    later = at(datetime.datetime(2024, 3, 11, 12, 0, tzinfo=utc))
    base = {"action": "test.dated"}
    assert _filtered({**base, "date_to": "2024-03-09"}) == [late.pk]
    assert _filtered({**base, "date_from": "2024-03-10"}) == [early.pk, later.pk]
    assert _filtered({**base, "date_from": "2024-03-10", "date_to": "2024-03-10"}) == [early.pk]
    assert _filtered({**base, "date_from": "2024-03-12"}) == []
    today = timezone.localdate().isoformat()
    assert _filtered({"date_from": today, "action": "test.member"}) == [
        world["events"]["member"].pk
    ]


def test_list_applies_filters_within_what_is_visible(client, login, world):
    login(world["coordinator"])
    shown = _shown_ids(client.get("/audit/?member_state=BR"))
    # The coordinator sees BR people's actions only where they touch AR records.
    assert shown == [world["events"]["br_on_ar"].pk]


# --- pages


def test_pages_walk_the_whole_list_without_overlap(client, login, world):
    admin = world["admin"]
    for i in range(2 * PAGE_SIZE + 7):
        audit.record(actor=admin, action="test.bulk", changes={"i": i})
    login(admin)
    expected = _ids(action="test.bulk")
    seen: list[int] = []
    url = "/audit/?action=test.bulk"
    pages = []
    while True:
        response = client.get(url)
        page = response.context["page"]
        pages.append([e.pk for e in page.items])
        seen.extend(e.pk for e in page.items)
        if page.older_cursor is None:
            break
        assert f"before={page.older_cursor}".encode() in response.content
        url = f"/audit/?action=test.bulk&before={page.older_cursor}"
    assert seen == expected
    assert [len(p) for p in pages] == [PAGE_SIZE, PAGE_SIZE, 7]
    # And back: newer than the last page's first event is the middle page again.
    response = client.get(f"/audit/?action=test.bulk&after={pages[2][0]}")
    assert [e.pk for e in response.context["page"].items] == pages[1]
    assert response.context["page"].newer_cursor == pages[1][0]
    assert response.context["page"].older_cursor == pages[1][-1]
    response = client.get(f"/audit/?action=test.bulk&after={pages[1][0]}")
    assert [e.pk for e in response.context["page"].items] == pages[0]
    assert response.context["page"].newer_cursor is None


def test_bad_cursors_are_ignored(client, login, world):
    login(world["admin"])
    first = _shown_ids(client.get("/audit/"))
    assert _shown_ids(client.get("/audit/?before=abc")) == first
    assert _shown_ids(client.get("/audit/?after=-3")) == first
    assert _shown_ids(client.get("/audit/?before=0")) == first
    assert _shown_ids(client.get("/audit/?before=%C2%B2")) == first  # a superscript two
    assert _shown_ids(client.get(f"/audit/?before={10**30}")) == first


def test_the_list_runs_the_same_queries_for_few_and_many_events(client, login, world):
    admin = world["admin"]
    login(admin)
    client.get("/audit/")  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert client.get("/audit/").status_code == 200
    for i in range(PAGE_SIZE + 5):
        audit.record(actor=admin, action="test.bulk", obj=admin.organization, changes={"i": i})
    with CaptureQueriesContext(connection) as many:
        assert client.get("/audit/").status_code == 200
    assert len(many) == len(few)
    assert not any("COUNT(" in q["sql"].upper() for q in many.captured_queries)


def test_htmx_gets_only_the_results(client, login, world):
    login(world["admin"])
    response = client.get("/audit/?action=test.ar", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.templates[0].name == "core/audit_results.html"
    content = response.content.decode()
    assert content.startswith('<section id="audit-results"')
    assert "<html" not in content
    assert "HX-Request" in response["Vary"]
    assert _shown_ids(response) == [world["events"]["ar"].pk]


# --- export


def _csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-trail-')
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_export_holds_the_filtered_visible_events_and_is_audited(client, login, world):
    coordinator = world["coordinator"]
    events = world["events"]
    login(coordinator)
    rows = _csv(client.get("/audit/export.csv?action=test."))
    assert rows[0] == CSV_HEADER
    exported = [int(row[0]) for row in rows[1:]]
    assert exported == [events["br_on_ar"].pk, events["ar"].pk, events["member"].pk]
    by_id = {int(row[0]): dict(zip(CSV_HEADER, row, strict=True)) for row in rows[1:]}
    row = by_id[events["br_on_ar"].pk]
    event = events["br_on_ar"]
    assert row == {
        "id": str(event.pk),
        "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
        "actor": "foreigner",
        "actor_id": str(world["foreigner"].pk),
        "organization": world["foreigner"].organization.name,
        "organization_id": str(world["foreigner"].organization_id),
        "member_state": "BR",
        "subject_member_state": "AR",
        "ip_address": "",
        "action": "test.br_on_ar",
        "object_type": "accounts.organization",
        "object_id": event.object_id,
        "object": event.object_repr,
        "changes": "",
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }
    export = AuditEvent.objects.order_by("-id").first()
    assert export is not None
    assert export.action == "audit.export"
    assert export.actor_id == coordinator.pk
    assert export.changes == {"rows": 3, "filters": {"action": "test."}}
    assert export.pk not in exported


def test_export_without_filters_for_an_administrator(client, login, world):
    admin = world["admin"]
    login(admin)
    before = _ids()
    rows = _csv(client.get("/audit/export.csv"))
    assert [int(row[0]) for row in rows[1:]] == before
    export = AuditEvent.objects.order_by("-id").first()
    assert export.action == "audit.export"
    assert export.changes == {"rows": len(before), "filters": {}}


def test_export_of_a_member_holds_own_events_only(client, login, world):
    member = world["member"]
    login(member)
    expected = sorted(set(_ids(actor=member)) | {world["events"]["failed_login"].pk}, reverse=True)
    rows = _csv(client.get("/audit/export.csv"))
    assert [int(row[0]) for row in rows[1:]] == expected
    assert world["events"]["ar"].hash not in json.dumps(rows)


def test_export_neutralises_spreadsheet_formulas(client, login, world):
    admin = world["admin"]
    audit.record(
        actor=admin,
        action="test.formula",
        object_repr='=HYPERLINK("http://evil.example","x")',
        actor_label="@admin",
        changes={"note": "+1"},
    )
    login(admin)
    rows = _csv(client.get("/audit/export.csv?action=test.formula"))
    row = dict(zip(CSV_HEADER, rows[1], strict=True))
    assert row["object"] == '\'=HYPERLINK("http://evil.example","x")'
    assert row["actor"] == "'@admin"
    assert row["changes"] == '{"note": "+1"}'


def test_export_with_invalid_filters_goes_back_to_the_list(client, login, world):
    login(world["admin"])
    before = AuditEvent.objects.count()
    response = client.get("/audit/export.csv?ip=nope")
    assert response.status_code == 302
    assert response["Location"] == "/audit/?ip=nope"
    assert AuditEvent.objects.count() == before


def test_export_link_carries_the_filters(client, login, world):
    login(world["admin"])
    response = client.get("/audit/?action=test.&member_state=AR&before=")
    assert response.context["export_url"] == "/audit/export.csv?action=test.&member_state=AR"
