"""The work plan pages, under /workplan/: the plan, its programs and activities (with their
translations), events, requests for assistance and indicators.

Reads go through ``visible_to`` (the plan, events and indicators: every signed-in person;
requests: the Secretariat and the requesting state's coordinators; what is hidden answers 404);
writes go through :mod:`cicte.workplan.services`, which decide who may do what: a refusal answers
403 with the reason, bad input 400 with the form's messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.forms import BaseForm, Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cicte.accounts.models import User
from cicte.accounts.views.manage import FilteredListView
from cicte.workplan import forms, results, services, views_people
from cicte.workplan.choices import IndicatorSource, RequestStatus
from cicte.workplan.filtersets import AssistanceRequestFilterSet, EventFilterSet
from cicte.workplan.models import (
    Activity,
    AssistanceRequest,
    Event,
    Indicator,
    IndicatorPeriod,
    Partner,
    Program,
    WorkPlan,
    coordinated_states,
    is_secretariat,
)

# What wp-people shows on an event's page (participants), when that part is installed.


def _actor(request: HttpRequest) -> User:
    # LoginRequiredMiddleware lets only signed-in people reach these views.
    return cast(User, request.user)


def _require_secretariat(actor: User) -> None:
    if not is_secretariat(actor):
        raise PermissionDenied(_("Only the Secretariat runs the work plan."))


def _form_errors(form: BaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _submit(
    request: HttpRequest, form: BaseForm, write: Callable[[], str], success: Any
) -> HttpResponse | None:
    """The one way a page's form writes: when ``form`` is valid, ``write`` calls the service and
    returns where to go next; a ValidationError of the service goes onto the form. Returns the
    redirect, or None when the page is to be shown again with its errors (answer 400)."""
    if not form.is_valid():
        return None
    try:
        next_url = write()
    except ValidationError as exc:
        _form_errors(form, exc)
        return None
    messages.success(request, success)
    return redirect(next_url)


# --- The plan ------------------------------------------------------------------------------


def _plan_context(plan: WorkPlan) -> dict[str, Any]:
    activities = Activity.objects.order_by("order")
    programs = list(
        plan.programs.filter(parent=None)
        .prefetch_related(
            Prefetch("activities", queryset=activities),
            Prefetch(
                "subprograms",
                queryset=Program.objects.order_by("order").prefetch_related(
                    Prefetch("activities", queryset=activities)
                ),
            ),
        )
        .order_by("order")
    )
    return {"plan": plan, "programs": programs}


@require_GET
def plan_index(request: HttpRequest) -> HttpResponse:
    """The current work plan (the latest period) as a tree, and the other plans."""
    actor = _actor(request)
    plans = list(WorkPlan.objects.visible_to(actor).order_by("-period_start"))
    context: dict[str, Any] = {"plans": plans, "secretariat": is_secretariat(actor)}
    if plans:
        context.update(_plan_context(plans[0]))
    return render(request, "workplan/plan.html", context)


@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    plan = get_object_or_404(WorkPlan.objects.visible_to(actor), pk=pk)
    plans = list(WorkPlan.objects.visible_to(actor).order_by("-period_start"))
    context = {"plans": plans, "secretariat": is_secretariat(actor), **_plan_context(plan)}
    return render(request, "workplan/plan.html", context)


@require_GET
def program_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    program = get_object_or_404(
        Program.objects.visible_to(actor).select_related("work_plan", "parent"), pk=pk
    )
    events = (
        Event.objects.visible_to(actor)
        .filter(activity__program__in=[program, *program.subprograms.all()])
        .select_related("activity")
        .order_by("-starts_at")[:20]
    )
    context = {
        "program": program,
        "subprograms": program.subprograms.order_by("order"),
        "activities": program.activities.order_by("order"),
        "indicators": Indicator.objects.visible_to(actor).filter(program=program),
        "events": events,
        "secretariat": is_secretariat(actor),
    }
    return render(request, "workplan/program_detail.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An activity, its events and indicators; the Secretariat sets its gender marker and
    networks here."""
    actor = _actor(request)
    activity = get_object_or_404(
        Activity.objects.visible_to(actor).select_related("program__work_plan"), pk=pk
    )
    secretariat = is_secretariat(actor)
    form = forms.ActivityForm(instance=activity) if secretariat else None
    status = 200
    if request.method == "POST":
        _require_secretariat(actor)
        form = forms.ActivityForm(request.POST, instance=activity)
        if form.is_valid():
            services.update_activity(
                actor=actor,
                activity=activity,
                gender_marker=form.cleaned_data["gender_marker"],
                networks=form.cleaned_data["networks"],
            )
            messages.success(request, _("Activity saved."))
            return redirect("workplan:activity_detail", pk=activity.pk)
        status = 400
    context = {
        "activity": activity,
        "networks": activity.networks.all(),
        "events": Event.objects.visible_to(actor).filter(activity=activity).order_by("-starts_at"),
        "indicators": Indicator.objects.visible_to(actor).filter(activity=activity),
        "secretariat": secretariat,
        "form": form,
    }
    return render(request, "workplan/activity_detail.html", context, status=status)


TRANSLATABLE: dict[str, type] = {
    "program": Program,
    "activity": Activity,
    "event": Event,
    "indicator": Indicator,
}


@require_http_methods(["GET", "HEAD", "POST"])
def translate(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The translation editor: each translatable field in Spanish, French and Portuguese, next
    to the English text of record (the Secretariat)."""
    actor = _actor(request)
    model = TRANSLATABLE.get(kind)
    if model is None:
        raise Http404
    obj = get_object_or_404(model.objects.visible_to(actor), pk=pk)  # type: ignore[attr-defined]
    _require_secretariat(actor)
    fields = services.TRANSLATABLE_FIELDS[model]
    back = reverse(f"workplan:{kind}_detail", kwargs={"pk": obj.pk})
    status = 200
    if request.method == "POST":
        form = forms.translation_form(obj, fields, request.POST)

        def write() -> str:
            services.set_translations(
                actor=actor, obj=obj, translations=forms.translations_of(form)
            )
            return back

        done = _submit(request, form, write, _("Translations saved."))
        if done is not None:
            return done
        status = 400
    else:
        form = forms.translation_form(obj, fields)
    originals = [(obj._meta.get_field(f).verbose_name, getattr(obj, f)) for f in fields]
    context = {"obj": obj, "form": form, "originals": originals, "back": back}
    return render(request, "workplan/translate.html", context, status=status)


# --- Events --------------------------------------------------------------------------------


class EventListView(FilteredListView):
    """Every event (filters: kind, modality, program, network, state, year)."""

    template_name = "workplan/event_list.html"
    results_template_name = "workplan/_event_table.html"
    filterset_class = EventFilterSet
    paginate_by = 50

    def get_queryset(self, actor: User) -> QuerySet[Event]:
        return (
            Event.objects.visible_to(actor)
            .select_related("activity")
            .prefetch_related("networks")
            .order_by("-starts_at", "-pk")
        )

    def get_context(self, actor: User) -> dict[str, Any]:
        return {"secretariat": is_secretariat(actor)}


@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    event = get_object_or_404(
        Event.objects.visible_to(actor).select_related("activity__program", "request"), pk=pk
    )
    request_visible = (
        event.request is not None
        and AssistanceRequest.objects.visible_to(actor).filter(pk=event.request_id).exists()
    )
    context = {
        "event": event,
        "partners": event.event_partners.select_related("partner").order_by("role"),
        "networks": event.networks.all(),
        "target_states": event.target_states.order_by("name"),
        "organisers": event.organisers.all(),
        "request_visible": request_visible,
        "may_see_participants": event.can_see_participants(actor),
        "secretariat": is_secretariat(actor),
        # the participants part: counts by sex and state for everybody who sees the event
        **views_people.event_participants_context(request, event),
    }
    return render(request, "workplan/event_detail.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def event_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (no ``pk``) or change an event (the Secretariat)."""
    actor = _actor(request)
    event = None
    if pk is not None:
        event = get_object_or_404(Event.objects.visible_to(actor), pk=pk)
    _require_secretariat(actor)
    status = 200
    if request.method == "POST":
        form = forms.EventForm(request.POST, instance=event, actor=actor)

        def write() -> str:
            saved = (
                services.create_event(actor=actor, data=form.payload)
                if event is None
                else services.update_event(actor=actor, event=event, data=form.payload)
            )
            return reverse("workplan:event_detail", kwargs={"pk": saved.pk})

        success = _("Event created.") if event is None else _("Event saved.")
        done = _submit(request, form, write, success)
        if done is not None:
            return done
        status = 400
    else:
        initial = {}
        if event is None and request.GET.get("activity", "").isdigit():
            initial["activity"] = int(request.GET["activity"])
        form = forms.EventForm(instance=event, actor=actor, initial=initial)
    return render(
        request, "workplan/event_form.html", {"form": form, "event": event}, status=status
    )


@require_http_methods(["GET", "HEAD", "POST"])
def partner_create(request: HttpRequest) -> HttpResponse:
    """Partners and donors; the Secretariat adds them here."""
    actor = _actor(request)
    secretariat = is_secretariat(actor)
    status = 200
    form = forms.PartnerForm(request.POST or None) if secretariat else None
    if request.method == "POST":
        _require_secretariat(actor)
        assert form is not None

        def write() -> str:
            services.create_partner(actor=actor, **form.cleaned_data)
            return reverse("workplan:partner_list")

        name = form.data.get("name", "").strip()
        done = _submit(request, form, write, _("Partner {name} added.").format(name=name))
        if done is not None:
            return done
        status = 400
    partners = Partner.objects.visible_to(actor).order_by("name")
    return render(
        request, "workplan/partners.html", {"form": form, "partners": partners}, status=status
    )


@require_http_methods(["GET", "HEAD", "POST"])
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A partner or donor and the events it is named on; the Secretariat attaches it to an
    event here (and removes it from one)."""
    actor = _actor(request)
    partner = get_object_or_404(Partner.objects.visible_to(actor), pk=pk)
    secretariat = is_secretariat(actor)
    form = forms.AttachPartnerForm(request.POST or None, actor=actor) if secretariat else None
    status = 200
    if request.method == "POST":
        _require_secretariat(actor)
        assert form is not None

        def write() -> str:
            services.attach_partner(
                actor=actor,
                event=form.cleaned_data["event"],
                partner=partner,
                role=form.cleaned_data["role"],
            )
            return reverse("workplan:partner_detail", kwargs={"pk": partner.pk})

        done = _submit(request, form, write, _("Partner named on the event."))
        if done is not None:
            return done
        status = 400
    links = (
        partner.event_roles.filter(event__in=Event.objects.visible_to(actor))
        .select_related("event")
        .order_by("-event__starts_at", "role")
    )
    context = {"partner": partner, "links": links, "form": form, "secretariat": secretariat}
    return render(request, "workplan/partner_detail.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    partner = get_object_or_404(Partner.objects.visible_to(actor), pk=pk)
    _require_secretariat(actor)
    form = forms.PartnerForm(request.POST or None, instance=partner)
    status = 200
    if request.method == "POST":

        def write() -> str:
            services.update_partner(actor=actor, partner=partner, **form.cleaned_data)
            return reverse("workplan:partner_detail", kwargs={"pk": partner.pk})

        done = _submit(request, form, write, _("Partner saved."))
        if done is not None:
            return done
        status = 400
    return render(
        request, "workplan/partner_form.html", {"form": form, "partner": partner}, status=status
    )


@require_POST
def partner_detach(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    actor = _actor(request)
    partner = get_object_or_404(Partner.objects.visible_to(actor), pk=pk)
    link = get_object_or_404(
        partner.event_roles.filter(event__in=Event.objects.visible_to(actor)), pk=link_pk
    )
    services.detach_partner(actor=actor, link=link)
    messages.success(request, _("Partner removed from the event."))
    return redirect("workplan:partner_detail", pk=partner.pk)


# --- Requests for assistance ---------------------------------------------------------------


class RequestListView(FilteredListView):
    """The Secretariat: every request; a coordinator: their states' requests."""

    template_name = "workplan/request_list.html"
    results_template_name = "workplan/_request_table.html"
    filterset_class = AssistanceRequestFilterSet
    paginate_by = 50

    def check(self, actor: User) -> None:
        if not is_secretariat(actor) and not coordinated_states(actor):
            raise PermissionDenied(
                _("Requests for assistance are for the Secretariat and national coordinators.")
            )

    def get_queryset(self, actor: User) -> QuerySet[AssistanceRequest]:
        return (
            AssistanceRequest.objects.visible_to(actor)
            .select_related("member_state", "program")
            .order_by("-received_on", "-pk")
        )

    def get_context(self, actor: User) -> dict[str, Any]:
        return {
            "secretariat": is_secretariat(actor),
            "may_create": bool(services.requesting_states(actor)),
            "statuses": RequestStatus.choices,
        }


@require_http_methods(["GET", "HEAD", "POST"])
def request_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A coordinator records their state's request (or the Secretariat a note verbale), or
    changes it."""
    actor = _actor(request)
    item = None
    if pk is not None:
        item = get_object_or_404(AssistanceRequest.objects.visible_to(actor), pk=pk)
    states = services.requesting_states(actor)
    if not states:
        raise PermissionDenied(
            _("You may request assistance only for the member states you coordinate.")
        )
    status = 200
    if request.method == "POST":
        form = forms.RequestForm(request.POST, instance=item, states=states)

        def write() -> str:
            saved = (
                services.create_request(
                    actor=actor,
                    member_state=form.cleaned_data["member_state"],
                    data=form.payload,
                )
                if item is None
                else services.update_request(actor=actor, request=item, data=form.payload)
            )
            return reverse("workplan:request_detail", kwargs={"pk": saved.pk})

        success = _("Request recorded.") if item is None else _("Request saved.")
        done = _submit(request, form, write, success)
        if done is not None:
            return done
        status = 400
    else:
        form = forms.RequestForm(instance=item, states=states)
    return render(
        request, "workplan/request_form.html", {"form": form, "item": item}, status=status
    )


def _request_steps(actor: User, item: AssistanceRequest) -> dict[str, Form]:
    """The forms of the steps ``actor`` may take now."""
    steps: dict[str, Form] = {}
    if is_secretariat(actor):
        if item.status == RequestStatus.RECEIVED:
            steps["triage"] = forms.TriageForm(
                initial={"program": item.program_id, "activity": item.activity_id}
            )
        if item.status in (RequestStatus.RECEIVED, RequestStatus.TRIAGED):
            steps["decline"] = forms.DeclineForm()
        if item.status in (RequestStatus.TRIAGED, RequestStatus.PLANNED):
            steps["plan"] = forms.PlanForm(actor=actor, request_pk=item.pk)
        if item.status == RequestStatus.PLANNED:
            steps["deliver"] = forms.DeliverForm()
        if item.status == RequestStatus.DELIVERED and (
            item.satisfaction is not None or services.feedback_overdue(item)
        ):
            steps["close"] = forms.CloseForm(initial={"no_feedback": item.satisfaction is None})
    if item.status == RequestStatus.DELIVERED and item.member_state_id in coordinated_states(actor):
        steps["feedback"] = forms.FeedbackForm(
            initial={"satisfaction": item.satisfaction, "feedback": item.feedback}
        )
    return steps


def _request_page(
    request: HttpRequest,
    actor: User,
    item: AssistanceRequest,
    steps: dict[str, Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    events = Event.objects.visible_to(actor).filter(request=item).order_by("starts_at")
    editable = (is_secretariat(actor) and item.status not in ("closed", "declined")) or (
        item.member_state_id in coordinated_states(actor) and item.status == "received"
    )
    context = {
        "item": item,
        "events": events,
        "steps": steps if steps is not None else _request_steps(actor, item),
        "editable": editable,
        "awaiting_feedback": item.status == RequestStatus.DELIVERED and item.satisfaction is None,
        "feedback_due": services.feedback_due(item) if item.satisfaction is None else None,
        "stages": results.request_stages(item),
    }
    return render(request, "workplan/request_detail.html", context, status=status)


def _visible_request(actor: User, pk: int) -> AssistanceRequest:
    return get_object_or_404(
        AssistanceRequest.objects.visible_to(actor).select_related(
            "member_state", "program", "activity", "created_by"
        ),
        pk=pk,
    )


@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    return _request_page(request, actor, _visible_request(actor, pk))


@require_POST
def request_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One step of the pipeline: triage, decline, plan, deliver, feedback, close."""
    actor = _actor(request)
    item = _visible_request(actor, pk)
    steps = _request_steps(actor, item)
    if step not in ("triage", "decline", "plan", "deliver", "feedback", "close"):
        raise Http404
    if step not in steps:
        # Either not allowed for this person, or not at this stage: the service says which.
        steps[step] = _bind(step, actor, item, None)
    form = _bind(step, actor, item, request.POST)
    steps[step] = form
    if form.is_valid():
        data = form.cleaned_data
        try:
            if step == "triage":
                services.triage_request(
                    actor=actor,
                    request=item,
                    note=data["note"],
                    program=data["program"],
                    activity=data["activity"],
                )
            elif step == "decline":
                services.decline_request(actor=actor, request=item, note=data["note"])
            elif step == "plan":
                services.plan_request(actor=actor, request=item, events=data["events"])
            elif step == "deliver":
                services.deliver_request(
                    actor=actor, request=item, delivered_on=data["delivered_on"]
                )
            elif step == "feedback":
                services.give_feedback(
                    actor=actor,
                    request=item,
                    satisfaction=data["satisfaction"],
                    feedback=data["feedback"],
                )
            else:
                services.close_request(
                    actor=actor,
                    request=item,
                    closed_on=data["closed_on"],
                    no_feedback=data["no_feedback"],
                )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Request updated."))
            return redirect("workplan:request_detail", pk=item.pk)
    item.refresh_from_db()
    return _request_page(request, actor, item, steps, status=400)


def _bind(step: str, actor: User, item: AssistanceRequest, data: Any) -> Form:
    if step == "triage":
        return forms.TriageForm(data)
    if step == "decline":
        return forms.DeclineForm(data)
    if step == "plan":
        return forms.PlanForm(data, actor=actor, request_pk=item.pk)
    if step == "deliver":
        return forms.DeliverForm(data)
    if step == "feedback":
        return forms.FeedbackForm(data)
    return forms.CloseForm(data)


# --- Indicators ----------------------------------------------------------------------------


@require_GET
def indicator_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    indicators = (
        Indicator.objects.visible_to(actor)
        .select_related("program", "activity")
        .prefetch_related(Prefetch("periods", queryset=IndicatorPeriod.objects.order_by("start")))
        .order_by("program__order", "pk")
    )
    return render(
        request,
        "workplan/indicator_list.html",
        {"indicators": indicators, "secretariat": is_secretariat(actor)},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def indicator_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    actor = _actor(request)
    indicator = None
    if pk is not None:
        indicator = get_object_or_404(Indicator.objects.visible_to(actor), pk=pk)
    _require_secretariat(actor)
    status = 200
    if request.method == "POST":
        form = forms.IndicatorForm(request.POST, instance=indicator)

        def write() -> str:
            data = dict(form.cleaned_data)
            saved = (
                services.create_indicator(actor=actor, data=data)
                if indicator is None
                else services.update_indicator(actor=actor, indicator=indicator, data=data)
            )
            return reverse("workplan:indicator_detail", kwargs={"pk": saved.pk})

        done = _submit(request, form, write, _("Indicator saved."))
        if done is not None:
            return done
        status = 400
    else:
        initial = {}
        if indicator is None and request.GET.get("program", "").isdigit():
            initial["program"] = int(request.GET["program"])
        form = forms.IndicatorForm(instance=indicator, initial=initial)
    return render(
        request,
        "workplan/indicator_form.html",
        {"form": form, "indicator": indicator},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An indicator with its baseline and, per period, its target and actual value; the
    Secretariat sets the periods here (actual values for reported indicators only)."""
    actor = _actor(request)
    indicator = get_object_or_404(
        Indicator.objects.visible_to(actor).select_related("program", "activity"), pk=pk
    )
    secretariat = is_secretariat(actor)
    manual = indicator.source == IndicatorSource.MANUAL
    form = forms.PeriodForm(manual=manual) if secretariat else None
    status = 200
    if request.method == "POST":
        _require_secretariat(actor)
        form = forms.PeriodForm(request.POST, manual=manual)

        def write() -> str:
            services.set_indicator_period(
                actor=actor,
                indicator=indicator,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                target=form.cleaned_data["target"],
                actual=form.cleaned_data.get("actual"),
            )
            return reverse("workplan:indicator_detail", kwargs={"pk": indicator.pk})

        done = _submit(request, form, write, _("Period saved."))
        if done is not None:
            return done
        status = 400
    context = {
        "indicator": indicator,
        "periods": indicator.periods.order_by("start"),
        "manual": manual,
        "secretariat": secretariat,
        "form": form,
        "counted": _counted(indicator),
    }
    return render(request, "workplan/indicator_detail.html", context, status=status)


def _counted(indicator: Indicator) -> dict[int, Any]:
    """The counted actual value of each period of a registry-based indicator."""
    if indicator.source == IndicatorSource.MANUAL:
        return {}
    from cicte.workplan import results

    return {p.pk: results.actual(p) for p in indicator.periods.all()}


@require_POST
def period_delete(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    actor = _actor(request)
    indicator = get_object_or_404(Indicator.objects.visible_to(actor), pk=pk)
    period = get_object_or_404(indicator.periods, pk=period_pk)
    services.delete_indicator_period(actor=actor, period=period)
    messages.success(request, _("Period removed."))
    return redirect("workplan:indicator_detail", pk=indicator.pk)
