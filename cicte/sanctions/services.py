"""Every write to the sanctions lists (keyword-only, ``actor`` first, atomic, audited)."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Required, TypedDict, Unpack

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from followthemoney import EntityProxy

from cicte.accounts import permissions
from cicte.core import audit, webhooks
from cicte.sanctions import notify
from cicte.sanctions.choices import ChangeKind, FetchStatus, ListKind
from cicte.sanctions.models import (
    MANAGE_SUBSCRIPTIONS,
    EntityChange,
    ListEntity,
    ListSubscription,
    ListVersion,
    SanctionsList,
)
from cicte.sanctions.sources import ParsedList

OFFICIAL_TITLES = {
    "un": "United Nations Security Council Consolidated List",
    "ofac": "OFAC Specially Designated Nationals and Blocked Persons List",
}
NAME_PROPS = ("name", "alias", "weakAlias", "previousName")
BATCH = 1000


@dataclass(frozen=True)
class ImportResult:
    """What an import did: the new version, or ``None`` when the list did not change."""

    sanctions_list: SanctionsList
    version: ListVersion | None
    entity_count: int
    added: int = 0
    amended: int = 0
    removed: int = 0

    @property
    def changed(self) -> bool:
        return self.version is not None


@dataclass
class _Entry:
    source_id: str
    ftm_id: str
    schema: str
    caption: str
    properties: dict[str, list[str]]
    related: list[dict[str, Any]]
    names_text: str
    content_hash: str


def _entry(parsed: ParsedList, entity: EntityProxy) -> _Entry:
    data = entity.to_dict()
    properties = data["properties"]
    related = sorted((r.to_dict() for r in parsed.related_of(entity)), key=lambda r: r["id"])
    canonical = json.dumps(
        {
            "schema": entity.schema.name,
            "properties": {k: sorted(v) for k, v in properties.items()},
            "related": [
                {
                    "id": r["id"],
                    "schema": r["schema"],
                    "properties": {k: sorted(v) for k, v in r["properties"].items()},
                }
                for r in related
            ],
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    names = [n for prop in NAME_PROPS for n in properties.get(prop, [])]
    caption = (properties.get("name") or [entity.caption or entity.id or ""])[0]
    return _Entry(
        source_id=parsed.source_id_of(entity),
        ftm_id=entity.id or "",
        schema=entity.schema.name,
        caption=caption[:500],
        properties=properties,
        related=related,
        names_text="\n".join(dict.fromkeys(v for n in names for v in search_forms(n))),
        content_hash=hashlib.sha256(canonical.encode()).hexdigest(),
    )


def fold(text: str) -> str:
    """Case and Latin accents folded: "Gédéon" and "GEDEON" search alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_forms(name: str) -> list[str]:
    """A name as the list page's search finds it: case-folded, and without accents too."""
    folded = name.casefold()
    plain = fold(name)
    return [folded] if plain == folded else [folded, plain]


def _flatten(
    properties: dict[str, list[str]], related: list[dict[str, Any]]
) -> dict[str, list[str]]:
    """Properties of an entry and of its related entities, the latter as ``Schema.property``."""
    flat = {k: list(v) for k, v in properties.items()}
    for other in related:
        for prop, values in other.get("properties", {}).items():
            if prop in ("entity", "holder"):
                continue
            flat.setdefault(f"{other['schema']}.{prop}", []).extend(values)
    return flat


def property_diff(
    before: dict[str, list[str]], after: dict[str, list[str]]
) -> dict[str, list[list[str]]]:
    """{property: [values before, values after]} for each property whose values changed."""
    changed = {}
    for prop in sorted(set(before) | set(after)):
        old, new = before.get(prop, []), after.get(prop, [])
        if sorted(old) != sorted(new):
            changed[prop] = [old, new]
    return changed


def ensure_official_list(key: str) -> SanctionsList:
    """The UN or OFAC list, created on first use."""
    sanctions_list, _created = SanctionsList.objects.get_or_create(
        key=key,
        defaults={"title": OFFICIAL_TITLES.get(key, key.upper()), "kind": ListKind.OFFICIAL},
    )
    return sanctions_list


@transaction.atomic
def ensure_domestic_list(*, actor: Any, member_state: Any) -> SanctionsList:
    """A member state's domestic list (key: its lower-case ISO code), created on first use by
    the designations workflow (cicte.designations); audited when created."""
    key = member_state.code.lower()
    sanctions_list, created = SanctionsList.objects.get_or_create(
        key=key,
        defaults={
            "title": f"Domestic sanctions list of {member_state.name} (UNSCR 1373)",
            "kind": ListKind.DOMESTIC,
            "member_state": member_state,
        },
    )
    if (
        sanctions_list.kind != ListKind.DOMESTIC
        or sanctions_list.member_state_id != member_state.pk
    ):
        raise ValueError(f"the list {key!r} is not the domestic list of {member_state.code}")
    if created:
        audit.record(
            actor=actor,
            action="sanctions.list.create",
            obj=sanctions_list,
            changes={"key": key, "kind": ListKind.DOMESTIC},
        )
    return sanctions_list


@transaction.atomic
def import_list(
    *,
    actor: Any,
    parsed: ParsedList,
    source_name: str,
    source_bytes_sha256: str,
    actor_label: str | None = None,
) -> ImportResult:
    """Import a parsed list file as a new version of its list, with its diff (added, amended:
    content changed, removed: delisted entries are kept, marked removed) against the entries
    listed now. The same file again, or a file whose entries did not change, makes no new version."""
    if parsed.list_key in OFFICIAL_TITLES:
        ensure_official_list(parsed.list_key)
    try:
        sanctions_list = SanctionsList.objects.select_for_update().get(key=parsed.list_key)
    except SanctionsList.DoesNotExist:
        raise ValueError(f"no sanctions list with the key {parsed.list_key!r}") from None
    last = sanctions_list.versions.order_by("-number").first()
    entries = {}
    for entity in parsed.entities:
        entry = _entry(parsed, entity)
        entries[entry.ftm_id] = entry
    unchanged = ImportResult(sanctions_list=sanctions_list, version=None, entity_count=len(entries))
    if last is not None and last.source_sha256 == source_bytes_sha256:
        return unchanged

    known = {
        row["ftm_id"]: row
        for row in ListEntity.objects.filter(sanctions_list=sanctions_list).values(
            "id", "ftm_id", "content_hash", "removed_in_id"
        )
    }
    added = [fid for fid in entries if fid not in known]
    relisted = [fid for fid in entries if fid in known and known[fid]["removed_in_id"] is not None]
    amended = [
        fid
        for fid, entry in entries.items()
        if fid in known
        and known[fid]["removed_in_id"] is None
        and known[fid]["content_hash"] != entry.content_hash
    ]
    removed = [
        fid for fid, row in known.items() if row["removed_in_id"] is None and fid not in entries
    ]
    if last is not None and not (added or relisted or amended or removed):
        sanctions_list.last_source_sha256 = source_bytes_sha256
        sanctions_list.save(update_fields=["last_source_sha256"])
        return unchanged

    version = ListVersion.objects.create(
        sanctions_list=sanctions_list,
        number=(last.number + 1) if last else 1,
        published_at=parsed.published_at,
        source_name=source_name[:500],
        source_sha256=source_bytes_sha256,
        entity_count=len(entries),
        added_count=len(added) + len(relisted),
        amended_count=len(amended),
        removed_count=len(removed),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=actor_label
        or (actor.get_username() if getattr(actor, "is_authenticated", False) else ""),
    )
    changes: list[EntityChange] = []

    created = ListEntity.objects.bulk_create(
        [
            ListEntity(
                sanctions_list=sanctions_list,
                source_id=e.source_id,
                ftm_id=e.ftm_id,
                schema=e.schema,
                caption=e.caption,
                properties=e.properties,
                related=e.related,
                names_text=e.names_text,
                content_hash=e.content_hash,
                first_version=version,
                last_changed_version=version,
            )
            for e in (entries[fid] for fid in added)
        ],
        batch_size=BATCH,
    )
    if created and created[0].pk is None:  # a backend that returns no ids: read them back
        created = list(
            ListEntity.objects.filter(sanctions_list=sanctions_list, first_version=version)
        )
    changes += [EntityChange(version=version, entity=row, kind=ChangeKind.ADDED) for row in created]

    updated: list[ListEntity] = []
    for start in range(0, len(amended) + len(relisted), BATCH):
        chunk = (amended + relisted)[start : start + BATCH]
        for row in ListEntity.objects.filter(sanctions_list=sanctions_list, ftm_id__in=chunk):
            entry = entries[row.ftm_id]
            was_removed = row.removed_in_id is not None
            diff = (
                {}
                if was_removed
                else property_diff(
                    _flatten(row.properties, row.related), _flatten(entry.properties, entry.related)
                )
            )
            row.source_id, row.schema, row.caption = entry.source_id, entry.schema, entry.caption
            row.properties, row.related, row.names_text = (
                entry.properties,
                entry.related,
                entry.names_text,
            )
            row.content_hash, row.last_changed_version, row.removed_in = (
                entry.content_hash,
                version,
                None,
            )
            updated.append(row)
            changes.append(
                EntityChange(
                    version=version,
                    entity=row,
                    kind=ChangeKind.ADDED if was_removed else ChangeKind.AMENDED,
                    diff=diff,
                )
            )
    ListEntity.objects.bulk_update(
        updated,
        [
            "source_id",
            "schema",
            "caption",
            "properties",
            "related",
            "names_text",
            "content_hash",
            "last_changed_version",
            "removed_in",
        ],
        batch_size=BATCH,
    )

    gone: list[ListEntity] = []
    for start in range(0, len(removed), BATCH):
        chunk = removed[start : start + BATCH]
        for row in ListEntity.objects.filter(sanctions_list=sanctions_list, ftm_id__in=chunk):
            row.removed_in = version
            row.last_changed_version = version
            gone.append(row)
            changes.append(
                EntityChange(
                    version=version,
                    entity=row,
                    kind=ChangeKind.REMOVED,
                    diff=property_diff(_flatten(row.properties, row.related), {}),
                )
            )
    ListEntity.objects.bulk_update(gone, ["removed_in", "last_changed_version"], batch_size=BATCH)
    EntityChange.objects.bulk_create(changes, batch_size=BATCH)

    sanctions_list.last_source_sha256 = source_bytes_sha256
    sanctions_list.save(update_fields=["last_source_sha256"])
    audit.record(
        actor=actor,
        actor_label=actor_label,
        action="sanctions.list.import",
        obj=version,
        object_repr=str(version),
        changes={
            "source": source_name[:200],
            "sha256": source_bytes_sha256,
            "entities": len(entries),
            "added": version.added_count,
            "amended": version.amended_count,
            "removed": version.removed_count,
        },
    )
    # Without delay: the subscribers' webhooks are queued with the version, their emails right
    # after the commit (cicte.sanctions.notify).
    notify.announce(version)
    return ImportResult(
        sanctions_list=sanctions_list,
        version=version,
        entity_count=len(entries),
        added=version.added_count,
        amended=version.amended_count,
        removed=version.removed_count,
    )


@transaction.atomic
def record_fetch(
    *,
    actor: Any,
    sanctions_list: SanctionsList,
    status: str,
    error: str = "",
    validators: dict[str, Any] | None = None,
) -> SanctionsList:
    """Note the outcome of a scheduled fetch on the list (shown on the lists page); audited."""
    sanctions_list = SanctionsList.objects.select_for_update().get(pk=sanctions_list.pk)
    sanctions_list.last_fetch_at = timezone.now()
    sanctions_list.last_fetch_status = status
    sanctions_list.last_fetch_error = error[:2000]
    fields = ["last_fetch_at", "last_fetch_status", "last_fetch_error"]
    if validators is not None:
        sanctions_list.fetch_validators = validators
        fields.append("fetch_validators")
    sanctions_list.save(update_fields=fields)
    if status == FetchStatus.ERROR:
        audit.record(
            actor=actor,
            actor_label="scheduler",
            action="sanctions.list.fetch_failed",
            obj=sanctions_list,
            changes={"error": error[:500]},
        )
    return sanctions_list


# --- Subscriptions of reporting entities (told of each change by cicte.sanctions.notify) -------

MAX_SUBSCRIPTION_EMAILS = 20


def may_manage_subscriptions(actor: Any, organization: Any) -> bool:
    """The Secretariat, and the administrators of ``organization`` (org_admin there)."""
    return permissions.has_global_perm(actor, MANAGE_SUBSCRIPTIONS) or (
        organization.pk in permissions.organizations_with_perm(actor, MANAGE_SUBSCRIPTIONS)
    )


def manageable_organizations(actor: Any) -> Any:
    """The active organisations whose subscriptions ``actor`` manages."""
    from cicte.accounts.models import Organization

    active = Organization.objects.filter(is_active=True)
    if permissions.has_global_perm(actor, MANAGE_SUBSCRIPTIONS):
        return active
    return active.filter(pk__in=permissions.organizations_with_perm(actor, MANAGE_SUBSCRIPTIONS))


def _require_manager(actor: Any, organization: Any) -> None:
    if not may_manage_subscriptions(actor, organization):
        raise PermissionDenied(
            _(
                "Only the administrators of {organization} and the Secretariat manage its "
                "subscriptions."
            ).format(organization=organization)
        )


def _clean_subscription(
    *, name: str, lists: Iterable[SanctionsList], emails: Iterable[str], language: str, url: str
) -> dict[str, Any]:
    """Check a subscription's fields; every problem at once, by field."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the subscription a name, for example Compliance desk.")]
    addresses: list[str] = []
    for raw in emails:
        address = str(raw).strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            errors.setdefault("emails", []).append(
                _("{address} is not a valid email address.").format(address=address[:254])
            )
            continue
        if address.lower() not in (a.lower() for a in addresses):
            addresses.append(address)
    if len(addresses) > MAX_SUBSCRIPTION_EMAILS:
        errors.setdefault("emails", []).append(
            _("Give at most {count} email addresses.").format(count=MAX_SUBSCRIPTION_EMAILS)
        )
    if language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose English, Spanish, French or Portuguese.")]
    url = (url or "").strip()
    if url:
        try:
            webhooks.check_target(url)
        except ValidationError as exc:
            errors["webhook_url"] = list(exc.messages)
    if not addresses and not url and "emails" not in errors and "webhook_url" not in errors:
        errors["emails"] = [_("Give at least one email address or a webhook URL.")]
    if errors:
        raise ValidationError(errors)
    return {
        "name": name[:100],
        "lists": list(lists),
        "emails": addresses,
        "language": language,
        "url": url,
    }


def _endpoint_for(actor: Any, organization: Any, current: Any, url: str) -> tuple[Any, str | None]:
    """The endpoint for ``url``: the current one when the URL did not change, else a new one
    (and its secret, shown once) owned by ``actor``, who must belong to the organisation: its
    signing secret is the organisation's, not the Secretariat's."""
    if not url:
        return None, None
    if current is not None and current.url == url:
        return current, None
    if actor.organization_id != organization.pk:
        raise ValidationError(
            {
                "webhook_url": [
                    _(
                        "The webhook's signing secret belongs to {organization}: one of its "
                        "administrators sets the webhook."
                    ).format(organization=organization)
                ]
            }
        )
    return webhooks.create_endpoint(
        actor=actor,
        url=url,
        events=[notify.EVENT],
        description=_("Sanctions list changes for {organization}").format(
            organization=organization
        )[:200],
    )


def _subscription_audit(subscription: ListSubscription, lists: list[SanctionsList]) -> dict:
    return {
        "organization": subscription.organization.slug,
        "name": subscription.name,
        "lists": sorted(item.key for item in lists) or "all",
        "emails": subscription.emails,
        "webhook": subscription.webhook.url if subscription.webhook else None,
        "active": subscription.is_active,
    }


class SubscriptionValues(TypedDict, total=False):
    """What a subscription says, as the page's form and the API give it (checked by
    :func:`save_subscription`)."""

    name: Required[str]
    lists: Iterable[SanctionsList]  # none: every list, domestic lists added later included
    emails: Iterable[str]
    language: str
    webhook_url: str  # empty: no webhook
    is_active: bool


@transaction.atomic
def save_subscription(
    *,
    actor: Any,
    subscription: ListSubscription | None = None,
    organization: Any = None,
    **values: Unpack[SubscriptionValues],
) -> tuple[ListSubscription, str | None]:
    """Create a reporting entity's subscription for ``organization`` (``subscription`` None) or
    change ``subscription``: the page's and the API's one path. Returns it with the new
    webhook's signing secret (shown once) when a new webhook URL was given; an empty URL
    detaches the webhook (its owner keeps the endpoint and its log). ``ValidationError`` by
    field says what to fix; ``PermissionDenied`` unless the actor manages the organisation."""
    created = subscription is None
    if subscription is not None:
        organization = subscription.organization
    if organization is None:
        raise ValueError("save_subscription needs the subscription or its organisation")
    _require_manager(actor, organization)
    cleaned = _clean_subscription(
        name=values["name"],
        lists=values.get("lists", ()),
        emails=values.get("emails", ()),
        language=values.get("language", "en"),
        url=values.get("webhook_url", ""),
    )
    endpoint, secret = _endpoint_for(
        actor, organization, subscription.webhook if subscription else None, cleaned["url"]
    )
    if subscription is None:
        subscription = ListSubscription(
            organization=organization,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
    subscription.name = cleaned["name"]
    subscription.emails = cleaned["emails"]
    subscription.language = cleaned["language"]
    subscription.webhook = endpoint
    subscription.is_active = values.get("is_active", True)
    subscription.updated_at = timezone.now()
    if created:
        subscription.save()
    else:
        subscription.save(
            update_fields=["name", "emails", "language", "webhook", "is_active", "updated_at"]
        )
    subscription.lists.set(cleaned["lists"])
    audit.record(
        actor=actor,
        action="sanctions.subscription_create" if created else "sanctions.subscription_update",
        obj=subscription,
        changes=_subscription_audit(subscription, cleaned["lists"]),
    )
    return subscription, secret


def create_subscription(
    *, actor: Any, organization: Any, **values: Unpack[SubscriptionValues]
) -> tuple[ListSubscription, str | None]:
    """A reporting entity's subscription to the lists (:func:`save_subscription`)."""
    return save_subscription(actor=actor, organization=organization, **values)


def update_subscription(
    *, actor: Any, subscription: ListSubscription, **values: Unpack[SubscriptionValues]
) -> tuple[ListSubscription, str | None]:
    """Change a subscription (:func:`save_subscription`)."""
    return save_subscription(actor=actor, subscription=subscription, **values)


@transaction.atomic
def rotate_subscription_secret(*, actor: Any, subscription: ListSubscription) -> str:
    """A new signing secret for the subscription's webhook (shown once): the endpoint's owner
    rotates it (core webhooks); another person of the organisation takes the URL over with a new
    endpoint of their own."""
    _require_manager(actor, subscription.organization)
    endpoint = subscription.webhook
    if endpoint is None:
        raise ValidationError({"webhook_url": [_("This subscription has no webhook.")]})
    if endpoint.owner_id == actor.pk:
        return webhooks.rotate_secret(actor=actor, endpoint=endpoint)
    new_endpoint, secret = _endpoint_for(actor, subscription.organization, None, endpoint.url)
    subscription.webhook = new_endpoint
    subscription.updated_at = timezone.now()
    subscription.save(update_fields=["webhook", "updated_at"])
    audit.record(
        actor=actor,
        action="sanctions.subscription_webhook_replace",
        obj=subscription,
        changes={"webhook": endpoint.url, "previous_endpoint": endpoint.pk},
    )
    assert secret is not None
    return secret


@transaction.atomic
def delete_subscription(*, actor: Any, subscription: ListSubscription) -> None:
    """Delete a subscription; its notifications stay, as the organisation's record."""
    _require_manager(actor, subscription.organization)
    audit.record(
        actor=actor,
        action="sanctions.subscription_delete",
        obj=subscription,
        changes={"organization": subscription.organization.slug, "name": subscription.name},
    )
    subscription.delete()
