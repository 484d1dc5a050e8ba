"""The designation pages, under /sanctions/designations/.

The state's officials (holders of the propose or approve permission for it) see their state's
designations in every status, propose, decide and export; the pending-approvals queue lists what
awaits a decision. Everybody else signed in sees listed and delisted designations' public fields
only: the index lists them, and a designation's address leads to its entry on the domestic list
(the sanctions list pages). Reads go through ``visible_to``, writes through
:mod:`cicte.designations.services`, which decide (four eyes included); a refusal answers 403
with the reason, bad input 400 with the form's messages.
"""

from __future__ import annotations

import json
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cicte.accounts.models import MemberState, User
from cicte.accounts.views.manage import FilteredListView
from cicte.core import audit
from cicte.designations import exports, services
from cicte.designations.choices import ActionKind, ActionStatus
from cicte.designations.filtersets import DesignationFilterSet
from cicte.designations.forms import DecisionForm, DelistForm, DesignationForm, UnfreezeForm
from cicte.designations.models import Action, Designation, official_states

PROPOSAL_FORMS: dict[str, Any] = {
    ActionKind.AMEND: DesignationForm,
    ActionKind.DELIST: DelistForm,
    ActionKind.UNFREEZE: UnfreezeForm,
}


def _actor(request: HttpRequest) -> User:
    # LoginRequiredMiddleware lets only signed-in people reach these views.
    return cast(User, request.user)


def _official_designation(actor: User, reference: str) -> Designation:
    """A designation of a state the person is an official of; 404 for anything else."""
    return get_object_or_404(
        Designation.objects.visible_to(actor).managed_by(actor).select_related("member_state"),
        reference=reference,
    )


class DesignationListView(FilteredListView):
    """Officials: their state's designations in every status; others: listed and delisted ones,
    public fields only."""

    template_name = "designations/list.html"
    results_template_name = "designations/_table.html"
    filterset_class = DesignationFilterSet
    paginate_by = 50

    def get_queryset(self, actor: User) -> QuerySet[Designation]:
        return (
            Designation.objects.visible_to(actor)
            .select_related("member_state")
            .order_by("-created_at", "-pk")
        )

    def decorate(self, rows: list[Any], actor: User) -> None:
        states = official_states(actor)
        for row in rows:
            row.official = row.member_state_id in states

    def get_context(self, actor: User) -> dict[str, Any]:
        states = official_states(actor)
        return {
            "official": bool(states),
            "may_propose": bool(services.proposing_states(actor)),
            "pending_count": Action.objects.visible_to(actor).pending().count() if states else 0,
        }


def _form_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, template, context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def designation_create(request: HttpRequest) -> HttpResponse:
    """Propose a designation (a person or an organisation) for one's state."""
    actor = _actor(request)
    states = services.proposing_states(actor)
    if not states:
        raise PermissionDenied(
            _("Proposing a designation needs the role of a designation officer of your state.")
        )
    state: MemberState = states[0]
    if request.method == "POST":
        form = DesignationForm(request.POST)
        if form.is_valid():
            try:
                action = services.propose_designation(
                    actor=actor, member_state=state, data=form.payload
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _(
                        "Designation {reference} proposed: a second official must approve it "
                        "before it is listed."
                    ).format(reference=action.designation.reference),
                )
                return redirect("designations:detail", reference=action.designation.reference)
        context = {"form": form, "state": state}
        return _form_page(request, "designations/form.html", context, status=400)
    context = {"form": DesignationForm(initial={"kind": "person"}), "state": state}
    return _form_page(request, "designations/form.html", context)


def _detail_context(actor: User, designation: Designation) -> dict[str, Any]:
    actions = list(
        designation.actions.select_related(
            "proposed_by__organization", "decided_by__organization", "list_version"
        ).order_by("proposed_at", "pk")
    )
    pending = next((a for a in actions if a.status == ActionStatus.PENDING), None)
    state_id = designation.member_state_id
    may_propose = services.may_propose(actor, state_id)
    return {
        "designation": designation,
        "details": designation.details,
        "actions": actions,
        "pending": pending,
        "may_propose": may_propose and pending is None,
        "may_decide": pending is not None
        and services.may_approve(actor, state_id)
        and pending.proposed_by_id != actor.pk,
        "may_withdraw": pending is not None and pending.proposed_by_id == actor.pk,
        "own_pending": pending is not None and pending.proposed_by_id == actor.pk,
        "decision_form": DecisionForm(),
        "list_key": designation.list_key,
        "formats": exports.FORMATS,
    }


@require_GET
def designation_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """Officials: everything, with the history of actions; others: the public entry on the
    domestic list."""
    actor = _actor(request)
    designation = get_object_or_404(
        Designation.objects.visible_to(actor).select_related("member_state"), reference=reference
    )
    if not designation.is_official(actor):
        return redirect(
            "sanctions:entity_detail", key=designation.list_key, ftm_id=designation.ftm_id
        )
    return render(request, "designations/detail.html", _detail_context(actor, designation))


@require_http_methods(["GET", "HEAD", "POST"])
def action_create(request: HttpRequest, reference: str, kind: str) -> HttpResponse:
    """Propose an amendment, a delisting or an unfreezing."""
    actor = _actor(request)
    designation = _official_designation(actor, reference)
    form_class = PROPOSAL_FORMS.get(kind)
    if form_class is None:
        raise Http404
    if not services.may_propose(actor, designation.member_state_id):
        raise PermissionDenied(
            _("Proposing a change needs the role of a designation officer of the state.")
        )
    status = 200
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                services.propose_action(
                    actor=actor, designation=designation, kind=kind, data=form.payload
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Proposed: a second official must approve it."))
                return redirect("designations:detail", reference=designation.reference)
        status = 400
    else:
        initial = DesignationForm.initial_from(designation) if kind == ActionKind.AMEND else {}
        form = form_class(initial=initial)
    context = {
        "form": form,
        "designation": designation,
        "kind": kind,
        "kind_label": ActionKind(kind).label,
        "state": designation.member_state,
    }
    template = (
        "designations/form.html" if kind == ActionKind.AMEND else "designations/action_form.html"
    )
    return _form_page(request, template, context, status=status)


@require_POST
def action_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """Approve, reject (with a note) or withdraw a pending action."""
    actor = _actor(request)
    action = get_object_or_404(
        Action.objects.visible_to(actor).select_related("designation__member_state"), pk=pk
    )
    designation = action.designation
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    decide = {
        "approve": lambda: services.approve(actor=actor, action=action, note=note),
        "reject": lambda: services.reject(actor=actor, action=action, note=note),
        "withdraw": lambda: services.withdraw(actor=actor, action=action, note=note),
    }.get(decision)
    if decide is None:
        raise Http404
    try:
        done = decide()
    except (PermissionDenied, ValidationError) as exc:
        problem = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        context = _detail_context(actor, designation)
        context["problem"] = problem
        status = 403 if isinstance(exc, PermissionDenied) else 400
        return render(request, "designations/detail.html", context, status=status)
    if done.status == ActionStatus.APPROVED:
        if done.list_version is not None:
            messages.success(
                request,
                _("Approved and published: version {number} of the domestic list.").format(
                    number=done.list_version.number
                ),
            )
        else:
            messages.success(request, _("Approved; the published list did not change."))
    elif done.status == ActionStatus.REJECTED:
        messages.success(request, _("Rejected."))
    else:
        messages.success(request, _("Withdrawn."))
    return redirect("designations:detail", reference=designation.reference)


@require_GET
def pending_list(request: HttpRequest) -> HttpResponse:
    """The proposals awaiting a decision, for the state's officials."""
    actor = _actor(request)
    if not official_states(actor):
        raise Http404
    actions = (
        Action.objects.visible_to(actor)
        .pending()
        .select_related("designation__member_state", "proposed_by")
        .order_by("proposed_at", "pk")
    )
    rows = list(actions)
    for row in rows:
        row.decidable = (  # type: ignore[attr-defined]
            row.proposed_by_id != actor.pk
            and services.may_approve(actor, row.designation.member_state_id)
        )
    return render(request, "designations/pending.html", {"rows": rows})


@require_GET
def designation_export(request: HttpRequest, reference: str, fmt: str) -> HttpResponse:
    """The listing proposal to the UN committees, as JSON or XML; audited."""
    actor = _actor(request)
    designation = _official_designation(actor, reference)
    if fmt not in exports.FORMATS:
        raise Http404
    now = timezone.now()
    if fmt == "json":
        body = json.dumps(
            exports.proposal(designation, actor=actor, generated=now),
            ensure_ascii=False,
            indent=2,
        )
    else:
        body = "".join(exports.proposal_xml(designation, actor=actor, generated=now))
    audit.record_export(
        actor=actor,
        what="designations.designation",
        count=1,
        filters={"format": fmt, "reference": designation.reference},
    )
    response = HttpResponse(body, content_type=exports.FORMATS[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="{designation.reference}-listing-proposal.{fmt}"'
    )
    return response
