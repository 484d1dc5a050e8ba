"""Every write of advisories: drafts, review (four-eyes), publication, changes after
publication (new versions), translations, withdrawal. Each is audited; publication and changes
also store the advisory's STIX report in its network's collection through the intel services.

Who: people whose roles carry ``advisories.publish_advisories`` in the advisory's network (or
globally, the Secretariat), for their own organisation's advisories. The reviewer is another
person of the same organisation with the same right.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cicte.accounts import permissions
from cicte.accounts.models import Network, User
from cicte.advisories import notify
from cicte.advisories import stix as advisory_stix
from cicte.advisories.choices import LANGUAGES, AdvisoryStatus
from cicte.advisories.models import Advisory, AdvisoryPolicy, AdvisoryTranslation, AdvisoryVersion
from cicte.core import audit
from cicte.core.choices import TLP
from cicte.intel import services as intel_services
from cicte.intel import stix as stix_engine
from cicte.intel.models import Collection

PUBLISH = "advisories.publish_advisories"
CONTENT_FIELDS = (
    "title",
    "summary",
    "recommendations",
    "severity",
    "language",
    "affected",
    "references",
    "tlp",
)
LANGUAGE_CODES = {code for code, _name in LANGUAGES}


def _require(condition: bool, message: str | None = None) -> None:
    if not condition:
        raise PermissionDenied(message or _("You may not do this."))


def may_publish_in(actor: User, network: Network) -> bool:
    return permissions.has_global_perm(actor, PUBLISH) or network.pk in (
        permissions.networks_with_perm(actor, PUBLISH)
    )


def four_eyes(organization_id: int) -> bool:
    policy = AdvisoryPolicy.objects.filter(organization_id=organization_id).first()
    return True if policy is None else policy.four_eyes


def _author_side(actor: User, advisory: Advisory) -> None:
    """Only people of the advisory's organisation with the right may act on it."""
    _require(
        actor.organization_id == advisory.owner_organization_id
        and may_publish_in(actor, advisory.network)
    )


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(CONTENT_FIELDS)
    if unknown:
        raise ValueError(f"Unknown advisory fields: {sorted(unknown)}")
    errors: dict[str, str] = {}
    if "language" in fields and fields["language"] not in LANGUAGE_CODES:
        errors["language"] = _("Choose English, Spanish, French or Portuguese.")
    if "tlp" in fields and fields["tlp"] not in TLP.values:
        errors["tlp"] = _("Choose a TLP 2.0 label.")
    affected = fields.get("affected")
    if affected is not None:
        for item in affected:
            cve = str(item.get("cve", "")).strip()
            if cve and not advisory_stix.CVE.match(cve.upper()):
                errors["affected"] = _("{cve} is not a CVE id such as CVE-2026-12345.").format(
                    cve=cve
                )
    if errors:
        raise ValidationError(errors)
    return fields


@transaction.atomic
def create_draft(
    *,
    actor: User,
    network: Network,
    title: str,
    summary: str,
    collection: Collection | None = None,
    **fields: Any,
) -> Advisory:
    organization_id = actor.organization_id
    _require(organization_id is not None and may_publish_in(actor, network))
    assert organization_id is not None
    fields = _clean(fields)
    if collection is not None:
        _require(
            collection.network_id == network.pk and intel_services.may_write(actor, collection)
        )
    advisory = Advisory.objects.create(
        network=network,
        collection=collection,
        title=title,
        summary=summary,
        owner_organization_id=organization_id,
        created_by=actor,
        **fields,
    )
    advisory.audience_networks.set([network])
    audit.record(actor=actor, action="advisories.create", obj=advisory, changes={"title": title})
    return advisory


def _snapshot(advisory: Advisory) -> dict[str, Any]:
    return {
        "title": advisory.title,
        "summary": advisory.summary,
        "recommendations": advisory.recommendations,
        "severity": advisory.severity,
        "language": advisory.language,
        "affected": advisory.affected,
        "references": advisory.references,
        "tlp": advisory.tlp,
        "translations": {
            t.language: {
                "title": t.title,
                "summary": t.summary,
                "recommendations": t.recommendations,
            }
            for t in advisory.translations.all()
        },
    }


@transaction.atomic
def update(*, actor: User, advisory: Advisory, note: str = "", **fields: Any) -> Advisory:
    """Change a draft, or a published advisory (a new version, published at once and sent
    again as ``advisory.updated``)."""
    _author_side(actor, advisory)
    _require(advisory.status != AdvisoryStatus.WITHDRAWN)
    fields = _clean(fields)
    changed = [name for name, value in fields.items() if getattr(advisory, name) != value]
    if not changed:
        return advisory
    for name in changed:
        setattr(advisory, name, fields[name])
    advisory.updated_at = timezone.now()
    if advisory.status == AdvisoryStatus.PUBLISHED:
        advisory.version += 1
    advisory.save()
    audit.record(
        actor=actor, action="advisories.update", obj=advisory, changes=dict.fromkeys(changed)
    )
    if advisory.status == AdvisoryStatus.PUBLISHED:
        _release(actor, advisory, note=note or _("Updated"))
        notify.announce(advisory, "updated")
    elif advisory.status == AdvisoryStatus.IN_REVIEW:
        # A change resets the review: the reviewer approves what will be published.
        advisory.status = AdvisoryStatus.DRAFT
        advisory.save(update_fields=["status"])
    return advisory


@transaction.atomic
def translate(
    *,
    actor: User,
    advisory: Advisory,
    language: str,
    title: str,
    summary: str,
    recommendations: str = "",
) -> AdvisoryTranslation:
    _author_side(actor, advisory)
    if language not in LANGUAGE_CODES or language == advisory.language:
        raise ValidationError({"language": _("Choose another of the four languages.")})
    translation, _created = AdvisoryTranslation.objects.update_or_create(
        advisory=advisory,
        language=language,
        defaults={"title": title, "summary": summary, "recommendations": recommendations},
    )
    audit.record(
        actor=actor, action="advisories.translate", obj=advisory, changes={"language": language}
    )
    return translation


@transaction.atomic
def submit(*, actor: User, advisory: Advisory, reviewer: User | None = None) -> Advisory:
    """Ask for review, or publish at once where the organisation does not ask for four eyes.
    A TLP:RED advisory reaches only named people: its reviewer must be named (``reviewer``, a
    colleague who may publish in its network), and becomes one of its recipients."""
    _author_side(actor, advisory)
    _require(advisory.status == AdvisoryStatus.DRAFT)
    advisory.submitted_by = actor
    if not four_eyes(advisory.owner_organization_id):
        advisory.save(update_fields=["submitted_by"])
        return _publish(actor, advisory)
    if advisory.tlp == TLP.RED:
        if (
            reviewer is None
            or reviewer.pk == actor.pk
            or reviewer.organization_id != advisory.owner_organization_id
            or not reviewer.is_active
            or not may_publish_in(reviewer, advisory.network)
        ):
            raise ValidationError(
                {
                    "reviewer": _(
                        "A TLP:RED advisory reaches only the people named: name the colleague "
                        "who reviews it."
                    )
                }
            )
        advisory.audience_users.add(reviewer)
    advisory.status = AdvisoryStatus.IN_REVIEW
    advisory.save(update_fields=["status", "submitted_by"])
    audit.record(actor=actor, action="advisories.submit", obj=advisory)
    return advisory


@transaction.atomic
def approve(*, actor: User, advisory: Advisory) -> Advisory:
    """The second person of the organisation approves: the advisory is published."""
    _author_side(actor, advisory)
    _require(advisory.status == AdvisoryStatus.IN_REVIEW)
    _require(
        actor.pk not in (advisory.submitted_by_id, advisory.created_by_id),
        _("Someone else of your organisation must review this advisory."),
    )
    advisory.reviewed_by = actor
    advisory.save(update_fields=["reviewed_by"])
    audit.record(actor=actor, action="advisories.approve", obj=advisory)
    return _publish(actor, advisory)


@transaction.atomic
def send_back(*, actor: User, advisory: Advisory, reason: str) -> Advisory:
    """The reviewer returns it to its author as a draft."""
    _author_side(actor, advisory)
    _require(advisory.status == AdvisoryStatus.IN_REVIEW)
    advisory.status = AdvisoryStatus.DRAFT
    advisory.save(update_fields=["status"])
    audit.record(
        actor=actor, action="advisories.send_back", obj=advisory, changes={"reason": reason}
    )
    return advisory


def _next_reference(advisory: Advisory) -> str:
    year = timezone.now().year
    prefix = f"{(advisory.network.acronym or advisory.network.slug).upper()}-{year}-"
    count = Advisory.objects.filter(reference__startswith=prefix).count()
    return f"{prefix}{count + 1:04d}"


def _publish(actor: User, advisory: Advisory) -> Advisory:
    now = timezone.now()
    advisory.status = AdvisoryStatus.PUBLISHED
    advisory.published_at = now
    advisory.updated_at = now
    advisory.reference = _next_reference(advisory)
    advisory.save()
    audit.record(
        actor=actor,
        action="advisories.publish",
        obj=advisory,
        changes={"version": advisory.version},
    )
    _release(actor, advisory, note=_("Published"))
    notify.announce(advisory, "published")
    return advisory


def _release(actor: User, advisory: Advisory, *, note: str, revoked: bool = False) -> None:
    """Keep the version, store the STIX report, tell the subscribers (after commit)."""
    AdvisoryVersion.objects.create(
        advisory=advisory,
        number=advisory.version,
        snapshot=_snapshot(advisory),
        note=note[:500],
        created_by=actor,
    )
    collection = advisory.collection
    if collection is not None:
        organization = advisory.owner_organization
        objects = advisory_stix.objects(
            key=str(advisory.pk),
            title=advisory.title,
            summary=advisory.summary,
            label=advisory.tlp,
            severity=advisory.severity,
            affected=list(advisory.affected),
            references=[str(url) for url in advisory.references],
            created=advisory.published_at or advisory.created_at,
            modified=advisory.updated_at,
            language=advisory.language,
            organization_key=organization.slug,
            organization_name=organization.name,
            revoked=revoked,
        )
        try:
            intel_services.store_objects(actor=actor, collection=collection, objects=objects)
        except stix_engine.InvalidObject as exc:
            raise PermissionDenied(str(exc)) from exc
        report = objects[-1]
        if advisory.stix_id != report["id"]:
            advisory.stix_id = report["id"]
            advisory.save(update_fields=["stix_id"])


@transaction.atomic
def withdraw(*, actor: User, advisory: Advisory, reason: str) -> Advisory:
    _author_side(actor, advisory)
    _require(advisory.status == AdvisoryStatus.PUBLISHED)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the advisory is withdrawn.")})
    now = timezone.now()
    advisory.status = AdvisoryStatus.WITHDRAWN
    advisory.withdrawn_at = now
    advisory.updated_at = now
    advisory.withdrawal_reason = reason.strip()[:500]
    advisory.version += 1
    advisory.save()
    audit.record(
        actor=actor, action="advisories.withdraw", obj=advisory, changes={"reason": reason}
    )
    _release(actor, advisory, note=_("Withdrawn"), revoked=True)
    notify.announce(advisory, "withdrawn")
    return advisory


# --- Subscriptions -------------------------------------------------------------------------------


def _subscription_values(
    actor: User,
    *,
    networks: list[Network],
    severities: list[str],
    products: list[str],
    email: str,
    webhook: Any,
) -> dict[str, Any]:
    """Check a subscription's choices: the person's own networks and webhook endpoint."""
    from cicte.accounts.selectors import network_ids_for
    from cicte.advisories.choices import Severity
    from cicte.advisories.models import EmailMode

    errors: dict[str, str] = {}
    allowed = network_ids_for(actor)
    if any(network.pk not in allowed for network in networks):
        errors["networks"] = _("Choose networks you belong to.")
    if any(severity not in Severity.values for severity in severities):
        errors["severities"] = _("Choose among the severities offered.")
    if email not in EmailMode.values:
        errors["email"] = _("Choose how to be told by email.")
    if webhook is not None and webhook.owner_id != actor.pk:
        errors["webhook"] = _("Choose one of your webhook endpoints.")
    if errors:
        raise ValidationError(errors)
    return {
        "severities": [s for s in Severity.values if s in severities],
        "products": [p.strip()[:100] for p in products if p.strip()][:50],
        "email": email,
        "webhook": webhook,
    }


@transaction.atomic
def create_subscription(
    *,
    actor: User,
    networks: list[Network],
    severities: list[str],
    products: list[str],
    email: str,
    webhook: Any = None,
    is_active: bool = True,
) -> Any:
    """A new subscription of ``actor`` to advisories."""
    from cicte.advisories.models import Subscription

    values = _subscription_values(
        actor,
        networks=networks,
        severities=severities,
        products=products,
        email=email,
        webhook=webhook,
    )
    subscription = Subscription.objects.create(user=actor, is_active=is_active, **values)
    subscription.networks.set(networks)
    audit.record(
        actor=actor,
        action="advisories.subscription_create",
        obj=subscription,
        changes={"networks": sorted(n.slug for n in networks), "email": email},
    )
    return subscription


@transaction.atomic
def update_subscription(
    *,
    actor: User,
    subscription: Any,
    networks: list[Network],
    severities: list[str],
    products: list[str],
    email: str,
    webhook: Any = None,
    is_active: bool = True,
) -> Any:
    """Change one of ``actor``'s own subscriptions."""
    _require(subscription.user_id == actor.pk)
    values = _subscription_values(
        actor,
        networks=networks,
        severities=severities,
        products=products,
        email=email,
        webhook=webhook,
    )
    for name, value in values.items():
        setattr(subscription, name, value)
    subscription.is_active = is_active
    subscription.save(update_fields=[*values, "is_active"])
    subscription.networks.set(networks)
    audit.record(
        actor=actor,
        action="advisories.subscription_update",
        obj=subscription,
        changes={"networks": sorted(n.slug for n in networks), "email": email},
    )
    return subscription


@transaction.atomic
def delete_subscription(*, actor: User, subscription: Any) -> None:
    """Delete one of ``actor``'s own subscriptions (and its waiting digest entries)."""
    _require(subscription.user_id == actor.pk)
    audit.record(actor=actor, action="advisories.subscription_delete", obj=subscription)
    subscription.delete()
