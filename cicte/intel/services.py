"""Every write of the STIX store: collections, ingests (TAXII's POST, the UI's and the API's
uploads), deletions. One code path for the UI, the REST API and TAXII; each write is audited.

An ingest has two halves: :func:`submit` (in the request: the write right, a pending
:class:`~cicte.intel.models.Ingest`, the worker enqueued after commit) and :func:`process` (on
the worker: each object validated with the STIX engine and stored, or refused with a reason;
the valid objects of an envelope are stored even when others are refused).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cicte.accounts import permissions
from cicte.accounts.models import Network, Organization, Role, User
from cicte.core import audit, tlp
from cicte.core.choices import TLP
from cicte.intel import stix
from cicte.intel.choices import IngestStatus
from cicte.intel.models import Collection, Ingest, StixObject

MANAGE = "intel.manage_collections"
PUBLISH_CLEAR = "intel.publish_clear"
ONE_MICROSECOND = dt.timedelta(microseconds=1)


def _require(condition: bool, message: str | None = None) -> None:
    if not condition:
        raise PermissionDenied(message or _("You may not do this."))


# --- Collections -------------------------------------------------------------------------------


@transaction.atomic
def create_collection(
    *,
    actor: User,
    title: str,
    network: Network | None = None,
    organizations: Iterable[Organization] = (),
    read_roles: Iterable[str] = (),
    write_roles: Iterable[str] = (),
    default_tlp: str = TLP.AMBER,
    alias: str = "",
    description: str = "",
) -> Collection:
    """A collection of a network, or (without a network) a sharing group of ``organizations``;
    ``read_roles`` and ``write_roles`` are role slugs."""
    _require(permissions.has_global_perm(actor, MANAGE))
    organizations = list(organizations)
    if network is None and not organizations:
        raise ValueError("A sharing-group collection names its organisations.")
    if network is not None and organizations:
        raise ValueError("A network's collection has no sharing group.")
    collection = Collection.objects.create(
        title=title,
        network=network,
        default_tlp=default_tlp,
        alias=alias,
        description=description,
        created_by=actor,
    )
    collection.organizations.set(organizations)
    collection.read_roles.set(Role.objects.filter(slug__in=list(read_roles)))
    collection.write_roles.set(Role.objects.filter(slug__in=list(write_roles)))
    audit.record(
        actor=actor,
        action="intel.collection_create",
        obj=collection,
        changes={
            "network": network.slug if network else None,
            "organizations": sorted(o.slug for o in organizations),
            "read_roles": sorted(read_roles),
            "write_roles": sorted(write_roles),
            "default_tlp": default_tlp,
        },
    )
    return collection


COLLECTION_FIELDS = ("title", "alias", "description", "default_tlp", "is_active")


@transaction.atomic
def update_collection(
    *,
    actor: User,
    collection: Collection,
    organizations: Iterable[Organization] | None = None,
    read_roles: Iterable[str] | None = None,
    write_roles: Iterable[str] | None = None,
    **fields: Any,
) -> Collection:
    """Change a collection's description, default label, rights or sharing group (its network
    stays: objects already shared there keep their audience). Stored objects keep their TLP."""
    _require(permissions.has_global_perm(actor, MANAGE))
    unknown = set(fields) - set(COLLECTION_FIELDS)
    if unknown:
        raise ValueError(f"Unknown collection fields: {sorted(unknown)}")
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        if getattr(collection, name) != value:
            changes[name] = value
            setattr(collection, name, value)
    if changes:
        collection.save(update_fields=list(changes))
    if organizations is not None:
        organizations = list(organizations)
        if collection.network_id is not None and organizations:
            raise ValueError("A network's collection has no sharing group.")
        if collection.network_id is None and not organizations:
            raise ValueError("A sharing-group collection names its organisations.")
        before = set(collection.organizations.values_list("slug", flat=True))
        after = {organization.slug for organization in organizations}
        if before != after:
            collection.organizations.set(organizations)
            changes["organizations"] = sorted(after)
    for name, slugs in (("read_roles", read_roles), ("write_roles", write_roles)):
        if slugs is None:
            continue
        wanted = sorted(set(slugs))
        manager = getattr(collection, name)
        if sorted(manager.values_list("slug", flat=True)) != wanted:
            manager.set(Role.objects.filter(slug__in=wanted))
            changes[name] = wanted
    if changes:
        audit.record(actor=actor, action="intel.collection_update", obj=collection, changes=changes)
    return collection


def may_read(actor: User, collection: Collection) -> bool:
    return Collection.objects.readable_by(actor).filter(pk=collection.pk).exists()


def may_write(actor: User, collection: Collection) -> bool:
    return Collection.objects.writable_by(actor).filter(pk=collection.pk).exists()


def may_publish_clear(actor: User, collection: Collection) -> bool:
    """TLP:CLEAR content is shown publicly: only holders of ``intel.publish_clear`` (globally,
    in their own organisation, or in the collection's network) may post it."""
    if permissions.has_global_perm(actor, PUBLISH_CLEAR):
        return True
    # An organisation-wide grant in the poster's own organisation (its administrator)...
    if actor.organization_id in permissions.organizations_with_perm(actor, PUBLISH_CLEAR):
        return True
    # ...or a grant in the collection's network (its national coordinators).
    return collection.network_id in permissions.networks_with_perm(actor, PUBLISH_CLEAR)


# --- Ingest ------------------------------------------------------------------------------------


@transaction.atomic
def submit(*, actor: User, collection: Collection, objects: list[Any]) -> Ingest:
    """Accept the objects of an envelope for ``collection``: a pending ingest that the worker
    completes (:func:`process`). The caller has checked the envelope's shape."""
    _require(may_write(actor, collection))
    ingest = Ingest.objects.create(
        collection=collection,
        requested_by=actor,
        total_count=len(objects),
        pending_count=len(objects),
        payload=json.dumps(objects, ensure_ascii=False, separators=(",", ":")),
    )
    audit.record(
        actor=actor,
        action="intel.ingest_submit",
        obj=ingest,
        changes={"collection": str(collection.pk), "objects": len(objects)},
    )
    from cicte.intel import tasks

    transaction.on_commit(lambda: tasks.process_ingest(str(ingest.pk)))
    return ingest


@dataclass
class _Row:
    obj: dict[str, Any]
    raw: str
    version: str | None
    label: str


def check_object(collection: Collection, obj: Any, clear_ok: bool) -> _Row:
    """The object, validated, with its version and TLP; :class:`stix.InvalidObject` if not."""
    stix.validate(obj)
    label = stix.tlp_of(obj) or collection.default_tlp
    if label == tlp.CLEAR and not clear_ok:
        raise stix.InvalidObject(
            "TLP:CLEAR content is public on the platform: your role may not publish it in this "
            "collection. Mark the object TLP:GREEN or more restrictive."
        )
    raw = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return _Row(obj=obj, raw=raw, version=stix.version_of(obj), label=label)


def _outcome(obj: Any, message: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"message": message}
    if isinstance(obj, dict):
        if isinstance(obj.get("id"), str):
            entry["id"] = obj["id"]
        version = stix.version_of(obj) if isinstance(obj.get("id"), str) else None
        if isinstance(version, str):
            entry["version"] = version
    return entry


def process(ingest_id: Any) -> Ingest:
    """Validate and store the objects of a pending ingest (the worker's half of a POST)."""
    ingest = Ingest.objects.select_related("collection", "requested_by").get(pk=ingest_id)
    if ingest.status == IngestStatus.COMPLETE:
        return ingest
    actor = ingest.requested_by
    collection = ingest.collection
    objects = json.loads(ingest.payload or "[]")
    clear_ok = may_publish_clear(actor, collection)
    rows: list[_Row] = []
    failures: list[dict[str, Any]] = []
    for obj in objects:
        try:
            rows.append(check_object(collection, obj, clear_ok))
        except stix.InvalidObject as exc:
            failures.append(_outcome(obj, str(exc)))
    successes = store(actor=actor, collection=collection, rows=rows, ingest=ingest)
    Ingest.objects.filter(pk=ingest.pk).update(
        status=IngestStatus.COMPLETE,
        success_count=len(successes),
        failure_count=len(failures),
        pending_count=0,
        successes=successes,
        failures=failures,
        payload="",
        completed_at=timezone.now(),
    )
    ingest.refresh_from_db()
    return ingest


def store_objects(
    *, actor: User, collection: Collection, objects: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Validate and store objects that the platform itself makes (an advisory's STIX report):
    all or nothing, :class:`stix.InvalidObject` for the first invalid one."""
    clear_ok = may_publish_clear(actor, collection)
    rows = [check_object(collection, obj, clear_ok) for obj in objects]
    return store(actor=actor, collection=collection, rows=rows)


def lock_collection(collection: Collection) -> dt.datetime | None:
    """Take ``collection``'s write lock for the rest of the transaction (a row lock on
    PostgreSQL, the write lock on SQLite) and return the last ``date_added`` stored in it: every
    version stored after this, until the commit, is dated later and is this transaction's."""
    Collection.objects.filter(pk=collection.pk).update(last_date_added=F("last_date_added"))
    return Collection.objects.values_list("last_date_added", flat=True).get(pk=collection.pk)


@transaction.atomic
def store(
    *, actor: User, collection: Collection, rows: list[_Row], ingest: Ingest | None = None
) -> list[dict[str, Any]]:
    """Store validated objects in ``collection``, in one transaction that holds the collection's
    lock, so that ``date_added`` increases with every version stored there. A version already
    stored (same id and version) is a success that stores nothing."""
    # Lock the collection first: the date_added that follow are then later than any stored,
    # in commit order.
    last = lock_collection(collection)
    keys = {(row.obj["id"], row.version) for row in rows if row.version}
    existing: set[tuple[str, str]] = set()
    if keys:
        ids = sorted({key[0] for key in keys})
        existing = set(
            StixObject.objects.filter(collection=collection, stix_id__in=ids).values_list(
                "stix_id", "version"
            )
        )
    now = timezone.now()
    added = max(now, last + ONE_MICROSECOND) if last else now
    organization_id = actor.organization_id
    if organization_id is None:
        raise PermissionDenied(_("Only people of an organisation may share intelligence."))
    new: list[StixObject] = []
    successes: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for row in rows:
        date_added = added
        version = row.version or date_added.isoformat(timespec="microseconds").replace(
            "+00:00", "Z"
        )
        key = (row.obj["id"], version)
        if key in existing or key in seen:
            successes.append(
                {"id": key[0], "version": version, "message": "Already stored: not added again."}
            )
            continue
        seen.add(key)
        new.append(
            StixObject(
                collection=collection,
                stix_id=row.obj["id"],
                type=row.obj["type"],
                spec_version=row.obj.get("spec_version", "2.1"),
                version=version,
                version_at=stix.parse_timestamp(version) if row.version else date_added,
                created_by_ref=row.obj.get("created_by_ref", ""),
                revoked=bool(row.obj.get("revoked", False)),
                date_added=date_added,
                raw=row.raw,
                tlp=row.label,
                owner_organization_id=organization_id,
                created_by=actor,
                ingest=ingest,
            )
        )
        successes.append({"id": key[0], "version": version})
        added = date_added + ONE_MICROSECOND
    if new:
        StixObject.objects.bulk_create(new, batch_size=500)
        _set_audience(collection, [obj.pk for obj in new])
        Collection.objects.filter(pk=collection.pk).update(last_date_added=new[-1].date_added)
    audit.record(
        actor=actor,
        action="intel.objects_store",
        obj=ingest or collection,
        changes={"collection": str(collection.pk), "stored": len(new)},
    )
    return successes


def _set_audience(collection: Collection, object_ids: list[int]) -> None:
    """The audience of newly stored versions: the collection's network (TLP:GREEN), or the
    organisations of its sharing group (GREEN and AMBER)."""
    if collection.network_id is not None:
        networks: Any = StixObject.audience_networks.through
        networks._default_manager.bulk_create(
            [networks(stixobject_id=pk, network_id=collection.network_id) for pk in object_ids],
            batch_size=1000,
        )
    else:
        organizations: Any = StixObject.audience_organizations.through
        organization_ids = list(collection.organizations.values_list("pk", flat=True))
        organizations._default_manager.bulk_create(
            [
                organizations(stixobject_id=pk, organization_id=org)
                for pk in object_ids
                for org in organization_ids
            ],
            batch_size=1000,
        )


@transaction.atomic
def delete_versions(
    *, actor: User, collection: Collection, stix_id: str, versions: Iterable[int] | None = None
) -> int:
    """Delete versions of an object (all of them unless ``versions``, primary keys, are given):
    by those who may write to the collection, of their own organisation's versions."""
    _require(may_write(actor, collection))
    queryset = StixObject.objects.readable_by(actor).filter(
        collection=collection, stix_id=stix_id, owner_organization_id=actor.organization_id
    )
    if versions is not None:
        queryset = queryset.filter(pk__in=list(versions))
    doomed = list(queryset.values_list("pk", "version"))
    if not doomed:
        return 0
    StixObject.objects.filter(pk__in=[pk for pk, _version in doomed]).delete()
    audit.record(
        actor=actor,
        action="intel.objects_delete",
        obj=collection,
        changes={"id": stix_id, "versions": sorted(version for _pk, version in doomed)},
    )
    return len(doomed)


@transaction.atomic
def name_recipients(*, actor: User, version: StixObject, usernames: Iterable[str]) -> list[User]:
    """Name the people a TLP:RED object reaches besides its author: on every TLP:RED version
    of that object that ``actor`` posted in that collection. Only its author may name them, and
    only people who may read the collection (nobody else could see it anyway)."""
    _require(version.tlp == TLP.RED and version.created_by_id == actor.pk)
    names = sorted({name.strip() for name in usernames if name.strip()})
    people = list(User.objects.filter(username__in=names, is_active=True))
    found = {person.username for person in people}
    unknown = [name for name in names if name not in found]
    unable = [person.username for person in people if not may_read(person, version.collection)]
    if unknown or unable:
        raise ValidationError(
            _(
                "These people cannot receive it: {names}. Name active accounts that may read the "
                "collection."
            ).format(names=", ".join(unknown + unable))
        )
    versions = list(
        StixObject.objects.filter(
            collection_id=version.collection_id,
            stix_id=version.stix_id,
            tlp=TLP.RED,
            created_by=actor,
        )
    )
    for item in versions:
        item.audience_users.add(*people)
    audit.record(
        actor=actor,
        action="intel.recipients_name",
        obj=version,
        changes={"audience_users": len(people)},
    )
    return people


def recipients(version: StixObject) -> list[User]:
    """The people named on a TLP:RED version (for its author's page)."""
    return list(version.audience_users.order_by("username"))


def status_retention() -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, "TAXII_STATUS_RETENTION_DAYS", 7))
