"""Advisories: drafts, four-eyes review, publication as a STIX report, versions, translations,
withdrawal; who may do what; who sees them."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from cicte.accounts.tests import factories as af
from cicte.advisories import services
from cicte.advisories.choices import AdvisoryStatus
from cicte.advisories.models import Advisory, AdvisoryPolicy
from cicte.core.choices import TLP
from cicte.core.models import AuditEvent
from cicte.intel.models import StixObject
from cicte.intel.tests import factories as f

pytestmark = pytest.mark.django_db

AFFECTED = [
    {"cve": "CVE-2026-12345", "vendor": "Acme", "product": "Gateway", "versions": "< 4.2"},
    {"cve": "", "vendor": "Acme", "product": "Portal", "versions": "all"},
]


@pytest.fixture
def csirts():
    colombia, mexico = f.csirt("CO"), f.csirt("MX")
    return {
        "author": f.analyst(colombia),
        "reviewer": f.analyst(colombia),
        "mx": f.analyst(mexico),
        "outsider": f.analyst(f.csirt("BR", network_slug="aviation-security")),
        "collection": f.collection(),
        "network": af.network("csirtamericas"),
    }


def draft(csirts, **kwargs):
    values = {
        "title": "Acme Gateway: remote code execution",
        "summary": "Unauthenticated requests run code on Acme Gateway.",
        "recommendations": "Update to 4.2.",
        "severity": "critical",
        "tlp": TLP.GREEN,
        "affected": AFFECTED,
        "references": ["https://acme.example/security/2026-01"],
    }
    values.update(kwargs)
    return services.create_draft(
        actor=csirts["author"], network=csirts["network"], collection=csirts["collection"], **values
    )


def test_four_eyes_publication_stores_a_stix_report(csirts):
    advisory = draft(csirts)
    assert advisory.status == AdvisoryStatus.DRAFT
    services.submit(actor=csirts["author"], advisory=advisory)
    assert advisory.status == AdvisoryStatus.IN_REVIEW
    # The author cannot approve their own advisory; another state's CSIRT cannot either.
    with pytest.raises(PermissionDenied):
        services.approve(actor=csirts["author"], advisory=advisory)
    with pytest.raises(PermissionDenied):
        services.approve(actor=csirts["mx"], advisory=advisory)
    services.approve(actor=csirts["reviewer"], advisory=advisory)
    advisory.refresh_from_db()
    assert advisory.status == AdvisoryStatus.PUBLISHED and advisory.reference.endswith("-0001")
    assert advisory.reviewed_by == csirts["reviewer"]
    stored = {
        o.type: json.loads(o.raw)
        for o in StixObject.objects.filter(collection=csirts["collection"])
    }
    assert set(stored) == {"identity", "vulnerability", "report"}
    report = stored["report"]
    assert report["id"] == advisory.stix_id and report["name"] == advisory.title
    assert report["object_refs"] == [stored["vulnerability"]["id"]]
    assert stored["vulnerability"]["name"] == "CVE-2026-12345"
    assert StixObject.objects.get(stix_id=advisory.stix_id).tlp == TLP.GREEN
    assert advisory.versions.count() == 1
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "advisories.create",
        "advisories.submit",
        "advisories.approve",
        "advisories.publish",
    } <= actions


def test_without_four_eyes_submitting_publishes(csirts):
    AdvisoryPolicy.objects.create(organization=csirts["author"].organization, four_eyes=False)
    advisory = draft(csirts)
    services.submit(actor=csirts["author"], advisory=advisory)
    assert advisory.status == AdvisoryStatus.PUBLISHED


def test_updates_are_new_versions_of_the_same_report_and_withdrawal_revokes_it(csirts):
    AdvisoryPolicy.objects.create(organization=csirts["author"].organization, four_eyes=False)
    advisory = draft(csirts)
    services.submit(actor=csirts["author"], advisory=advisory)
    services.update(
        actor=csirts["author"],
        advisory=advisory,
        note="Patch released",
        recommendations="Update to 4.2.1.",
    )
    assert advisory.version == 2 and advisory.versions.count() == 2
    assert advisory.versions.first().snapshot["recommendations"] == "Update to 4.2.1."
    with pytest.raises(ValidationError):
        services.withdraw(actor=csirts["author"], advisory=advisory, reason=" ")
    services.withdraw(actor=csirts["author"], advisory=advisory, reason="Duplicate of ACME-2026-7")
    assert advisory.status == AdvisoryStatus.WITHDRAWN and advisory.version == 3
    reports = list(
        StixObject.objects.filter(stix_id=advisory.stix_id)
        .order_by("date_added")
        .values_list("raw", flat=True)
    )
    assert len(reports) == 3
    assert json.loads(reports[-1]).get("revoked") is True
    with pytest.raises(PermissionDenied):
        services.withdraw(actor=csirts["author"], advisory=advisory, reason="Again")


def test_a_change_under_review_sends_it_back_to_draft(csirts):
    advisory = draft(csirts)
    services.submit(actor=csirts["author"], advisory=advisory)
    services.update(actor=csirts["reviewer"], advisory=advisory, severity="high")
    assert advisory.status == AdvisoryStatus.DRAFT


def test_translations_are_shown_in_the_readers_language(csirts):
    advisory = draft(csirts)
    services.translate(
        actor=csirts["author"],
        advisory=advisory,
        language="es",
        title="Acme Gateway: ejecución remota de código",
        summary="Solicitudes sin autenticar ejecutan código.",
    )
    with translation.override("es"):
        assert advisory.in_language()["title"].startswith("Acme Gateway: ejecución")
    with translation.override("fr"):
        assert advisory.in_language()["title"] == advisory.title
    with pytest.raises(ValidationError):
        services.translate(
            actor=csirts["author"], advisory=advisory, language="en", title="x", summary="y"
        )


def test_bad_input_and_rights(csirts):
    with pytest.raises(ValidationError):
        draft(csirts, affected=[{"cve": "CVE-26-1"}])
    with pytest.raises(ValidationError):
        draft(csirts, language="de")
    with pytest.raises(PermissionDenied):
        services.create_draft(
            actor=csirts["outsider"], network=csirts["network"], title="x", summary="y"
        )
    assert not Advisory.objects.exists()


def test_who_sees_an_advisory_follows_tlp(csirts):
    green = draft(csirts)
    amber = draft(csirts, tlp=TLP.AMBER, title="Amber")
    assert set(Advisory.objects.visible_to(csirts["mx"])) == {green}
    assert set(Advisory.objects.visible_to(csirts["reviewer"])) == {green, amber}
    assert not Advisory.objects.visible_to(csirts["outsider"]).exists()


def test_clear_needs_the_right_to_publish_publicly(csirts):
    AdvisoryPolicy.objects.create(organization=csirts["author"].organization, four_eyes=False)
    advisory = draft(csirts, tlp=TLP.CLEAR)
    with pytest.raises(PermissionDenied):
        services.submit(actor=csirts["author"], advisory=advisory)
    advisory.refresh_from_db()
    assert advisory.status == AdvisoryStatus.DRAFT
    af.grant(csirts["author"], "org_admin")
    author = type(csirts["author"]).objects.get(pk=csirts["author"].pk)
    services.submit(actor=author, advisory=advisory)
    assert advisory.status == AdvisoryStatus.PUBLISHED


def test_a_red_advisory_is_reviewed_by_the_colleague_its_author_names(csirts):
    red = draft(csirts, tlp=TLP.RED, title="Red")
    # Nobody named: refused, still a draft; the colleague cannot see it yet.
    with pytest.raises(ValidationError):
        services.submit(actor=csirts["author"], advisory=red)
    with pytest.raises(ValidationError):
        services.submit(actor=csirts["author"], advisory=red, reviewer=csirts["mx"])
    assert not Advisory.objects.visible_to(csirts["reviewer"]).filter(pk=red.pk).exists()
    services.submit(actor=csirts["author"], advisory=red, reviewer=csirts["reviewer"])
    assert red.status == AdvisoryStatus.IN_REVIEW
    assert Advisory.objects.visible_to(csirts["reviewer"]).filter(pk=red.pk).exists()
    assert not Advisory.objects.visible_to(csirts["mx"]).filter(pk=red.pk).exists()
    services.approve(actor=csirts["reviewer"], advisory=red)
    assert red.status == AdvisoryStatus.PUBLISHED
