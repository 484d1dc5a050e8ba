"""The authorisation matrix of the exchange: {sender, addressed state, other state of the
network, other network, Secretariat member of the network, Secretariat administrator outside
it, anonymous} x {page list, thread page, PDF, attachment, API list, API retrieve, API
attachment}; and the TLP:RED and AMBER cases. Hidden looks absent: 404 for signed-in people,
the login page for anonymous visitors, 401 on the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cicte.accounts.tests import factories as af
from cicte.core.choices import TLP
from cicte.core.models import AuditEvent
from cicte.messaging.models import Delivery, Message
from cicte.messaging.tests import helpers

pytestmark = pytest.mark.django_db

READERS = {"sender": True, "addressed": True, "other_state": False, "other_network": False,
           "secretariat": True, "secretariat_admin": False}  # fmt: skip


def _user(w: helpers.World, who: str) -> Any:
    return {
        "sender": w.co_user,
        "addressed": w.mx_user,
        "other_state": w.ar_user,
        "other_network": w.other_network,
        "secretariat": w.secretariat,
        "secretariat_admin": w.admin,
    }[who]


def _signed_in(user: Any) -> Client:
    """A client signed in through the real forms (with the second factor where the role needs
    it)."""
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": af.PASSWORD})
    assert response.status_code == 302
    if user.requires_mfa:
        device = af.add_totp(user)
        if response["Location"].endswith("/accounts/login/verify/"):
            response = client.post("/accounts/login/verify/", {"token": af.totp_now(device)})
        else:
            client = Client()
            client.post("/accounts/login/", {"username": user.username, "password": af.PASSWORD})
            client.post("/accounts/login/verify/", {"token": af.totp_now(device)})
    return client


def _api(user: Any) -> APIClient:
    _token, secret = af.api_token(user, "exchange:write")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.fixture
def world() -> helpers.World:
    return helpers.world()


@pytest.mark.parametrize("who", sorted(READERS))
def test_pages_and_api(world: helpers.World, who: str) -> None:
    message = helpers.send(world, files=(helpers.pdf(),), subject="Veracruz precursors")
    attachment = message.attachments.get()
    user = _user(world, who)
    can = READERS[who]
    client = _signed_in(user)
    expected = 200 if can else 404

    listing = client.get("/exchange/")
    assert listing.status_code == 200
    assert ("Veracruz precursors" in listing.content.decode()) is can
    assert client.get(f"/exchange/{message.pk}/").status_code == expected
    assert client.get(f"/exchange/{message.pk}/pdf/").status_code == expected
    download = client.get(f"/exchange/attachments/{attachment.pk}/")
    assert download.status_code == expected
    if can:
        assert download["Content-Disposition"].startswith("attachment;")
        assert download["X-Content-Type-Options"] == "nosniff"
        assert b"".join(download.streaming_content) == helpers.PDF

    api = _api(user)
    ids = [row["id"] for row in api.get("/api/exchange/messages/").json()["results"]]
    assert ids == ([message.pk] if can else [])
    detail = api.get(f"/api/exchange/messages/{message.pk}/")
    assert detail.status_code == expected
    if can:
        assert detail.json()["body"] == message.body
    else:
        assert detail.json() == {"error": "Not found.", "detail": None}
    file = api.get(f"/api/exchange/messages/{message.pk}/attachments/{attachment.pk}/")
    assert file.status_code == expected
    # One audit event per read (the thread page, the API), none for the hidden message.
    assert AuditEvent.objects.filter(action="messaging.message.view", actor=user).count() == (
        2 if can else 0
    )
    read = Delivery.objects.get(message=message).read_by
    assert (read == user) is (who == "addressed")


def test_anonymous(world: helpers.World) -> None:
    message = helpers.send(world, files=(helpers.pdf(),))
    attachment = message.attachments.get()
    client = Client()
    for path in (
        "/exchange/",
        f"/exchange/{message.pk}/",
        f"/exchange/{message.pk}/pdf/",
        f"/exchange/attachments/{attachment.pk}/",
        "/exchange/999999/",
        "/exchange/metrics/",
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/")
    api = APIClient()
    for path in (
        "/api/exchange/messages/",
        f"/api/exchange/messages/{message.pk}/",
        f"/api/exchange/messages/{message.pk}/attachments/{attachment.pk}/",
        "/api/exchange/metrics/",
    ):
        assert api.get(path).status_code == 401, path
    assert Message.objects.readable_by(None).count() == 0


def test_red_reaches_the_named_contacts_only(world: helpers.World) -> None:
    # A Mexican network member who is not a designated contact: reads AMBER, never RED.
    member = af.UserFactory(organization=world.mx_user.organization)
    af.grant(member, "member", network_slug=helpers.IANT)
    red = helpers.send(world, tlp=TLP.RED, subject="Red one")
    amber = helpers.send(world, tlp=TLP.AMBER, subject="Amber one")
    assert set(red.audience_users.all()) == {world.mx_user, world.mx_alt_user}

    def readable(user: Any) -> set[int]:
        return set(Message.objects.readable_by(user).values_list("pk", flat=True))

    assert readable(world.mx_user) == {red.pk, amber.pk}
    assert readable(member) == {amber.pk}
    assert readable(world.co_user) == {red.pk, amber.pk}  # the author
    assert readable(world.secretariat) == {amber.pk}  # TLP:RED: no role widens it
    assert readable(world.ar_user) == set()
    assert _signed_in(member).get(f"/exchange/{red.pk}/").status_code == 404
    assert _signed_in(member).get(f"/exchange/{amber.pk}/").status_code == 200


def test_amber_needs_the_audience_organisation(world: helpers.World) -> None:
    """Participation alone is not enough: the TLP rule is applied first."""
    message = helpers.send(world, tlp=TLP.AMBER)
    message.audience_organizations.remove(world.mx_user.organization)
    assert not Message.objects.readable_by(world.mx_user).filter(pk=message.pk).exists()


def test_whole_network_and_replies(world: helpers.World) -> None:
    message = helpers.send(world, to=(), whole_network=True, kind="rfi")
    states = set(message.deliveries.values_list("member_state__code", flat=True))
    assert states == {"MX", "AR"}  # not the sender's own state
    answer_ar = _reply(world.ar_user, message, "Nothing here.")
    answer_mx = _reply(world.mx_user, message, "We found it.")
    # Each state sees the request and its own answer, not the other state's.
    mx = set(Message.objects.readable_by(world.mx_user).values_list("pk", flat=True))
    assert mx == {message.pk, answer_mx.pk}
    co = set(Message.objects.readable_by(world.co_user).values_list("pk", flat=True))
    assert co == {message.pk, answer_ar.pk, answer_mx.pk}


def _reply(user: Any, message: Message, body: str) -> Message:
    from cicte.messaging import services

    return services.reply(actor=user, message=message, body=body)


def test_the_pdf_holds_only_what_the_reader_may_read(world: helpers.World, monkeypatch) -> None:
    from cicte.messaging import views

    request = helpers.send(world, to=(world.mx, world.ar), kind="rfi")
    answer_ar = _reply(world.ar_user, request, "Nothing here.")
    answer_mx = _reply(world.mx_user, request, "We found it.")
    seen: dict[str, list[int]] = {}

    def capture(items: Any, *, actor: Any, language: Any = None) -> bytes:
        seen[actor.username] = [m.pk for m in items]
        return b"%PDF-1.7 test"

    monkeypatch.setattr(views.pdf, "render_thread", capture)
    for user in (world.mx_user, world.co_user):
        response = _signed_in(user).get(f"/exchange/{answer_mx.pk}/pdf/")
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="{request.reference}.pdf"'
    assert seen[world.mx_user.username] == [request.pk, answer_mx.pk]
    assert seen[world.co_user.username] == [request.pk, answer_ar.pk, answer_mx.pk]
    assert _signed_in(world.mx_user).get(f"/exchange/{answer_ar.pk}/pdf/").status_code == 404
