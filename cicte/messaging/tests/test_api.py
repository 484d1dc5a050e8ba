"""The exchange API: send, acknowledge, answer, close, the delivery record, the metrics and the
token scopes, through the same services and rules as the pages; and the audit events of reads,
exports and downloads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from cicte.accounts.tests import factories as af
from cicte.core.models import AuditEvent
from cicte.messaging.models import Delivery, Message
from cicte.messaging.tests import helpers

pytestmark = pytest.mark.django_db


def _api(user, *scopes):
    _token, secret = af.api_token(user, *(scopes or ("exchange:write",)))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def test_send_acknowledge_answer_close(django_capture_on_commit_callbacks):
    w = helpers.world()
    co, mx = _api(w.co_user), _api(w.mx_user)
    due = (timezone.now() + dt.timedelta(days=2)).isoformat()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = co.post(
            "/api/exchange/messages/",
            {"network": helpers.IANT, "kind": "rfi", "subject": "Passenger list",
             "body": "Please check flight AV 123.", "states": ["MX"], "due_at": due,
             "urgency": "priority", "tlp": "amber"},
            format="json",
        )  # fmt: skip
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["sender_state"] == "CO" and data["addressed_states"] == ["MX"]
    assert data["reference"].startswith("IANT-")
    assert len(mail.outbox) == 1, [(m.to, m.subject) for m in mail.outbox]
    pk = data["id"]

    ack = mx.post(f"/api/exchange/messages/{pk}/acknowledge/")
    assert ack.status_code == 200
    assert ack.json()[0]["acknowledged_by"] == w.mx_user.get_full_name()
    assert mx.post(f"/api/exchange/messages/{pk}/acknowledge/").status_code == 200  # idempotent
    assert _api(w.ar_user).post(f"/api/exchange/messages/{pk}/acknowledge/").status_code == 404
    assert co.post(f"/api/exchange/messages/{pk}/acknowledge/").status_code == 403

    answer = mx.post(f"/api/exchange/messages/{pk}/reply/", {"body": "No match."}, format="json")
    assert answer.status_code == 201
    assert answer.json()["thread"] == pk and answer.json()["kind"] == "response"

    records = co.get(f"/api/exchange/messages/{pk}/deliveries/").json()
    assert [(r["member_state"], r["answered_by"]) for r in records] == [
        ("MX", w.mx_user.get_full_name())
    ]
    assert records[0]["read_at"] is not None

    assert mx.post(f"/api/exchange/messages/{pk}/close/").status_code == 403
    closed = co.post(f"/api/exchange/messages/{pk}/close/")
    assert closed.status_code == 200 and closed.json()["closed_at"]
    late = mx.post(f"/api/exchange/messages/{pk}/reply/", {"body": "More."}, format="json")
    assert late.status_code == 403

    search = co.get("/api/exchange/messages/", {"q": "passenger", "open_requests": "true"})
    assert search.json()["count"] == 0
    assert co.get("/api/exchange/messages/", {"q": "passenger"}).json()["count"] == 2  # and "Re:"
    figures = co.get("/api/exchange/metrics/").json()
    assert [(f["member_state"], f["acknowledged"], f["answered"]) for f in figures] == [
        (None, 1, 1),
        ("MX", 1, 1),
    ]


def test_bad_input_is_400_with_fields():
    w = helpers.world()
    response = _api(w.co_user).post(
        "/api/exchange/messages/",
        {"network": helpers.IANT, "kind": "rfi", "subject": "x", "body": "y", "states": ["PE"]},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"due_at", "states"}
    assert not Message.objects.exists()


def test_multipart_attachment_and_mismatch():
    w = helpers.world()
    client = _api(w.co_user)
    payload = {"network": helpers.IANT, "kind": "alert", "subject": "s", "body": "b",
               "states": ["MX"]}  # fmt: skip
    bad = client.post(
        "/api/exchange/messages/",
        {**payload, "attachments": [helpers.pdf("photo.png")]},
        format="multipart",
    )
    assert bad.status_code == 400
    assert "photo.png" in bad.json()["detail"]["attachments"][0]
    good = client.post(
        "/api/exchange/messages/", {**payload, "attachments": [helpers.pdf()]}, format="multipart"
    )
    assert good.status_code == 201, good.json()
    assert [a["name"] for a in good.json()["attachments"]] == ["report.pdf"]


def test_token_scopes():
    w = helpers.world()
    message = helpers.send(w)
    reader = _api(w.mx_user, "exchange:read")
    assert reader.get(f"/api/exchange/messages/{message.pk}/").status_code == 200
    assert reader.post(f"/api/exchange/messages/{message.pk}/acknowledge/").status_code == 403
    other = _api(w.mx_user, "intel:read")
    assert other.get("/api/exchange/messages/").status_code == 403
    assert Delivery.objects.get().acknowledged_at is None


def test_reads_exports_and_downloads_are_audited():
    w = helpers.world()
    message = helpers.send(w, files=(helpers.pdf(),))
    attachment = message.attachments.get()
    client = Client()
    client.force_login(w.mx_user)
    assert client.get(f"/exchange/{message.pk}/").status_code == 200
    pdf = client.get(f"/exchange/{message.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].startswith("attachment;")
    assert client.get(f"/exchange/attachments/{attachment.pk}/").status_code == 200
    _api(w.mx_user).get(f"/api/exchange/messages/{message.pk}/")
    events = list(
        AuditEvent.objects.filter(actor=w.mx_user, action__startswith="messaging.")
        .order_by("id")
        .values_list("action", "object_id", "object_repr")
    )
    assert [e[0] for e in events] == [
        "messaging.message.view",
        "messaging.thread.export",
        "messaging.attachment.download",
        "messaging.message.view",
    ]
    # The trail never names the file or the subject (readers of the trail may not read them).
    assert all("report.pdf" not in e[2] and message.subject not in e[2] for e in events)
    # A hidden message's export or attachment is neither served nor audited.
    client.force_login(w.ar_user)
    assert client.get(f"/exchange/{message.pk}/pdf/").status_code == 404
    assert client.get(f"/exchange/attachments/{attachment.pk}/").status_code == 404
    assert not AuditEvent.objects.filter(actor=w.ar_user, action__startswith="messaging.").exists()


def test_compose_page_sends():
    w = helpers.world()
    client = Client()
    client.force_login(w.co_user)
    page = client.get("/exchange/new/")
    assert page.status_code == 200
    response = client.post(
        "/exchange/new/",
        {"network": w.network.pk, "sender": str(w.co.pk), "kind": "alert",
         "urgency": "immediate", "tlp": "amber", "states": [w.mx.pk], "subject": "Alert",
         "body": "Text", "attachments": [helpers.pdf()]},
    )  # fmt: skip
    message = Message.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exchange/{message.pk}/"
    assert message.attachments.count() == 1
    refused = client.post(
        "/exchange/new/",
        {"network": w.network.pk, "sender": str(w.co.pk), "kind": "alert", "urgency": "routine",
         "tlp": "amber", "subject": "x", "body": "y"},
    )  # fmt: skip
    assert refused.status_code == 400
    assert (
        "Address the whole network or at least one other member state." in refused.content.decode()
    )
    observer = af.UserFactory(organization=w.ar_user.organization)
    af.grant(observer, "observer", network_slug=helpers.IANT)
    other = Client()
    other.force_login(observer)
    assert other.get("/exchange/new/").status_code == 403


def test_lists_take_a_constant_number_of_queries(django_assert_max_num_queries):
    w = helpers.world()
    client = _api(w.co_user, "exchange:read")
    page = Client()
    page.force_login(w.co_user)
    helpers.send(w, files=(helpers.pdf(),))
    client.get("/api/exchange/messages/")  # warm the per-request caches of the token
    with django_assert_max_num_queries(20) as few:
        assert client.get("/api/exchange/messages/").json()["count"] == 1
    with django_assert_max_num_queries(25) as page_few:
        page.get("/exchange/")
    for _ in range(5):
        helpers.send(w, to=(w.mx, w.ar), files=(helpers.pdf(),))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/exchange/messages/").json()["count"] == 6
    with django_assert_max_num_queries(len(page_few.captured_queries)):
        page.get("/exchange/")


def test_figures_beside_the_communication_checks(login):
    w = helpers.world()
    message = helpers.send(w)
    from cicte.messaging import services

    services.acknowledge(actor=w.mx_user, message=message)
    coordinator = af.national_coordinator("MX", helpers.IANT)
    af.add_totp(coordinator)
    page = login(coordinator).get("/directory/checks/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Secure exchange: the last 90 days" in html
    assert "Median time to acknowledge" in html and "Mexico" in html


def test_compose_page_refuses_a_large_attachment(settings):
    settings.EXCHANGE_MAX_ATTACHMENT_BYTES = 10
    w = helpers.world()
    client = Client()
    client.force_login(w.co_user)
    response = client.post(
        "/exchange/new/",
        {"network": w.network.pk, "sender": str(w.co.pk), "kind": "alert",
         "urgency": "routine", "tlp": "amber", "states": [w.mx.pk], "subject": "Alert",
         "body": "Text", "attachments": [helpers.pdf()]},
    )  # fmt: skip
    assert response.status_code == 400
    assert "each file may be up to 10" in response.content.decode()
    assert not Message.objects.exists()
