"""Every write of the secure exchange: sending, replying, reading, acknowledging, closing a
request, escalating. Keyword-only, ``actor`` first, atomic, audited; the pages and the REST API
call these, and the emails leave after commit through the worker."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cicte.accounts import permissions
from cicte.accounts.choices import OrganizationKind, RoleScope
from cicte.accounts.models import (
    MemberState,
    Network,
    Organization,
    OrganizationMembership,
    RoleAssignment,
    User,
)
from cicte.core import audit
from cicte.core.choices import TLP
from cicte.messaging import attachments as attachment_checks
from cicte.messaging.choices import DUTY_PERM, MessageKind, Urgency
from cicte.messaging.models import (
    Attachment,
    Delivery,
    Message,
    represented_states,
    secretariat_networks,
)

SEND_PERM = "messaging.send_message"
TLP_ORDER: list[str] = [TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED]
SUBJECT_MAX = 300
BODY_MAX = 100_000


def _require(condition: bool, message: str | None = None) -> None:
    if not condition:
        raise PermissionDenied(message or _("You do not have permission to do this."))


# --- Who speaks for whom ----------------------------------------------------------------------


def _designated_states(user: Any, network_id: int) -> set[int]:
    from cicte.directory.models import ContactDesignation

    return set(
        ContactDesignation.objects.current()
        .in_force_on(timezone.now().date())
        .filter(network_id=network_id, contact__user_id=user.pk, contact__is_active=True)
        .values_list("member_state_id", flat=True)
    )


def sending_states(user: Any, network: Network) -> list[MemberState]:
    """The member states ``user`` may send for in ``network``: as one of its designated contacts
    there, or holding a role with ``messaging.send_message`` in the network (their own state)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    ids = _designated_states(user, network.pk)
    ids |= {
        g.member_state_id
        for g in permissions.grants_for(user)
        if g.scope == RoleScope.NETWORK
        and g.network_id == network.pk
        and g.member_state_id
        and SEND_PERM in g.perms
    }
    return list(MemberState.objects.filter(pk__in=ids).order_by("name"))


def sends_for_secretariat(user: Any, network: Network) -> bool:
    """Secretariat members of the network send on behalf of the Secretariat."""
    return network.pk in secretariat_networks(user)


def may_send(user: Any, network: Network | None = None) -> bool:
    """Whether ``user`` may send in ``network`` (in any network when none is given)."""
    if network is not None:
        return bool(sends_for_secretariat(user, network) or sending_states(user, network))
    return any(may_send(user, n) for n in sending_networks(user))


def sending_networks(user: Any) -> list[Network]:
    """The networks where ``user`` may send."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    ids = set(secretariat_networks(user))
    ids |= {
        g.network_id
        for g in permissions.grants_for(user)
        if g.scope == RoleScope.NETWORK and g.network_id and g.member_state_id
        if SEND_PERM in g.perms
    }
    ids |= set(represented_states(user))  # designated contacts (and role holders)
    networks = Network.objects.filter(pk__in=ids, is_active=True)
    return [n for n in networks if sends_for_secretariat(user, n) or sending_states(user, n)]


def network_states(network: Network) -> set[int]:
    """The member states present in ``network``: with a designation in force there, or an
    organisation that is a member."""
    from cicte.directory.models import ContactDesignation

    designated = set(
        ContactDesignation.objects.current()
        .in_force_on(timezone.now().date())
        .filter(network=network)
        .values_list("member_state_id", flat=True)
    )
    members = set(
        OrganizationMembership.objects.filter(
            network=network, organization__member_state__isnull=False
        ).values_list("organization__member_state_id", flat=True)
    )
    return designated | members


def states_of(user: Any, message: Message) -> set[int]:
    """The states ``user`` speaks for in the message's network."""
    return set(represented_states(user).get(message.network_id, set()))


# --- The audience ---------------------------------------------------------------------------


def _designations(network: Network, state_ids: Iterable[int]) -> Any:
    from cicte.directory.models import ContactDesignation

    return (
        ContactDesignation.objects.current()
        .in_force_on(timezone.now().date())
        .filter(network=network, member_state_id__in=list(state_ids), contact__is_active=True)
        .select_related("contact__user", "contact__organization")
    )


def _audience_organizations(network: Network, state_ids: set[int]) -> set[int]:
    """The organisations whose people may speak for ``state_ids`` in ``network``: those of the
    designated contacts, the member organisations of those states, the organisations of those
    states' people holding a role in the network; and the Secretariat."""
    ids = {d.contact.organization_id for d in _designations(network, state_ids)}
    ids |= set(
        OrganizationMembership.objects.filter(
            network=network, organization__member_state_id__in=state_ids
        ).values_list("organization_id", flat=True)
    )
    ids |= set(
        RoleAssignment.objects.filter(
            network=network, user__organization__member_state_id__in=state_ids
        ).values_list("user__organization_id", flat=True)
    )
    ids |= set(
        Organization.objects.filter(kind=OrganizationKind.SECRETARIAT).values_list("pk", flat=True)
    )
    return ids


def _named_people(network: Network, state_ids: set[int]) -> set[int]:
    """For TLP:RED: the designated contacts of ``state_ids`` in ``network`` with an account."""
    return {
        d.contact.user_id
        for d in _designations(network, state_ids)
        if d.contact.user_id and d.contact.user.is_active
    }


def _set_audience(
    message: Message, addressed: set[int], *, extra_people: Iterable[int] = ()
) -> None:
    parties = set(addressed)
    if message.sender_state_id:
        parties.add(message.sender_state_id)
    message.audience_networks.set([message.network_id])
    message.audience_organizations.set(sorted(_audience_organizations(message.network, parties)))
    people = set(extra_people)
    if message.tlp == TLP.RED:
        people |= _named_people(message.network, addressed)
    people.discard(message.created_by_id)
    message.audience_users.set(sorted(people))


# --- Sending --------------------------------------------------------------------------------


def reference_prefix(network: Network) -> str:
    text = network.acronym or network.slug
    return re.sub(r"[^A-Za-z0-9]+", "", text).upper()[:16] or "NET"


def _number(message: Message) -> None:
    """The message's reference: the network's short code, the year and the next number, taken
    under a lock of the network's row (one number per message, no gaps from races)."""
    Network.objects.select_for_update().filter(pk=message.network_id).first()
    year = message.sent_at.year
    last = Message.objects.filter(network_id=message.network_id, year=year).aggregate(
        last=Max("sequence")
    )["last"]
    message.year, message.sequence = year, (last or 0) + 1
    message.reference = f"{reference_prefix(message.network)}-{year}-{message.sequence:04d}"


def _clean_text(subject: str, body: str) -> tuple[str, str]:
    subject, body = (subject or "").strip(), (body or "").strip()
    errors: dict[str, str] = {}
    if not subject:
        errors["subject"] = _("Write a subject.")
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = _("The subject may have up to {count} characters.").format(
            count=SUBJECT_MAX
        )
    if not body:
        errors["body"] = _("Write the message.")
    elif len(body) > BODY_MAX:
        errors["body"] = _("The message may have up to {count} characters.").format(count=BODY_MAX)
    if errors:
        raise ValidationError(errors)
    return subject, body


def _checked_files(files: Sequence[Any]) -> list[tuple[Any, attachment_checks.CheckedFile]]:
    checked, errors = [], []
    for upload in files:
        try:
            checked.append((upload, attachment_checks.check(upload)))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"attachments": errors})
    return checked


def _store_files(message: Message, checked: list[tuple[Any, Any]]) -> None:
    for upload, info in checked:
        upload.seek(0)
        attachment = Attachment(
            message=message,
            name=info.name,
            content_type=info.content_type,
            size=info.size,
            sha256=info.sha256,
        )
        # The stored name is not the sender's: only the record keeps that.
        attachment.file.save(f"{info.sha256[:16]}.bin", upload, save=False)
        attachment.save()


def _enqueue_notifications(message: Message, deliveries: list[Delivery]) -> None:
    from cicte.messaging import tasks

    delivery_ids = [d.pk for d in deliveries]
    message_id = message.pk

    def enqueue() -> None:
        for delivery_id in delivery_ids:
            tasks.notify_delivery(delivery_id)
        if message.thread_id:
            tasks.notify_thread_author(message_id)

    transaction.on_commit(enqueue)


# The fields of a new message that the compose form and the API's serializer hand over as they
# are (the sender state, the addressed states and the files each caller prepares itself).
SEND_FIELDS = (
    "network",
    "kind",
    "subject",
    "body",
    "urgency",
    "tlp",
    "language",
    "whole_network",
    "due_at",
)


@transaction.atomic
def send_message(
    *,
    actor: User,
    network: Network,
    kind: str,
    subject: str,
    body: str,
    urgency: str = Urgency.ROUTINE,
    tlp: str = TLP.AMBER,
    language: str = "",
    sender_state: MemberState | None = None,
    whole_network: bool = False,
    states: Iterable[MemberState] = (),
    due_at: dt.datetime | None = None,
    files: Sequence[Any] = (),
) -> Message:
    """Send a new message (a thread's root) in ``network``, on behalf of ``sender_state`` (one of
    the states the actor speaks for there) or of the Secretariat (``sender_state`` None, for its
    members of the network), to the whole network or to ``states``; each addressed state's
    designated contacts are emailed after commit."""
    own_states = sending_states(actor, network)
    for_secretariat = sends_for_secretariat(actor, network)
    _require(
        bool(own_states or for_secretariat),
        _("You may not send messages in this network."),
    )
    if sender_state is None and not for_secretariat:
        if len(own_states) == 1:
            sender_state = own_states[0]
        else:
            raise ValidationError({"sender_state": _("Choose the member state you send for.")})
    if sender_state is not None and sender_state.pk not in {s.pk for s in own_states}:
        raise PermissionDenied(_("You may not send on behalf of this member state."))
    errors: dict[str, Any] = {}
    if kind not in (MessageKind.ALERT, MessageKind.RFI, MessageKind.NOTICE):
        errors["kind"] = _("Choose an alert, a request for information or a notice.")
    if urgency not in Urgency.values:
        errors["urgency"] = _("Choose the urgency: routine, priority or immediate.")
    if tlp not in TLP.values:
        errors["tlp"] = _("Choose a TLP label.")
    now = timezone.now()
    if kind == MessageKind.RFI:
        if due_at is None:
            errors["due_at"] = _("A request for information needs a date to answer by.")
        elif due_at <= now:
            errors["due_at"] = _("The date to answer by must be in the future.")
    present = network_states(network)
    if whole_network:
        addressed = set(present)
    else:
        addressed = {s.pk for s in states}
        absent = sorted(str(s) for s in states if s.pk not in present)
        if absent:
            errors["states"] = _("No contact of {states} in this network.").format(
                states=", ".join(absent)
            )
    if sender_state is not None:
        addressed.discard(sender_state.pk)
    if not addressed and "states" not in errors:
        errors["states"] = _("Address the whole network or at least one other member state.")
    try:
        subject, body = _clean_text(subject, body)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        checked = _checked_files(files)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        checked = []
    if errors:
        raise ValidationError(errors)

    if actor.organization is None:
        raise PermissionDenied(_("You need an organisation to send messages."))
    message = Message(
        network=network,
        kind=kind,
        urgency=urgency,
        subject=subject,
        body=body,
        language=(language or "").strip()[:12],
        sender_state=sender_state,
        whole_network=whole_network,
        due_at=due_at if kind == MessageKind.RFI else None,
        sent_at=now,
        tlp=tlp,
        owner_organization=actor.organization,
        created_by=actor,
    )
    deliveries = _save(message, addressed)
    _set_audience(message, addressed)
    _store_files(message, checked)
    audit.record(
        actor=actor,
        action="messaging.message.send",
        obj=message,
        changes={"fields": ["kind", "urgency", "tlp", "states", "attachments"]},
    )
    _enqueue_notifications(message, deliveries)
    return message


def _save(message: Message, states: Iterable[int]) -> list[Delivery]:
    """Number and save a new message with one delivery per addressed state; the deliveries."""
    _number(message)
    message.save()
    Delivery.objects.bulk_create(
        [Delivery(message=message, member_state_id=state_id) for state_id in sorted(states)]
    )
    return list(Delivery.objects.filter(message=message))


def _requester_side(actor: User, root: Message) -> bool:
    if actor.pk == root.created_by_id or actor.organization_id == root.owner_organization_id:
        return True
    if root.sender_state_id is None:
        return sends_for_secretariat(actor, root.network)
    return root.sender_state_id in states_of(actor, root)


def sees_all_deliveries(actor: User, message: Message) -> bool:
    """Whether ``actor``, who reads ``message``, sees every addressed state's delivery,
    acknowledgment, answer and escalation (others see their own states' only): the sending side,
    the Secretariat's members of the network, and the duty officers, whom escalations reach."""
    return (
        _requester_side(actor, message)
        or message.network_id in secretariat_networks(actor)
        or permissions.has_global_perm(actor, DUTY_PERM)
    )


@transaction.atomic
def reply(
    *,
    actor: User,
    message: Message,
    body: str,
    subject: str = "",
    tlp: str | None = None,
    language: str = "",
    files: Sequence[Any] = (),
) -> Message:
    """A response in ``message``'s thread. From an addressed state: to the requester's side (its
    state, or the Secretariat), which marks that state's delivery answered. From the requester's
    side: to the state of the message answered, or to every state of the thread. ``message``
    must be one the actor may read (the caller looked it up through ``readable_by``)."""
    root = message.root
    _require(root.closed_at is None, _("This request for information is closed."))
    now = timezone.now()
    requester = _requester_side(actor, root)
    root_states = set(root.deliveries.values_list("member_state_id", flat=True))
    mine = states_of(actor, root) & root_states
    if requester:
        sender_state = root.sender_state
        if message.pk != root.pk and message.sender_state_id in root_states:
            addressed = {message.sender_state_id}
        else:
            addressed = set(root_states)
    else:
        _require(
            bool(mine),
            _("Only the requester's side and the addressed member states answer in a thread."),
        )
        # Answer for the state of the message answered, else the first the actor speaks for.
        mine_sorted = sorted(mine)
        state_id = message.sender_state_id if message.sender_state_id in mine else mine_sorted[0]
        sender_state = MemberState.objects.get(pk=state_id)
        addressed = {root.sender_state_id} if root.sender_state_id else set()
    addressed.discard(sender_state.pk if sender_state else None)  # type: ignore[arg-type]
    tlp = tlp or message.tlp
    if tlp not in TLP.values:
        raise ValidationError({"tlp": _("Choose a TLP label.")})
    if not (subject or "").strip():
        # The root's subject is repeated only under a label at least as strict as the root's.
        quoted = (
            root.subject if TLP_ORDER.index(tlp) >= TLP_ORDER.index(root.tlp) else root.reference
        )
        subject = _("Re: {subject}").format(subject=quoted)[:SUBJECT_MAX]
    subject, body = _clean_text(subject, body)
    checked = _checked_files(files)
    if actor.organization is None:
        raise PermissionDenied(_("You need an organisation to send messages."))
    response = Message(
        network=root.network,
        kind=MessageKind.RESPONSE,
        urgency=message.urgency if message.urgency != Urgency.IMMEDIATE else Urgency.PRIORITY,
        subject=subject,
        body=body,
        language=(language or "").strip()[:12],
        sender_state=sender_state,
        thread=root,
        in_reply_to=message,
        sent_at=now,
        tlp=tlp,
        owner_organization=actor.organization,
        created_by=actor,
    )
    deliveries = _save(response, {s for s in addressed if s})
    extra = {root.created_by_id, message.created_by_id} - {actor.pk}
    _set_audience(response, {s for s in addressed if s}, extra_people=extra)
    _store_files(response, checked)
    if not requester and sender_state is not None:
        # The state answered: the first response from it marks the thread's deliveries to it.
        Delivery.objects.filter(
            message_id__in={root.pk, message.pk},
            member_state=sender_state,
            answered_at__isnull=True,
        ).update(answered_at=now, answered_by=actor)
    audit.record(
        actor=actor,
        action="messaging.message.reply",
        obj=response,
        changes={"fields": ["in_reply_to", "tlp", "attachments"]},
    )
    _enqueue_notifications(response, deliveries)
    return response


# --- Reading, acknowledging, closing --------------------------------------------------------


@transaction.atomic
def record_read(*, actor: User, message: Message) -> None:
    """A look at a message (page or API): an audit event, and the first read by someone of an
    addressed state marks that state's delivery read."""
    state_ids = states_of(actor, message)
    if state_ids:
        Delivery.objects.filter(
            message=message, member_state_id__in=state_ids, read_at__isnull=True
        ).update(read_at=timezone.now(), read_by=actor)
    audit.record_view(actor=actor, obj=message)


@transaction.atomic
def acknowledge(*, actor: User, message: Message) -> list[Delivery]:
    """One click by any person who speaks for an addressed state: its delivery is acknowledged
    (time and person), once; a second click changes nothing."""
    state_ids = states_of(actor, message)
    deliveries = list(
        Delivery.objects.select_for_update().filter(message=message, member_state_id__in=state_ids)
    )
    _require(
        bool(deliveries),
        _("Only the designated contacts and network members of an addressed state acknowledge."),
    )
    now = timezone.now()
    changed = []
    for delivery in deliveries:
        if delivery.acknowledged_at is None:
            delivery.acknowledged_at, delivery.acknowledged_by = now, actor
            if delivery.read_at is None:
                delivery.read_at, delivery.read_by = now, actor
            delivery.save(
                update_fields=["acknowledged_at", "acknowledged_by", "read_at", "read_by"]
            )
            changed.append(delivery.member_state_id)
    if changed:
        audit.record(
            actor=actor,
            action="messaging.message.acknowledge",
            obj=message,
            changes={"fields": ["acknowledged_at"]},
            subject_member_state_id=changed[0],
        )
    return deliveries


@transaction.atomic
def close_request(*, actor: User, message: Message) -> Message:
    """The requester's side closes its request for information; no more responses."""
    root = message.root
    if root.kind != MessageKind.RFI:
        raise ValidationError(_("Only a request for information is closed."))
    _require(
        _requester_side(actor, root),
        _("Only the requester's side closes a request for information."),
    )
    if root.closed_at is not None:
        return root
    root.closed_at, root.closed_by = timezone.now(), actor
    root.save(update_fields=["closed_at", "closed_by"])
    audit.record(
        actor=actor, action="messaging.message.close", obj=root, changes={"fields": ["closed_at"]}
    )
    return root


def record_download(*, actor: User, attachment: Attachment) -> None:
    """Every download of an attachment is an audit event (named by id, never by file name)."""
    audit.record(
        actor=actor,
        action="messaging.attachment.download",
        obj=attachment,
        object_repr=f"attachment #{attachment.pk} of message #{attachment.message_id}",
        subject_member_state_id=attachment.message.sender_state_id,
    )


def record_export(*, actor: User, root: Message) -> None:
    """Every export of a thread is an audit event."""
    audit.record(
        actor=actor,
        action="messaging.thread.export",
        obj=root,
        changes={"fields": ["pdf"]},
    )
