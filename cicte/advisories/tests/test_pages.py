"""The pages that write advisories and subscriptions: who may do what (author, a colleague of
the same organisation, another organisation of the network, an outsider, anonymous), the whole
flow from draft to a subscriber's email, translations, withdrawal, subscriptions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client, TestCase

from cicte.accounts.tests import factories as af
from cicte.advisories import services
from cicte.advisories.choices import AdvisoryStatus
from cicte.advisories.forms import format_affected, parse_affected
from cicte.advisories.models import Advisory, EmailMode, Subscription
from cicte.core import webhooks
from cicte.core.choices import TLP
from cicte.core.models import AuditEvent
from cicte.intel.tests import factories as f

pytestmark = pytest.mark.django_db

PEOPLE = ("author", "colleague", "mx", "outsider", "anonymous")


@pytest.fixture
def world():
    colombia, mexico = f.csirt("CO"), f.csirt("MX")
    return {
        "author": f.analyst(colombia),
        "colleague": f.analyst(colombia, full_name="Reviewer Colleague"),
        "mx": f.analyst(mexico),
        "outsider": f.analyst(f.csirt("BR", network_slug="aviation-security")),
        "anonymous": None,
        "network": af.network("csirtamericas"),
        "collection": f.collection(),
    }


def client_of(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def draft(world, **kwargs) -> Advisory:
    values = {
        "title": "Acme Gateway: remote code execution",
        "summary": "Unauthenticated requests run code on Acme Gateway.",
        "severity": "critical",
        "tlp": TLP.GREEN,
        "affected": [{"cve": "CVE-2026-12345", "vendor": "Acme", "product": "Gateway"}],
    }
    values.update(kwargs)
    return services.create_draft(
        actor=world["author"], network=world["network"], collection=world["collection"], **values
    )


def in_review(world) -> Advisory:
    advisory = draft(world)
    services.submit(actor=world["author"], advisory=advisory)
    return advisory


def published(world) -> Advisory:
    advisory = in_review(world)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.approve(actor=world["colleague"], advisory=advisory)
    return advisory


def expect(response, code: int) -> None:
    if code == 302 and response.status_code == 302:
        return
    assert response.status_code == code, (response.status_code, response.content[:300])


def expect_login(response) -> None:
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- The permission matrix -----------------------------------------------------------------


MATRIX = [
    # (state, method, url name, status for (author, colleague, mx, outsider))
    ("draft", "get", "detail", (200, 200, 404, 404)),
    ("draft", "get", "edit", (200, 200, 404, 404)),
    ("draft", "get", "translate", (200, 200, 404, 404)),
    ("draft", "post", "submit", (302, 302, 404, 404)),
    ("draft", "post", "approve", (403, 403, 404, 404)),
    ("draft", "get", "withdraw", (403, 403, 404, 404)),
    ("in_review", "post", "approve", (403, 302, 404, 404)),
    ("in_review", "get", "send_back", (200, 200, 404, 404)),
    ("in_review", "post", "submit", (403, 403, 404, 404)),
    ("published", "get", "detail", (200, 200, 200, 404)),
    ("published", "get", "edit", (200, 200, 403, 404)),
    ("published", "get", "translate", (200, 200, 403, 404)),
    ("published", "get", "withdraw", (200, 200, 403, 404)),
    ("published", "post", "approve", (403, 403, 403, 404)),
    ("published", "post", "submit", (403, 403, 403, 404)),
]


@pytest.mark.parametrize(("state", "method", "name", "expected"), MATRIX)
def test_permission_matrix(world, state, method, name, expected):
    make: Callable[[dict[str, Any]], Advisory] = {
        "draft": draft,
        "in_review": in_review,
        "published": published,
    }[state]
    expected = dict(zip(PEOPLE, expected, strict=False))
    for person in PEOPLE:
        advisory = make(world)  # a fresh one each time: an allowed POST changes it
        suffix = "" if name == "detail" else name.replace("_", "-") + "/"
        url = f"/advisories/{advisory.pk}/{suffix}"
        before = (advisory.status, advisory.version)
        response = getattr(client_of(world[person]), method)(url)
        if person == "anonymous":
            expect_login(response)
        else:
            expect(response, expected[person])
        advisory.refresh_from_db()
        if person == "anonymous" or response.status_code != 302:
            # A refused or read-only request changes nothing.
            assert (advisory.status, advisory.version) == before, person


def test_new_advisory_page_only_for_those_who_may_publish(world):
    observer = af.UserFactory(organization=af.OrganizationFactory())
    assert client_of(observer).get("/advisories/new/").status_code == 403
    expect_login(client_of(None).get("/advisories/new/"))
    response = client_of(world["author"]).get("/advisories/new/")
    assert response.status_code == 200
    assert response.context["form"].fields["network"].queryset.get() == world["network"]
    listing = client_of(world["author"]).get("/advisories/")
    assert (
        b"/advisories/new/" in listing.content and b"/advisories/subscriptions/" in listing.content
    )
    assert b"/advisories/new/" not in client_of(observer).get("/advisories/").content


def test_buttons_shown_only_to_those_who_may_use_them(world):
    advisory = in_review(world)
    url = f"/advisories/{advisory.pk}/"
    author_page = client_of(world["author"]).get(url).content.decode()
    colleague_page = client_of(world["colleague"]).get(url).content.decode()
    assert f"/advisories/{advisory.pk}/approve/" not in author_page
    assert "Reviewer Colleague" in author_page  # who may approve
    assert f"/advisories/{advisory.pk}/approve/" in colleague_page
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.approve(actor=world["colleague"], advisory=advisory)
    mx_page = client_of(world["mx"]).get(url).content.decode()
    assert "/withdraw/" not in mx_page and "/edit/" not in mx_page
    assert (
        f"/advisories/{advisory.pk}/withdraw/"
        in client_of(world["author"]).get(url).content.decode()
    )


# --- The whole flow --------------------------------------------------------------------------


def test_draft_submit_approve_publish_email_translation_withdraw(world):
    author, colleague, mx = (client_of(world[p]) for p in ("author", "colleague", "mx"))
    # A subscriber of another organisation of the network, through the subscriptions page.
    response = mx.post(
        "/advisories/subscriptions/new/",
        {
            "networks": [world["network"].pk],
            "severities": ["high", "critical"],
            "products": "Acme, Globex",
            "email": EmailMode.IMMEDIATE,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    subscription = Subscription.objects.get(user=world["mx"])
    assert subscription.products == ["Acme", "Globex"]
    assert subscription.severities == ["high", "critical"]

    # The author writes a draft.
    response = author.post(
        "/advisories/new/",
        {
            "network": world["network"].pk,
            "collection": world["collection"].pk,
            "tlp": TLP.GREEN,
            "severity": "critical",
            "language": "en",
            "title": "Acme Gateway: remote code execution",
            "summary": "Unauthenticated requests run code on Acme Gateway.",
            "recommendations": "Update to 4.2.",
            "affected": "cve-2026-12345 | Acme | Gateway | 4.0 to 4.1\n\n | Acme | Portal",
            "references": "https://acme.example/security/2026-01\n",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    advisory = Advisory.objects.get()
    assert response["Location"] == f"/advisories/{advisory.pk}/"
    assert advisory.status == AdvisoryStatus.DRAFT and advisory.created_by == world["author"]
    assert advisory.affected == [
        {"cve": "CVE-2026-12345", "vendor": "Acme", "product": "Gateway", "versions": "4.0 to 4.1"},
        {"cve": "", "vendor": "Acme", "product": "Portal", "versions": ""},
    ]
    assert advisory.references == ["https://acme.example/security/2026-01"]
    # Another state's CSIRT does not see the draft.
    assert mx.get(f"/advisories/{advisory.pk}/").status_code == 404

    # A Spanish translation.
    response = author.post(
        f"/advisories/{advisory.pk}/translate/",
        {
            "language": "es",
            "title": "Acme Gateway: ejecución remota de código",
            "summary": "Solicitudes sin autenticar ejecutan código.",
        },
    )
    assert response.status_code == 302

    assert author.post(f"/advisories/{advisory.pk}/submit/").status_code == 302
    advisory.refresh_from_db()
    assert advisory.status == AdvisoryStatus.IN_REVIEW
    assert author.post(f"/advisories/{advisory.pk}/approve/").status_code == 403
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert colleague.post(f"/advisories/{advisory.pk}/approve/").status_code == 302
    advisory.refresh_from_db()
    assert (
        advisory.status == AdvisoryStatus.PUBLISHED and advisory.reviewed_by == world["colleague"]
    )
    assert [m.to for m in mail.outbox] == [[world["mx"].email]]
    assert advisory.reference in mail.outbox[0].subject

    # Readers in Spanish see the translation.
    spanish = mx.get(f"/advisories/{advisory.pk}/", HTTP_ACCEPT_LANGUAGE="es")
    assert "ejecución remota de código" in spanish.content.decode()
    english = mx.get(f"/advisories/{advisory.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Acme Gateway: remote code execution" in english.content.decode()

    # A change after publication needs a note and is a new version, sent again.
    form = {
        "tlp": TLP.GREEN,
        "severity": "critical",
        "language": "en",
        "title": advisory.title,
        "summary": advisory.summary,
        "recommendations": "Update to 4.2.1.",
        "affected": format_affected(advisory.affected),
        "references": "https://acme.example/security/2026-01",
    }
    response = author.post(f"/advisories/{advisory.pk}/edit/", form)
    assert response.status_code == 200 and response.context["form"].errors["note"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = author.post(
            f"/advisories/{advisory.pk}/edit/", {**form, "note": "Patch 4.2.1 released"}
        )
    assert response.status_code == 302
    advisory.refresh_from_db()
    assert advisory.version == 2 and advisory.versions.first().note == "Patch 4.2.1 released"
    assert len(mail.outbox) == 2

    # Withdrawal needs a reason.
    response = author.post(f"/advisories/{advisory.pk}/withdraw/", {"reason": " "})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = author.post(
            f"/advisories/{advisory.pk}/withdraw/", {"reason": "Duplicate of ACME-2026-7"}
        )
    assert response.status_code == 302
    advisory.refresh_from_db()
    assert advisory.status == AdvisoryStatus.WITHDRAWN
    assert "Duplicate of ACME-2026-7" in mx.get(f"/advisories/{advisory.pk}/").content.decode()
    assert len(mail.outbox) == 3
    assert author.get(f"/advisories/{advisory.pk}/edit/").status_code == 403


def test_send_back_returns_a_draft(world):
    advisory = in_review(world)
    response = client_of(world["colleague"]).post(
        f"/advisories/{advisory.pk}/send-back/", {"reason": "Add the CVSS score."}
    )
    assert response.status_code == 302
    advisory.refresh_from_db()
    assert advisory.status == AdvisoryStatus.DRAFT
    assert AuditEvent.objects.filter(action="advisories.send_back").exists()


def test_form_errors_are_shown_on_the_form(world):
    other_collection = f.collection("aviation-security", title="Aviation")
    response = client_of(world["author"]).post(
        "/advisories/new/",
        {
            "network": world["network"].pk,
            "collection": other_collection.pk,
            "tlp": TLP.GREEN,
            "severity": "high",
            "language": "en",
            "title": "T",
            "summary": "S",
            "affected": "NOT-A-CVE | Acme\nCVE-2026-1 | a | b | c | d",
            "references": "ftp://example.org/x",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"collection", "affected", "references"} <= set(errors)
    # The service's own validation (a CVE id) is shown under its field.
    response = client_of(world["author"]).post(
        "/advisories/new/",
        {
            "network": world["network"].pk,
            "tlp": TLP.GREEN,
            "severity": "high",
            "language": "en",
            "title": "T",
            "summary": "S",
            "affected": "NOT-A-CVE | Acme",
        },
    )
    assert response.status_code == 200
    assert "NOT-A-CVE" in str(response.context["form"].errors["affected"])
    assert not Advisory.objects.exists()


def test_parse_affected_lines():
    assert parse_affected("CVE-2026-1 | Acme\n\n|||\n") == [
        {"cve": "CVE-2026-1", "vendor": "Acme", "product": "", "versions": ""}
    ]


# --- Subscriptions ---------------------------------------------------------------------------


def test_subscription_crud_is_the_owners_alone(world):
    endpoint, _secret = webhooks.create_endpoint(
        actor=world["mx"], url="https://hooks.example.org/cicte"
    )
    others_endpoint, _ = webhooks.create_endpoint(
        actor=world["author"], url="https://hooks.example.org/other"
    )
    mx = client_of(world["mx"])
    aviation = af.network("aviation-security")
    # Only the person's networks and endpoints are offered and accepted.
    response = mx.post(
        "/advisories/subscriptions/new/",
        {"networks": [aviation.pk], "email": EmailMode.DIGEST, "webhook": others_endpoint.pk},
    )
    assert response.status_code == 400
    assert {"networks", "webhook"} <= set(response.context["form"].errors)
    response = mx.post(
        "/advisories/subscriptions/new/",
        {"networks": [world["network"].pk], "email": EmailMode.DIGEST, "webhook": endpoint.pk},
    )
    assert response.status_code == 302
    subscription = Subscription.objects.get(user=world["mx"])
    assert subscription.webhook == endpoint and subscription.email == EmailMode.DIGEST
    assert not subscription.is_active  # the box was not ticked
    listing = mx.get("/advisories/subscriptions/").content.decode()
    assert "/accounts/webhooks/" in listing and "Daily digest" in listing
    assert f"/advisories/subscriptions/{subscription.pk}/" in listing

    response = mx.post(
        f"/advisories/subscriptions/{subscription.pk}/",
        {"severities": ["critical"], "email": EmailMode.IMMEDIATE, "is_active": "on"},
    )
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.severities == ["critical"] and subscription.webhook is None
    assert subscription.is_active and not subscription.networks.exists()

    # Someone else's subscription does not exist for them.
    author = client_of(world["author"])
    assert author.get(f"/advisories/subscriptions/{subscription.pk}/").status_code == 404
    assert author.post(f"/advisories/subscriptions/{subscription.pk}/delete/").status_code == 404
    expect_login(client_of(None).get("/advisories/subscriptions/"))
    assert Subscription.objects.filter(pk=subscription.pk).exists()

    assert mx.get(f"/advisories/subscriptions/{subscription.pk}/delete/").status_code == 200
    response = mx.post(f"/advisories/subscriptions/{subscription.pk}/delete/")
    assert response.status_code == 302
    assert not Subscription.objects.exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "advisories.subscription_create",
        "advisories.subscription_update",
        "advisories.subscription_delete",
    } <= actions


def test_the_red_advisory_page_asks_for_the_reviewer_and_the_reviewer_approves():
    colombia = f.csirt("CO")
    author, reviewer = f.analyst(colombia), f.analyst(colombia)
    advisory = services.create_draft(
        actor=author,
        network=af.network("csirtamericas"),
        title="Red one",
        summary="For named responders.",
        tlp=TLP.RED,
    )
    client = Client()
    client.force_login(author)
    page = client.get(f"/advisories/{advisory.pk}/").content.decode()
    assert 'name="reviewer"' in page
    client.post(f"/advisories/{advisory.pk}/submit/", {})
    advisory.refresh_from_db()
    assert advisory.status == "draft"  # nobody named: refused
    client.post(f"/advisories/{advisory.pk}/submit/", {"reviewer": reviewer.pk})
    advisory.refresh_from_db()
    assert advisory.status == "in_review"
    other = Client()
    other.force_login(reviewer)
    assert other.get(f"/advisories/{advisory.pk}/").status_code == 200
    other.post(f"/advisories/{advisory.pk}/approve/")
    assert Advisory.objects.get(pk=advisory.pk).status == "published"
