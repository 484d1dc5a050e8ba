"""Writing to the audit trail: :func:`record` is the only way in.

The request context (client IP) reaches services through a context variable set by
:class:`cicte.core.middleware.AuditContextMiddleware`, so services keep the signature
``service(*, actor, ...)`` and still audit where the request came from.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction

from cicte.core.models import AuditEvent

GENESIS = "0" * 64
# Any constant: the key of the PostgreSQL advisory lock that serialises appends to the chain.
_CHAIN_LOCK_KEY = 0x43494354


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None


_request_context: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "cicte_audit_request",
    default=RequestContext(),  # noqa: B039 - a frozen dataclass
)


@contextmanager
def request_context(ip_address: str | None) -> Iterator[None]:
    token = _request_context.set(RequestContext(ip_address=ip_address))
    try:
        yield
    finally:
        _request_context.reset(token)


def _is_tlp_labelled(obj: Any) -> bool:
    return obj is not None and hasattr(obj, "tlp")


def _member_state_of(obj: Any) -> Any:
    """The member state a record belongs to, for the coordinators' view of the trail."""
    if obj is None:
        return None
    if obj._meta.label_lower == "accounts.memberstate":
        return obj.pk
    if hasattr(obj, "member_state_id"):
        return obj.member_state_id
    organization = getattr(obj, "organization", None) or getattr(obj, "owner_organization", None)
    return getattr(organization, "member_state_id", None)


def diff(instance: models.Model, before: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """What changed between ``before`` (a dict of old values) and ``instance``: field ->
    [old, new]; for TLP-labelled objects only the names of the changed fields."""
    changed = {}
    for field in fields:
        old, new = before.get(field), getattr(instance, field)
        if old != new:
            changed[field] = [_jsonable(old), _jsonable(new)]
    if _is_tlp_labelled(instance):
        return {"fields": sorted(changed)}
    return changed


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {field: getattr(instance, field) for field in fields}


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    actor_label: str | None = None,
    object_repr: str | None = None,
    subject_member_state_id: int | None = None,
) -> AuditEvent:
    """Append one event to the chain. Call it inside the service's transaction: the event then
    commits or rolls back with the change it records."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    changes = dict(changes or {})
    if obj is not None and _is_tlp_labelled(obj):
        # Never store values of TLP-labelled content in the trail, only field names; nor its
        # title, which readers of the trail (administrators, coordinators) may not see.
        if any(k != "fields" for k in changes):
            changes = {"fields": sorted(changes)}
        object_repr = f"{obj._meta.verbose_name} #{obj.pk}"
    organization = getattr(actor, "organization", None) if actor is not None else None
    event = AuditEvent(
        actor=actor,
        actor_label=actor_label or (actor.get_username() if actor is not None else ""),
        organization=organization,
        member_state_id=getattr(organization, "member_state_id", None),
        subject_member_state_id=subject_member_state_id
        if subject_member_state_id is not None
        else _member_state_of(obj),
        ip_address=_request_context.get().ip_address,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(
            object_repr if object_repr is not None else str(obj) if obj is not None else ""
        )[:300],
        changes=changes,
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        # On SQLite, transactions are IMMEDIATE (settings): the write lock is already held.
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event.prev_hash = last or GENESIS
        event.hash = event.compute_hash()
        event.save()
    return event


def record_view(*, actor: Any, obj: models.Model) -> AuditEvent:
    """Every view of a record marked sensitive (another person's account, a designated contact's
    details...) is an audit event: ``<app>.<model>.view``."""
    return record(actor=actor, action=f"{obj._meta.label_lower}.view", obj=obj)


def record_export(
    *, actor: Any, what: str, count: int, filters: dict[str, Any] | None = None
) -> AuditEvent:
    """Every export is an audit event: what was exported, how many rows, with which filters."""
    return record(
        actor=actor,
        action=f"{what}.export",
        object_repr=what,
        changes={"rows": count, "filters": filters or {}},
    )


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    reason: str


def verify_chain(*, batch_size: int = 2000) -> tuple[int, ChainBreak | None]:
    """Walk the whole chain in id order; return how many events were checked and the first
    broken link, if any."""
    expected_prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return checked, None
        for event in batch:
            if event.prev_hash != expected_prev:
                return checked, ChainBreak(
                    event.id, "its prev_hash does not match the hash of the event before it"
                )
            if event.compute_hash() != event.hash:
                return checked, ChainBreak(event.id, "its content does not match its hash")
            expected_prev = event.hash
            checked += 1
            last_id = event.id
