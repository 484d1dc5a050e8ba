"""Every write of the designation workflow (keyword-only, ``actor`` first, atomic, audited).

Four eyes: an official with ``designations.propose_designation`` for the member state proposes
an action (designate, amend, delist, unfreeze) with its validated payload; another official
with ``designations.approve_designation`` for that state approves (the change applies and the
state's domestic list is published at once, in the same transaction) or rejects it with a note;
the proposer may withdraw it while it waits. The proposer never approves or rejects their own
proposal, whatever roles they hold: checked here, not only on the pages. One action waits per
designation at a time.

Audit records name the designation by its reference only: a pending proposal must not reach
readers of the trail (the Secretariat, coordinators) by name.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cicte.accounts import permissions
from cicte.accounts.models import MemberState
from cicte.core import audit
from cicte.designations import details as payloads
from cicte.designations import publication
from cicte.designations.choices import (
    ActionKind,
    ActionStatus,
    DesignationStatus,
    FreezeStatus,
    UnfreezeScope,
)
from cicte.designations.models import APPROVE, PROPOSE, Action, Designation
from cicte.sanctions import services as sanctions_services
from cicte.sanctions.sources import slug_id


def may_propose(user: Any, member_state_id: int) -> bool:
    return permissions.can(user, PROPOSE, member_state_id=member_state_id)


def may_approve(user: Any, member_state_id: int) -> bool:
    return permissions.can(user, APPROVE, member_state_id=member_state_id)


def proposing_states(user: Any) -> list[MemberState]:
    """The member states for which ``user`` may propose designations."""
    ids = permissions.member_states_with_perm(user, PROPOSE)
    return list(MemberState.objects.filter(pk__in=ids).order_by("name"))


def _require_propose(actor: Any, member_state_id: int) -> None:
    if not may_propose(actor, member_state_id):
        raise PermissionDenied(
            _(
                "You may not propose designations for this member state: it needs the role of a "
                "designation officer of the state."
            )
        )


def _next_reference(member_state: MemberState) -> str:
    """``CO-1373-2026-0001``: the state, the resolution, the year, a number within the year."""
    # Lock the state's row: two proposals at once do not take the same number.
    MemberState.objects.select_for_update().filter(pk=member_state.pk).first()
    prefix = f"{member_state.code}-1373-{timezone.now().year}-"
    last = (
        Designation.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def _record(actor: Any, what: str, action: Action, **changes: Any) -> None:
    designation = action.designation
    audit.record(
        actor=actor,
        action=f"designations.action.{what}",
        obj=action,
        object_repr=f"{designation.reference} {action.kind}",
        subject_member_state_id=designation.member_state_id,
        changes={"reference": designation.reference, "kind": action.kind, **changes},
    )


def _check_applicable(designation: Designation, kind: str, payload: dict[str, Any]) -> None:
    """Whether the action can apply to the designation as it is now (at proposal and again at
    approval); ValidationError saying why not."""
    status = designation.status
    if kind == ActionKind.DESIGNATE:
        ok = status == DesignationStatus.PROPOSED
        message = _("Only a new proposal can be designated.")
    elif kind in (ActionKind.AMEND, ActionKind.DELIST):
        ok = status == DesignationStatus.LISTED
        message = _("Only a listed designation can be amended or delisted.")
    else:
        scope = payload.get("scope")
        if scope == UnfreezeScope.FULL:
            ok = status == DesignationStatus.DELISTED and (
                designation.freeze_status != FreezeStatus.UNFROZEN
            )
            message = _("Full unfreezing follows a delisting, and only once.")
        elif scope == UnfreezeScope.FALSE_POSITIVE:
            ok = status in (DesignationStatus.LISTED, DesignationStatus.DELISTED)
            message = _("A false positive is confirmed against a listed or delisted designation.")
        else:
            ok = status == DesignationStatus.LISTED
            message = _("A humanitarian exemption applies to a listed designation.")
    if not ok:
        raise ValidationError({"non_field_errors": [message]})


def _validated(designation: Designation | None, kind: str, data: Any) -> dict[str, Any]:
    if kind in (ActionKind.DESIGNATE, ActionKind.AMEND):
        payload = payloads.validate_designation(data)
        if designation is not None and payload["kind"] != designation.kind:
            raise ValidationError(
                {
                    "kind": [
                        _(
                            "A person cannot become an organisation, nor the reverse: delist "
                            "and designate anew."
                        )
                    ]
                }
            )
        return payload
    if kind == ActionKind.DELIST:
        return payloads.validate_delisting(data)
    if kind == ActionKind.UNFREEZE:
        return payloads.validate_unfreezing(data)
    raise ValidationError({"kind": [_("Choose amend, delist or unfreeze.")]})


@transaction.atomic
def propose_designation(*, actor: Any, member_state: MemberState, data: Any) -> Action:
    """A new designation, in status proposed, with its designate action awaiting approval."""
    _require_propose(actor, member_state.pk)
    payload = _validated(None, ActionKind.DESIGNATE, data)
    reference = _next_reference(member_state)
    organization = getattr(actor, "organization", None)
    designation = Designation.objects.create(
        member_state=member_state,
        reference=reference,
        kind=payload["kind"],
        name=payload["name"],
        details=_details_of(payload),
        domestic_law=payload["domestic_law"],
        article=payload["article"],
        statement_of_case=payload["statement_of_case"],
        public_summary=payload["public_summary"],
        authority=organization.name if organization is not None else member_state.name,
        ftm_id=slug_id(member_state.code.lower(), reference),
    )
    action = Action.objects.create(
        designation=designation, kind=ActionKind.DESIGNATE, payload=payload, proposed_by=actor
    )
    _record(actor, "propose", action)
    return action


@transaction.atomic
def propose_action(*, actor: Any, designation: Designation, kind: str, data: Any) -> Action:
    """Propose an amendment, a delisting or an unfreezing of an existing designation."""
    designation = Designation.objects.select_for_update().get(pk=designation.pk)
    _require_propose(actor, designation.member_state_id)
    if kind == ActionKind.DESIGNATE:
        raise ValidationError({"kind": [_("Choose amend, delist or unfreeze.")]})
    payload = _validated(designation, kind, data)
    _check_applicable(designation, kind, payload)
    if designation.actions.filter(status=ActionStatus.PENDING).exists():
        raise ValidationError(
            {
                "non_field_errors": [
                    _(
                        "Another change of this designation awaits approval: "
                        "it must be decided or withdrawn first."
                    )
                ]
            }
        )
    action = Action.objects.create(
        designation=designation, kind=kind, payload=payload, proposed_by=actor
    )
    _record(actor, "propose", action, **({"scope": payload["scope"]} if "scope" in payload else {}))
    return action


def _details_of(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k not in payloads.CASE_FIELDS}


def _pending(action: Action) -> Action:
    locked = (
        Action.objects.select_for_update()
        .select_related("designation__member_state")
        .get(pk=action.pk)
    )
    if locked.status != ActionStatus.PENDING:
        raise ValidationError(
            {
                "non_field_errors": [
                    _("This proposal is no longer awaiting approval ({status}).").format(
                        status=locked.get_status_display()
                    )
                ]
            }
        )
    return locked


def _require_second_official(actor: Any, action: Action) -> None:
    if not may_approve(actor, action.designation.member_state_id):
        raise PermissionDenied(
            _(
                "You may not decide on designations of this member state: it needs the role of "
                "a designation approver of the state."
            )
        )
    if actor.pk == action.proposed_by_id:
        raise PermissionDenied(
            _("Four eyes: a second official must decide on this proposal, not its proposer.")
        )


def _apply(action: Action, now: Any) -> list[str]:
    """Apply an approved action to its designation; the changed fields."""
    designation, payload = action.designation, action.payload
    if action.kind == ActionKind.DESIGNATE:
        designation.status = DesignationStatus.LISTED
        designation.listed_at = now
        designation.freeze_status = FreezeStatus.FROZEN
        return ["status", "listed_at", "freeze_status"]
    if action.kind == ActionKind.AMEND:
        designation.kind = payload["kind"]
        designation.name = payload["name"]
        designation.details = _details_of(payload)
        for field in payloads.CASE_FIELDS:
            setattr(designation, field, payload[field])
        return ["kind", "name", "details", *payloads.CASE_FIELDS]
    if action.kind == ActionKind.DELIST:
        designation.status = DesignationStatus.DELISTED
        designation.delisted_at = now
        designation.delisting_reason = payload["reason"]
        return ["status", "delisted_at", "delisting_reason"]
    scope = payload["scope"]
    if scope == UnfreezeScope.FULL:
        designation.freeze_status = FreezeStatus.UNFROZEN
        return ["freeze_status"]
    if scope == UnfreezeScope.FALSE_POSITIVE:
        return []  # recorded on the action; the designated party's assets stay as they are
    designation.freeze_status = FreezeStatus.PARTIALLY_UNFROZEN
    designation.exemptions = [
        *designation.exemptions,
        {
            "action": action.pk,
            "scope": scope,
            "amount": payload["amount"],
            "currency": payload["currency"],
            "terms": payload["terms"],
            "granted_on": now.date().isoformat(),
        },
    ]
    return ["freeze_status", "exemptions"]


def publish(*, actor: Any, member_state: MemberState, action: Action | None = None) -> Any:
    """Rebuild the state's domestic list from its listed designations and import it: a new
    version with its diff, or none when the content did not change. Call inside the
    transaction that changed the designations."""
    sanctions_list = sanctions_services.ensure_domestic_list(actor=actor, member_state=member_state)
    listed = Designation.objects.filter(
        member_state=member_state, status=DesignationStatus.LISTED
    ).select_related("member_state")
    parsed = publication.build(sanctions_list.key, listed, published_at=timezone.now())
    what = (
        f"{action.designation.reference} {action.kind} (action {action.pk})"
        if action is not None
        else "republication"
    )
    return sanctions_services.import_list(
        actor=actor,
        parsed=parsed,
        source_name=f"Designations of {member_state.code}: {what}",
        source_bytes_sha256=publication.content_sha256(parsed),
    )


@transaction.atomic
def approve(*, actor: Any, action: Action, note: str = "") -> Action:
    """A second official approves: the change applies and the domestic list is published."""
    action = _pending(action)
    _require_second_official(actor, action)
    designation = Designation.objects.select_for_update().get(pk=action.designation_id)
    action.designation = designation
    _check_applicable(designation, action.kind, action.payload)
    now = timezone.now()
    fields = _apply(action, now)
    if fields:
        designation.save(update_fields=[*fields, "updated_at"])
    result = publish(actor=actor, member_state=designation.member_state, action=action)
    action.status = ActionStatus.APPROVED
    action.decided_by = actor
    action.decided_at = now
    action.decision_note = (note or "").strip()[: payloads.MAX_TEXT]
    if result.version is not None:
        action.list_version = result.version
        action.published_at = result.version.published_at or now
    action.save(
        update_fields=[
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
            "list_version",
            "published_at",
        ]
    )
    _record(
        actor,
        "approve",
        action,
        list_version=result.version.number if result.version is not None else None,
        added=result.added,
        amended=result.amended,
        removed=result.removed,
    )
    return action


@transaction.atomic
def reject(*, actor: Any, action: Action, note: str) -> Action:
    """A second official rejects, saying why; a rejected first proposal is never listed."""
    action = _pending(action)
    _require_second_official(actor, action)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Say why the proposal is rejected.")]})
    return _close(actor, action, ActionStatus.REJECTED, note[: payloads.MAX_TEXT])


@transaction.atomic
def withdraw(*, actor: Any, action: Action, note: str = "") -> Action:
    """The proposer takes back their proposal while it waits."""
    action = _pending(action)
    if actor.pk != action.proposed_by_id:
        raise PermissionDenied(_("Only the official who proposed it may withdraw a proposal."))
    return _close(actor, action, ActionStatus.WITHDRAWN, (note or "").strip()[: payloads.MAX_TEXT])


def _close(actor: Any, action: Action, status: str, note: str) -> Action:
    action.status = status
    action.decided_by = actor
    action.decided_at = timezone.now()
    action.decision_note = note
    action.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    designation = action.designation
    if action.kind == ActionKind.DESIGNATE:
        designation.status = DesignationStatus.NOT_LISTED
        designation.save(update_fields=["status", "updated_at"])
    _record(actor, "reject" if status == ActionStatus.REJECTED else "withdraw", action)
    return action
