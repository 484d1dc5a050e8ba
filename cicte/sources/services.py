"""Every write of the sources app: sources created, changed and deleted by the Secretariat (the
holders of ``intel.manage_collections``), polls requested, run and scheduled.

A poll reads the remote source first (no transaction open while waiting for the network), then
stores what it read in one transaction through the intel services, *as the source's owner*:

- TAXII 2.1: the objects added since the last poll (``added_after``, the last
  ``X-TAXII-Date-Added-Last`` seen) are submitted as one ingest (:func:`intel.services.submit`)
  and processed at once (:func:`intel.services.process`): each object validated, the valid ones
  stored, the invalid ones refused with their reason. A version already stored (same id and
  version) stores nothing and is counted as already stored.
- MISP feeds: the events whose manifest timestamp is newer than the one recorded (all of them
  the first time) are fetched, checked and imported all or nothing by :mod:`cicte.intel.misp`.

Either way the poll is a :class:`SourcePoll` (counts, error, the ingest, the object versions it
stored) and an audit event (``sources.poll``); the source keeps its last error, last success and
next poll. A failed poll stores nothing and moves no cursor: the next one reads the same again.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cicte.accounts import permissions
from cicte.accounts.models import User
from cicte.core import audit
from cicte.intel import misp, stix
from cicte.intel import services as intel
from cicte.intel.misp_engine import MispError
from cicte.intel.models import Collection, StixObject
from cicte.sources import remote
from cicte.sources.choices import AuthScheme, PollStatus, PollTrigger, SourceKind
from cicte.sources.models import (
    MAX_INTERVAL_MINUTES,
    MIN_INTERVAL_MINUTES,
    RemoteSource,
    SourcePoll,
)

logger = logging.getLogger(__name__)

MANAGE = intel.MANAGE
# A poll holds its source for at most this long: a worker that died mid-poll does not block the
# source for longer.
POLL_LEASE = dt.timedelta(minutes=30)
# How many refused objects a poll lists (the count is exact).
REFUSALS_KEPT = 100
# How many refused objects an error message names.
REFUSALS_NAMED = 3
SOURCE_FIELDS = (
    "name",
    "kind",
    "url",
    "auth_scheme",
    "username",
    "collection",
    "interval_minutes",
    "is_enabled",
)


def may_manage(actor: Any) -> bool:
    """Whether ``actor`` may manage remote sources (Secretariat administrators)."""
    return permissions.has_global_perm(actor, MANAGE)


def _require_manager(actor: Any) -> None:
    if not may_manage(actor):
        raise PermissionDenied(_("Only the Secretariat manages remote sources."))


def max_objects_per_poll() -> int:
    return int(getattr(settings, "SOURCES_MAX_OBJECTS_PER_POLL", 10_000))


def max_events_per_poll() -> int:
    return int(getattr(settings, "SOURCES_MAX_EVENTS_PER_POLL", 100))


# --- Sources -------------------------------------------------------------------------------------


def _check(
    *,
    owner: User,
    name: str,
    interval_minutes: int,
    exclude_pk: int | None = None,
    kind: str,
    url: str,
    collection: Collection,
    auth_scheme: str,
    username: str,
    secret: str,
    check_url: bool = True,
    check_collection: bool = True,
) -> None:
    """ValidationError (by field) for what a source may not be. A change leaves out the checks
    of what it does not change (a source whose owner lost the right to write its collection can
    still be disabled; its polls say what is wrong)."""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give the source a name.")]
    elif RemoteSource.objects.filter(name=name).exclude(pk=exclude_pk or 0).exists():
        errors["name"] = [_("Another source has this name: choose another one.")]
    if not MIN_INTERVAL_MINUTES <= interval_minutes <= MAX_INTERVAL_MINUTES:
        errors["interval_minutes"] = [
            _("Choose an interval between {low} and {high} minutes.").format(
                low=MIN_INTERVAL_MINUTES, high=MAX_INTERVAL_MINUTES
            )
        ]
    if check_url:
        try:
            remote.check_url(kind, url)
        except ValidationError as exc:
            errors["url"] = exc.messages
    if check_collection and not intel.may_write(owner, collection):
        errors["collection"] = [
            _("{user} may not add objects to this collection: choose one they may write.").format(
                user=owner.get_username()
            )
        ]
    if auth_scheme == AuthScheme.BASIC:
        if not username:
            errors["username"] = [_("HTTP Basic needs a username.")]
        if not secret:
            errors["secret"] = [_("HTTP Basic needs a password.")]
    elif auth_scheme != AuthScheme.NONE and not secret:
        errors["secret"] = [_("This authentication needs a token or key.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_source(
    *,
    actor: User,
    name: str,
    kind: str,
    url: str,
    collection: Collection,
    auth_scheme: str = AuthScheme.NONE,
    username: str = "",
    secret: str = "",
    interval_minutes: int = 60,
    is_enabled: bool = True,
) -> RemoteSource:
    """A remote source whose objects are stored in ``collection`` as ``actor`` (who must be
    able to write it); due at once when enabled."""
    _require_manager(actor)
    url = remote.normalise_url(kind, url)
    if auth_scheme == AuthScheme.NONE:
        username, secret = "", ""
    _check(
        owner=actor,
        name=name,
        interval_minutes=interval_minutes,
        kind=kind,
        url=url,
        collection=collection,
        auth_scheme=auth_scheme,
        username=username,
        secret=secret,
    )
    source = RemoteSource.objects.create(
        name=name,
        kind=kind,
        url=url,
        auth_scheme=auth_scheme,
        username=username,
        secret=secret,
        collection=collection,
        owner=actor,
        interval_minutes=interval_minutes,
        is_enabled=is_enabled,
        next_poll_at=timezone.now() if is_enabled else None,
    )
    audit.record(
        actor=actor,
        action="sources.source_create",
        obj=source,
        changes={
            "kind": kind,
            "url": url,
            "collection": str(collection.pk),
            "auth_scheme": auth_scheme,
            "username": username,
            "secret": "set" if secret else "",
            "interval_minutes": interval_minutes,
            "is_enabled": is_enabled,
        },
    )
    return source


@transaction.atomic
def update_source(
    *,
    actor: User,
    source: RemoteSource,
    secret: str | None = None,
    reset_cursor: bool = False,
    **fields: Any,
) -> RemoteSource:
    """Change a source. ``secret``: a new password, token or key (``None`` or empty keeps the
    current one; choosing no authentication clears it). A new address or kind, or
    ``reset_cursor``, makes the next poll read everything again (what is already stored is not
    stored twice)."""
    _require_manager(actor)
    unknown = set(fields) - set(SOURCE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown source fields: {sorted(unknown)}")
    source = RemoteSource.objects.select_for_update().select_related("owner").get(pk=source.pk)
    values = {name: getattr(source, name) for name in SOURCE_FIELDS}
    values.update(fields)
    values["url"] = remote.normalise_url(values["kind"], values["url"])
    new_secret = secret or source.secret
    if values["auth_scheme"] == AuthScheme.NONE:
        values["username"], new_secret = "", ""
    _check(
        owner=source.owner,
        name=values["name"],
        interval_minutes=values["interval_minutes"],
        exclude_pk=source.pk,
        kind=values["kind"],
        url=values["url"],
        collection=values["collection"],
        auth_scheme=values["auth_scheme"],
        username=values["username"],
        secret=new_secret,
        check_url=(values["url"], values["kind"]) != (source.url, source.kind),
        check_collection=values["collection"].pk != source.collection_id,
    )
    changes: dict[str, Any] = {}
    for name in SOURCE_FIELDS:
        old, new = getattr(source, name), values[name]
        if old != new:
            changes[name] = str(new.pk) if isinstance(new, Collection) else new
            setattr(source, name, new)
    if new_secret != source.secret:
        source.secret = new_secret
        changes["secret"] = "changed" if new_secret else "cleared"
    if reset_cursor or "url" in changes or "kind" in changes:
        if source.taxii_added_after or source.misp_timestamps:
            changes["cursor"] = "reset"
        source.taxii_added_after = ""
        source.misp_timestamps = {}
    now = timezone.now()
    if source.is_enabled and ("is_enabled" in changes or "interval_minutes" in changes):
        interval = dt.timedelta(minutes=source.interval_minutes)
        base = source.last_polled_at + interval if source.last_polled_at else now
        source.next_poll_at = max(now, base)
    if not changes:
        return source
    source.save()
    audit.record(actor=actor, action="sources.source_update", obj=source, changes=changes)
    return source


@transaction.atomic
def delete_source(*, actor: User, source: RemoteSource) -> None:
    """Delete a source. Its polls stay (with its name and address): they are the provenance of
    what it stored, which stays too."""
    _require_manager(actor)
    audit.record(
        actor=actor,
        action="sources.source_delete",
        obj=source,
        changes={"url": source.url, "collection": str(source.collection_id)},
    )
    source.delete()


@transaction.atomic
def request_poll(*, actor: User, source: RemoteSource) -> None:
    """ "Poll now": a poll of ``source`` enqueued after commit (disabled sources too, to try
    one before enabling it)."""
    _require_manager(actor)
    audit.record(actor=actor, action="sources.poll_request", obj=source)
    from cicte.sources import tasks

    source_id, actor_id = source.pk, actor.pk
    transaction.on_commit(
        lambda: tasks.poll_source(source_id, trigger=PollTrigger.MANUAL, requested_by_id=actor_id)
    )


# --- Schedule ------------------------------------------------------------------------------------


def claim_due_sources(now: dt.datetime | None = None) -> list[int]:
    """The enabled sources whose next poll has come, each claimed once: its next poll is moved
    to ``now + interval`` by a compare-and-set, so that a source is never enqueued twice (two
    schedulers, or a slow worker)."""
    now = now or timezone.now()
    due = RemoteSource.objects.filter(
        Q(next_poll_at__lte=now) | Q(next_poll_at__isnull=True), is_enabled=True
    ).values_list("pk", "next_poll_at", "interval_minutes")
    claimed = []
    for pk, next_poll_at, minutes in due.order_by(F("next_poll_at").asc(nulls_first=True), "pk"):
        following = now + dt.timedelta(minutes=minutes)
        if RemoteSource.objects.filter(pk=pk, next_poll_at=next_poll_at).update(
            next_poll_at=following
        ):
            claimed.append(pk)
    return claimed


# --- Polls ---------------------------------------------------------------------------------------


class PollFailure(Exception):
    """A poll that stores nothing; the message is recorded on the poll and the source."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


def _acquire(source_id: int, now: dt.datetime) -> bool:
    """Take the source's lease (no other poll of it runs), unless another poll holds it."""
    free = Q(polling_since__isnull=True) | Q(polling_since__lt=now - POLL_LEASE)
    return bool(RemoteSource.objects.filter(free, pk=source_id).update(polling_since=now))


def _release(source_id: int) -> None:
    RemoteSource.objects.filter(pk=source_id).update(polling_since=None)


def _check_rights(source: RemoteSource) -> None:
    owner, collection = source.owner, source.collection
    if not owner.is_active:
        raise PollFailure(
            _(
                "The account of {user}, as whom this source stores, is deactivated: give the "
                "source to an active account (create it again) or reactivate the account."
            ).format(user=owner.get_username())
        )
    if not collection.is_active:
        raise PollFailure(
            _("The collection {collection} is inactive: choose another one.").format(
                collection=collection.title
            )
        )
    if not intel.may_write(owner, collection):
        raise PollFailure(
            _(
                "{user}, as whom this source stores, may no longer add objects to the collection "
                "{collection}: give them a role that may write it, or choose another collection."
            ).format(user=owner.get_username(), collection=collection.title)
        )


def poll(
    *,
    source_id: int,
    trigger: str = PollTrigger.SCHEDULE,
    requested_by_id: int | None = None,
) -> SourcePoll | None:
    """Poll one source now; ``None`` when another poll of it is running (or it is gone, or it
    was disabled since a scheduled poll was enqueued)."""
    started = timezone.now()
    source = RemoteSource.objects.select_related("owner", "collection").filter(pk=source_id).first()
    if source is None or (trigger == PollTrigger.SCHEDULE and not source.is_enabled):
        return None
    if not _acquire(source.pk, started):
        logger.info("Source %s: a poll is already running", source.pk)
        return None
    try:
        try:
            _check_rights(source)
            try:
                remote.check_url(source.kind, source.url)
            except ValidationError as exc:
                raise PollFailure(" ".join(exc.messages)) from exc
            if source.kind == SourceKind.TAXII:
                return _poll_taxii(source, started, trigger, requested_by_id)
            return _poll_misp(source, started, trigger, requested_by_id)
        except PollFailure as exc:
            return _record(
                source,
                started,
                trigger,
                requested_by_id,
                status=PollStatus.ERROR,
                error=exc.message,
                details=exc.details,
            )
        except Exception as exc:
            # A fault of the platform, not of the source: logged with its traceback, and shown.
            logger.exception("Source %s: the poll failed", source.pk)
            return _record(
                source,
                started,
                trigger,
                requested_by_id,
                status=PollStatus.ERROR,
                error=_(
                    "The poll failed on the platform's side ({error}); the server log has the "
                    "details."
                ).format(error=exc.__class__.__name__),
            )
    finally:
        _release(source.pk)


def _auth(source: RemoteSource) -> Any:
    return remote.auth_for(source.auth_scheme, source.username, source.secret)


@transaction.atomic
def _record(
    source: RemoteSource,
    started: dt.datetime,
    trigger: str,
    requested_by_id: int | None,
    *,
    status: str,
    error: str = "",
    details: dict[str, Any] | None = None,
    counts: dict[str, int] | None = None,
    ingest: Any = None,
    stored_ids: list[int] | None = None,
    cursor: dict[str, Any] | None = None,
    more: bool = False,
) -> SourcePoll:
    """The poll, the source's state and the audit event, in one transaction (with the store
    when the caller's transaction holds one)."""
    finished = timezone.now()
    record = SourcePoll.objects.create(
        source=source,
        source_name=source.name,
        source_url=source.url,
        kind=source.kind,
        trigger=trigger,
        requested_by_id=requested_by_id,
        started_at=started,
        finished_at=finished,
        status=status,
        error=error,
        details=details or {},
        ingest=ingest,
        **(counts or {}),
    )
    if stored_ids:
        through: Any = SourcePoll.stored_objects.through
        through.objects.bulk_create(
            [through(sourcepoll_id=record.pk, stixobject_id=pk) for pk in stored_ids],
            batch_size=1000,
        )
    state: dict[str, Any] = {"last_polled_at": started, "last_error": error}
    if status == PollStatus.SUCCESS:
        state["last_success_at"] = finished
    if cursor:
        state.update(cursor)
    # A backlog left by the limit per poll is read at the next tick of the schedule.
    state["next_poll_at"] = (
        finished if more else started + dt.timedelta(minutes=source.interval_minutes)
    )
    RemoteSource.objects.filter(pk=source.pk).update(**state)
    for name, value in state.items():
        setattr(source, name, value)
    audit.record(
        actor=source.owner,
        action="sources.poll",
        obj=source,
        changes={
            "poll": record.pk,
            "trigger": trigger,
            "requested_by": requested_by_id,
            "status": status,
            "objects_read": record.objects_read,
            "events_read": record.events_read,
            "stored": record.stored,
            "duplicates": record.duplicates,
            "refused": record.refused,
            "error": error[:500],
        },
    )
    return record


def _refusal_message(failures: list[dict[str, Any]]) -> str:
    named = "; ".join(
        "{id}: {message}".format(id=item.get("id", "?"), message=item.get("message", ""))
        for item in failures[:REFUSALS_NAMED]
    )
    message = ngettext(
        "{count} object was refused: {reasons}",
        "{count} objects were refused: {reasons}",
        len(failures),
    ).format(count=len(failures), reasons=named)
    more = len(failures) - REFUSALS_NAMED
    if more > 0:
        message += " " + _("(and {count} more)").format(count=more)
    return message


def _raw(obj: dict[str, Any]) -> str:
    """An object's JSON text as the store keeps it (:func:`intel.services.check_object`)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _without_held_observables(collection: Collection, objects: list[Any]) -> tuple[list[Any], int]:
    """Cyber-observables have no version of their own (the store dates each one it stores): one
    that the collection already holds exactly as read is not submitted again (as the MISP
    import does), so that reading a collection again does not store its observables twice.
    Returns the objects to submit and how many were left out."""
    candidates = {
        obj["id"]
        for obj in objects
        if isinstance(obj, dict) and isinstance(obj.get("id"), str) and stix.version_of(obj) is None
    }
    if not candidates:
        return objects, 0
    # The platform's own bookkeeping (what the collection holds), not a read shown to anyone.
    held = set(
        StixObject.objects.filter(
            collection=collection, stix_id__in=sorted(candidates)
        ).values_list("stix_id", "raw")
    )
    if not held:
        return objects, 0
    kept = [
        obj
        for obj in objects
        if not (
            isinstance(obj, dict) and obj.get("id") in candidates and (obj["id"], _raw(obj)) in held
        )
    ]
    return kept, len(objects) - len(kept)


def _poll_taxii(
    source: RemoteSource, started: dt.datetime, trigger: str, requested_by_id: int | None
) -> SourcePoll:
    try:
        read = remote.read_taxii(
            url=source.url,
            auth=_auth(source),
            added_after=source.taxii_added_after,
            max_objects=max_objects_per_poll(),
        )
    except remote.RemoteError as exc:
        raise PollFailure(exc.message, added_after=source.taxii_added_after) from exc
    details: dict[str, Any] = {
        "added_after": source.taxii_added_after,
        "date_added_last": read.date_added_last,
        "pages": read.pages,
        "more": read.more,
    }
    cursor = {"taxii_added_after": read.date_added_last} if read.date_added_last else None
    owner, collection = source.owner, source.collection
    with transaction.atomic():
        ingest = None
        successes: list[dict[str, Any]] = []
        failures: list[dict[str, Any]] = []
        objects, held = _without_held_observables(collection, read.objects)
        if objects:
            try:
                ingest = intel.submit(actor=owner, collection=collection, objects=objects)
            except PermissionDenied as exc:
                raise PollFailure(
                    _("{user} may not add objects to the collection {collection}.").format(
                        user=owner.get_username(), collection=collection.title
                    )
                ) from exc
            # Processed here, in this transaction: the worker's job that submit enqueues after
            # commit finds the ingest complete and does nothing.
            ingest = intel.process(ingest.pk)
            successes, failures = list(ingest.successes), list(ingest.failures)
        stored = sum(1 for entry in successes if "message" not in entry)
        counts = {
            "objects_read": len(read.objects),
            "stored": stored,
            "duplicates": len(successes) - stored + held,
            "refused": len(failures),
        }
        if failures:
            details["refused"] = failures[:REFUSALS_KEPT]
        status = PollStatus.SUCCESS
        error = ""
        if failures:
            status = PollStatus.PARTIAL if successes or held else PollStatus.ERROR
            error = _refusal_message(failures)
        stored_ids = (
            list(StixObject.objects.filter(ingest=ingest).values_list("pk", flat=True))
            if ingest is not None and stored
            else []
        )
        return _record(
            source,
            started,
            trigger,
            requested_by_id,
            status=status,
            error=error,
            details=details,
            counts=counts,
            ingest=ingest,
            stored_ids=stored_ids,
            cursor=cursor,
            more=read.more,
        )


def _poll_misp(
    source: RemoteSource, started: dt.datetime, trigger: str, requested_by_id: int | None
) -> SourcePoll:
    seen = {str(key): int(value) for key, value in (source.misp_timestamps or {}).items()}
    try:
        read = remote.read_misp_feed(
            url=source.url, auth=_auth(source), seen=seen, max_events=max_events_per_poll()
        )
    except (remote.RemoteError, MispError) as exc:
        # str(): the poll's record keeps the engine's English text (misp.error_text is for
        # answers given at once, in the reader's language).
        raise PollFailure(str(exc)) from exc
    details: dict[str, Any] = {"events": [event["uuid"] for event in read.events]}
    if read.more:
        details["more"] = True
    # What is remembered: the events the manifest still lists, with those imported now.
    remembered = {key: value for key, value in seen.items() if key in read.listed}
    remembered.update(read.timestamps)
    cursor = {"misp_timestamps": remembered}
    if not read.events:
        return _record(
            source,
            started,
            trigger,
            requested_by_id,
            status=PollStatus.SUCCESS,
            details=details,
            cursor=cursor,
        )
    owner, collection = source.owner, source.collection
    with transaction.atomic():
        # Take the collection's lock before the import does, so that the versions dated after
        # ``before`` are this import's and nobody else's.
        before = intel.lock_collection(collection)
        try:
            result = misp.import_events(
                actor=owner, collection=collection, events=read.events, source=source.url
            )
        except MispError as exc:
            raise PollFailure(str(exc), events=details["events"]) from exc
        except PermissionDenied as exc:
            raise PollFailure(
                _("{user} may not add objects to the collection {collection}.").format(
                    user=owner.get_username(), collection=collection.title
                )
            ) from exc
        new = StixObject.objects.filter(collection=collection, ingest__isnull=True)
        if before is not None:
            new = new.filter(date_added__gt=before)
        stored_ids = list(new.values_list("pk", flat=True)) if result.stored else []
        return _record(
            source,
            started,
            trigger,
            requested_by_id,
            status=PollStatus.SUCCESS,
            details=details,
            counts={
                "events_read": len(read.events),
                "objects_read": result.stored + result.unchanged,
                "stored": result.stored,
                "duplicates": result.unchanged,
            },
            stored_ids=stored_ids,
            cursor=cursor,
            more=read.more,
        )
