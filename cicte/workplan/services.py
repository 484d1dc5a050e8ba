"""Every write of the work plan (keyword-only, ``actor`` first, atomic, audited ``workplan.*``).

Who may do what (``cicte.workplan.models``):

- the plan, its programs, activities and indicators, translations, events and partners: the
  Secretariat (``workplan.manage_workplan``, a global grant);
- requests for assistance: a state's coordinators (``workplan.request_assistance`` in any network
  for that state) create their state's requests, edit them while received, and give the state's
  satisfaction and feedback once delivered; the Secretariat may record a request received by note
  verbale for any state, triages it (or declines it), plans it (linking the events that deliver
  it), marks it delivered and closes it once the state has given its feedback.

The loader of the plan (:func:`import_work_plan`) runs without an actor (``manage.py
load_work_plan``) and changes nothing when the plan is already as the text says.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cicte.accounts.models import MemberState, Network
from cicte.core import audit
from cicte.workplan.choices import IndicatorSource, PartnerRole, RequestClosure, RequestStatus
from cicte.workplan.models import (
    LANGUAGES,
    Activity,
    AssistanceRequest,
    Event,
    EventPartner,
    Indicator,
    IndicatorPeriod,
    Partner,
    Program,
    WorkPlan,
    coordinated_states,
    is_secretariat,
)
from cicte.workplan.plan_text import ParsedPlan

# The fields each translatable model offers to translators.
TRANSLATABLE_FIELDS: dict[type, tuple[str, ...]] = {
    Program: ("title", "purpose"),
    Activity: ("title",),
    Event: ("title", "description"),
    Indicator: ("title",),
}
# The one list of an event's own fields: the form (forms.EventForm), the API's input and output
# serializers and the services all derive theirs from it. ``request`` is set by plan_request.
EVENT_FIELDS = (
    "kind",
    "title",
    "description",
    "activity",
    "request",
    "modality",
    "starts_at",
    "ends_at",
    "time_zone",
    "venue",
    "country",
    "languages",
    "budget",
    "currency",
    "status",
)
EVENT_RELATIONS = ("networks", "target_states", "organisers")
# What the Secretariat edits (form and API): the fields but ``request``, and the relations.
EVENT_EDITABLE = (*(f for f in EVENT_FIELDS if f != "request"), *EVENT_RELATIONS)
REQUEST_FIELDS = (
    "program",
    "activity",
    "title",
    "description",
    "note_verbale",
    "received_on",
)
INDICATOR_FIELDS = ("program", "activity", "title", "unit", "source", "baseline")


def _require_secretariat(actor: Any) -> None:
    if not is_secretariat(actor):
        raise PermissionDenied(_("Only the Secretariat runs the work plan."))


def may_request_for(actor: Any, member_state_id: int) -> bool:
    """Whether ``actor`` may create and follow requests of that state."""
    return is_secretariat(actor) or member_state_id in coordinated_states(actor)


def requesting_states(actor: Any) -> list[MemberState]:
    """The states ``actor`` may create requests for (every state for the Secretariat)."""
    states = MemberState.objects.order_by("name")
    if is_secretariat(actor):
        return list(states)
    return list(states.filter(pk__in=coordinated_states(actor)))


def _clean(instance: Any, **kwargs: Any) -> None:
    instance.full_clean(**kwargs)


def _set_fields(instance: Any, data: dict[str, Any], fields: Iterable[str]) -> list[str]:
    """Copy the given fields; return the names of those that changed."""
    changed = []
    for field in fields:
        if field in data and getattr(instance, field) != data[field]:
            setattr(instance, field, data[field])
            changed.append(field)
    return changed


# --- The plan ------------------------------------------------------------------------------


def _sync(instance: Any, values: dict[str, Any]) -> list[str]:
    changed = [k for k, v in values.items() if getattr(instance, k) != v]
    for key in changed:
        setattr(instance, key, values[key])
    return changed


def _load(
    actor: Any,
    model: type[Any],
    instance: Any,
    keys: dict[str, Any],
    values: dict[str, Any],
    counts: dict[str, int],
) -> Any:
    """The plan loader's one step: create ``model(**keys, **values)`` when ``instance`` is None,
    else bring ``instance`` up to ``values``; validated, counted and audited
    (``workplan.<plan|program|activity>.create/update``, with the changed field names)."""
    kind = "plan" if model is WorkPlan else model._meta.model_name
    if instance is None:
        instance = model(**keys, **values)
        _clean(instance)
        instance.save()
        counts["created"] += 1
        audit.record(actor=actor, action=f"workplan.{kind}.create", obj=instance)
        return instance
    changed = _sync(instance, values)
    if changed:
        _clean(instance)
        instance.save(update_fields=changed)
        counts["updated"] += 1
        audit.record(
            actor=actor,
            action=f"workplan.{kind}.update",
            obj=instance,
            changes={"fields": sorted(changed)},
        )
    return instance


@transaction.atomic
def import_work_plan(*, actor: Any, plan: ParsedPlan) -> tuple[WorkPlan, dict[str, int]]:
    """Create or update the work plan as ``plan`` says (matched by title, programs and
    activities by code); translations and anything added in the UI are kept. Returns the plan
    and counts of what was created and updated (all zero when nothing changed)."""
    counts = {"created": 0, "updated": 0}
    plan_values: dict[str, Any] = {
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "approved_on": plan.approved_on,
        "approval_note": plan.approval_note,
        "introduction": plan.introduction,
    }
    work_plan = _load(
        actor,
        WorkPlan,
        WorkPlan.objects.filter(title=plan.title).first(),
        {"title": plan.title},
        plan_values,
        counts,
    )
    existing = {p.code: p for p in Program.objects.filter(work_plan=work_plan)}
    order = 0
    for parsed in plan.programs:
        for parent_code, item in [(None, parsed), *[(parsed.code, s) for s in parsed.subprograms]]:
            order += 1
            values: dict[str, Any] = {
                "title": item.title,
                "purpose": item.purpose,
                "order": order,
                "parent": existing.get(parent_code) if parent_code else None,
            }
            program = existing[item.code] = _load(
                actor,
                Program,
                existing.get(item.code),
                {"work_plan": work_plan, "code": item.code},
                values,
                counts,
            )
            activities = {a.code: a for a in Activity.objects.filter(program=program)}
            for number, title in enumerate(item.activities, start=1):
                code = f"{item.code}.{number}"
                _load(
                    actor,
                    Activity,
                    activities.get(code),
                    {"program": program, "code": code},
                    {"title": title, "order": number},
                    counts,
                )
    return work_plan, counts


@transaction.atomic
def update_activity(
    *,
    actor: Any,
    activity: Activity,
    gender_marker: int | None = None,
    networks: Iterable[Network] | None = None,
) -> Activity:
    """The Secretariat sets an activity's gender marker and the networks it serves."""
    _require_secretariat(actor)
    changes: dict[str, Any] = {}
    if gender_marker is not None and gender_marker != activity.gender_marker:
        changes["gender_marker"] = [activity.gender_marker, gender_marker]
        activity.gender_marker = gender_marker
        _clean(activity, exclude=["program"])
        activity.save(update_fields=["gender_marker"])
    if networks is not None:
        new = {n.pk for n in networks}
        old = set(activity.networks.values_list("pk", flat=True))
        if new != old:
            activity.networks.set(list(new))
            changes["networks"] = [sorted(old), sorted(new)]
    if changes:
        audit.record(actor=actor, action="workplan.activity.update", obj=activity, changes=changes)
    return activity


@transaction.atomic
def set_translations(
    *, actor: Any, obj: Program | Activity | Event | Indicator, translations: dict[str, Any]
) -> Any:
    """Replace the translations of ``obj``: {"es": {"title": ...}, "fr": ..., "pt": ...}; empty
    texts are dropped (the English text of record shows instead)."""
    _require_secretariat(actor)
    fields = TRANSLATABLE_FIELDS[type(obj)]
    cleaned: dict[str, dict[str, str]] = {}
    errors = []
    for language, texts in translations.items():
        if language not in LANGUAGES or language == "en":
            errors.append(
                _("Unknown language {language}: translate into es, fr or pt.").format(
                    language=language
                )
            )
            continue
        if not isinstance(texts, dict):
            errors.append(_("Give the texts of {language} by field.").format(language=language))
            continue
        for field, text in texts.items():
            if field not in fields:
                errors.append(
                    _("{field} is not translatable here: {fields}.").format(
                        field=field, fields=", ".join(fields)
                    )
                )
                continue
            text = str(text or "").strip()
            if text:
                cleaned.setdefault(language, {})[field] = text
    if errors:
        raise ValidationError({"translations": errors})
    if cleaned != obj.translations:
        changed = sorted(
            f"{language}.{field}"
            for language in set(cleaned) | set(obj.translations)
            for field in fields
            if (cleaned.get(language) or {}).get(field)
            != (obj.translations.get(language) or {}).get(field)
        )
        obj.translations = cleaned
        obj.save(update_fields=["translations"])
        audit.record(
            actor=actor,
            action=f"workplan.{obj._meta.model_name}.translate",
            obj=obj,
            changes={"fields": changed},
        )
    return obj


# --- Partners and events -------------------------------------------------------------------


@transaction.atomic
def create_partner(*, actor: Any, name: str, iati_ref: str = "", country: str = "") -> Partner:
    """A partner or donor organisation."""
    _require_secretariat(actor)
    partner = Partner(**_partner_values(name, iati_ref, country))
    _clean(partner)
    partner.save()
    audit.record(actor=actor, action="workplan.partner.create", obj=partner)
    return partner


PARTNER_FIELDS = ("name", "iati_ref", "country")


def _partner_values(name: str, iati_ref: str, country: str) -> dict[str, str]:
    return {"name": name.strip(), "iati_ref": iati_ref.strip(), "country": country.strip().upper()}


@transaction.atomic
def update_partner(
    *, actor: Any, partner: Partner, name: str, iati_ref: str = "", country: str = ""
) -> Partner:
    """Correct a partner's or donor's name, IATI identifier or country."""
    _require_secretariat(actor)
    before = audit.snapshot(partner, PARTNER_FIELDS)
    changed = _sync(partner, _partner_values(name, iati_ref, country))
    if changed:
        _clean(partner)
        partner.save(update_fields=changed)
        audit.record(
            actor=actor,
            action="workplan.partner.update",
            obj=partner,
            changes=audit.diff(partner, before, changed),
        )
    return partner


@transaction.atomic
def attach_partner(*, actor: Any, event: Event, partner: Partner, role: str) -> EventPartner:
    """Name ``partner`` as a partner or a donor of ``event``."""
    _require_secretariat(actor)
    if role not in PartnerRole.values:
        raise ValidationError({"role": _("A partner is a partner or a donor.")})
    if EventPartner.objects.filter(event=event, partner=partner, role=role).exists():
        raise ValidationError(
            {"event": _("{partner} is already named so for this event.").format(partner=partner)}
        )
    link = EventPartner.objects.create(event=event, partner=partner, role=role)
    audit.record(
        actor=actor,
        action="workplan.event.partner_attach",
        obj=event,
        changes={"partner": partner.pk, "role": role},
    )
    return link


@transaction.atomic
def detach_partner(*, actor: Any, link: EventPartner) -> None:
    """Remove a partner or donor from an event."""
    _require_secretariat(actor)
    audit.record(
        actor=actor,
        action="workplan.event.partner_detach",
        obj=link.event,
        changes={"partner": link.partner_id, "role": link.role},
    )
    link.delete()


def _check_event(data: dict[str, Any]) -> None:
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if starts and ends and ends < starts:
        raise ValidationError({"ends_at": _("An event ends after it starts.")})
    languages = data.get("languages")
    if languages is not None:
        bad = [lang for lang in languages if lang not in LANGUAGES]
        if bad or not isinstance(languages, list):
            raise ValidationError(
                {
                    "languages": _("Languages are among en, es, fr, pt; not {bad}.").format(
                        bad=", ".join(map(str, bad))
                    )
                }
            )


def _set_partners(event: Event, partners: Iterable[tuple[Partner, str]]) -> bool:
    wanted = {(p.pk, role) for p, role in partners}
    for _pk, role in wanted:
        if role not in PartnerRole.values:
            raise ValidationError({"partners": _("A partner is a partner or a donor.")})
    current = set(event.event_partners.values_list("partner_id", "role"))
    if wanted == current:
        return False
    event.event_partners.exclude(
        pk__in=[ep.pk for ep in event.event_partners.all() if (ep.partner_id, ep.role) in wanted]
    ).delete()
    for partner_id, role in sorted(wanted - current):
        EventPartner.objects.create(event=event, partner_id=partner_id, role=role)
    return True


def _set_relations(event: Event, data: dict[str, Any]) -> list[str]:
    changed = []
    for name in EVENT_RELATIONS:
        if name in data:
            manager = getattr(event, name)
            new = {o.pk for o in data[name]}
            if new != set(manager.values_list("pk", flat=True)):
                manager.set(list(new))
                changed.append(name)
    if "partners" in data and _set_partners(event, data["partners"]):
        changed.append("partners")
    return changed


@transaction.atomic
def create_event(*, actor: Any, data: dict[str, Any]) -> Event:
    """A new event: the fields of ``EVENT_FIELDS``, and ``networks``, ``target_states``,
    ``organisers`` (iterables of records) and ``partners`` ((partner, role) pairs)."""
    _require_secretariat(actor)
    _check_event(data)
    event = Event(**{k: data[k] for k in EVENT_FIELDS if k in data})
    _clean(event)
    event.save()
    _set_relations(event, data)
    audit.record(
        actor=actor,
        action="workplan.event.create",
        obj=event,
        changes={"kind": event.kind, "starts_at": event.starts_at.isoformat()},
    )
    return event


@transaction.atomic
def update_event(*, actor: Any, event: Event, data: dict[str, Any]) -> Event:
    """Change an event's fields and relations (only those given in ``data``)."""
    _require_secretariat(actor)
    merged = {k: data.get(k, getattr(event, k)) for k in ("starts_at", "ends_at")}
    _check_event({**data, **merged})
    before = audit.snapshot(event, EVENT_FIELDS)
    changed = _set_fields(event, data, EVENT_FIELDS)
    if changed:
        _clean(event)
        event.save(update_fields=[*changed, "updated_at"])
    related = _set_relations(event, data)
    if changed or related:
        changes = audit.diff(event, before, changed)
        for name in related:
            changes[name] = "changed"
        audit.record(actor=actor, action="workplan.event.update", obj=event, changes=changes)
    return event


# --- Requests for assistance ---------------------------------------------------------------


def _request_record(actor: Any, what: str, request: AssistanceRequest, **changes: Any) -> None:
    audit.record(
        actor=actor,
        action=f"workplan.request.{what}",
        obj=request,
        subject_member_state_id=request.member_state_id,
        changes=changes,
    )


def _require_status(request: AssistanceRequest, *statuses: str) -> None:
    if request.status not in statuses:
        raise ValidationError(
            {
                "status": _("This cannot be done to a request that is {status}.").format(
                    status=request.get_status_display().lower()
                )
            }
        )


def _check_plan_refs(data: dict[str, Any]) -> None:
    program, activity = data.get("program"), data.get("activity")
    if (
        activity is not None
        and program is not None
        and program.pk not in (activity.program_id, activity.program.parent_id)
    ):
        raise ValidationError({"activity": _("The activity is not one of the program's.")})


@transaction.atomic
def create_request(
    *, actor: Any, member_state: MemberState, data: dict[str, Any]
) -> AssistanceRequest:
    """A state's request for assistance, received (a coordinator of the state, or the
    Secretariat recording a note verbale)."""
    if not may_request_for(actor, member_state.pk):
        raise PermissionDenied(
            _("You may request assistance only for the member states you coordinate.")
        )
    _check_plan_refs(data)
    request = AssistanceRequest(
        member_state=member_state,
        created_by=actor,
        **{k: data[k] for k in REQUEST_FIELDS if k in data},
    )
    if request.activity_id and not request.program_id:
        request.program = request.activity.program  # type: ignore[union-attr]
    if request.received_on is None:
        request.received_on = timezone.localdate()
    _clean(request)
    request.save()
    _request_record(actor, "create", request, member_state=member_state.code)
    return request


@transaction.atomic
def update_request(
    *, actor: Any, request: AssistanceRequest, data: dict[str, Any]
) -> AssistanceRequest:
    """The state's coordinators edit their request while it is received; the Secretariat until
    it is closed or declined."""
    if is_secretariat(actor):
        _require_status(
            request,
            RequestStatus.RECEIVED,
            RequestStatus.TRIAGED,
            RequestStatus.PLANNED,
            RequestStatus.DELIVERED,
        )
    elif request.member_state_id in coordinated_states(actor):
        _require_status(request, RequestStatus.RECEIVED)
    else:
        raise PermissionDenied(_("You may not change this request."))
    _check_plan_refs({"program": request.program, "activity": request.activity, **data})
    before = audit.snapshot(request, REQUEST_FIELDS)
    changed = _set_fields(request, data, REQUEST_FIELDS)
    if changed:
        _clean(request)
        request.save(update_fields=[*changed, "updated_at"])
        _request_record(actor, "update", request, **audit.diff(request, before, changed))
    return request


@transaction.atomic
def triage_request(
    *,
    actor: Any,
    request: AssistanceRequest,
    note: str,
    program: Program | None = None,
    activity: Activity | None = None,
    triaged_on: datetime.date | None = None,
) -> AssistanceRequest:
    """The Secretariat accepts a received request, with its assessment and where it fits in
    the plan (``triaged_on``: today unless given)."""
    _require_secretariat(actor)
    _require_status(request, RequestStatus.RECEIVED)
    if not note.strip():
        raise ValidationError({"triage_note": _("Say what the Secretariat makes of the request.")})
    _check_plan_refs({"program": program, "activity": activity})
    request.status = RequestStatus.TRIAGED
    request.triage_note = note.strip()
    request.triaged_on = _stage_date(triaged_on, request.received_on, "triaged_on")
    fields = ["status", "triage_note", "triaged_on", "updated_at"]
    if program is not None or activity is not None:
        request.program = program or (activity.program if activity else None)
        request.activity = activity
        fields += ["program", "activity"]
    request.save(update_fields=fields)
    _request_record(actor, "triage", request, status=request.status)
    return request


@transaction.atomic
def decline_request(*, actor: Any, request: AssistanceRequest, note: str) -> AssistanceRequest:
    """The Secretariat declines a request not yet planned, saying why."""
    _require_secretariat(actor)
    _require_status(request, RequestStatus.RECEIVED, RequestStatus.TRIAGED)
    if not note.strip():
        raise ValidationError({"triage_note": _("Say why the request is declined.")})
    request.status = RequestStatus.DECLINED
    request.triage_note = "\n\n".join(t for t in (request.triage_note, note.strip()) if t)
    request.closed_on = timezone.localdate()
    request.save(update_fields=["status", "triage_note", "closed_on", "updated_at"])
    _request_record(actor, "decline", request, status=request.status)
    return request


def _stage_date(
    day: datetime.date | None, previous: datetime.date | None, field: str
) -> datetime.date:
    """The day a request reaches a stage: today unless given; not before the previous stage."""
    day = day or timezone.localdate()
    if previous is not None and day < previous:
        raise ValidationError({field: _("A stage cannot come before the previous one.")})
    return day


@transaction.atomic
def plan_request(
    *,
    actor: Any,
    request: AssistanceRequest,
    events: Iterable[Event],
    planned_on: datetime.date | None = None,
) -> AssistanceRequest:
    """The Secretariat plans a triaged request: the events that deliver it point to it (more
    can be linked while it is planned; ``planned_on``, today unless given, is the first
    planning's day)."""
    _require_secretariat(actor)
    _require_status(request, RequestStatus.TRIAGED, RequestStatus.PLANNED)
    events = list(events)
    if not events:
        raise ValidationError({"events": _("Choose at least one event that delivers it.")})
    # Read from the database: the instances given may be stale.
    taken = (
        Event.objects.select_for_update()
        .filter(pk__in=[e.pk for e in events], request__isnull=False)
        .exclude(request=request)
        .first()
    )
    if taken is not None:
        raise ValidationError(
            {"events": _("{title} already delivers another request.").format(title=taken.title)}
        )
    Event.objects.filter(pk__in=[e.pk for e in events]).update(
        request=request, updated_at=timezone.now()
    )
    for event in events:
        event.request = request
    request.status = RequestStatus.PLANNED
    if request.planned_on is None:
        request.planned_on = _stage_date(planned_on, request.triaged_on, "planned_on")
    request.save(update_fields=["status", "planned_on", "updated_at"])
    _request_record(
        actor, "plan", request, status=request.status, events=sorted(e.pk for e in events)
    )
    return request


@transaction.atomic
def deliver_request(
    *, actor: Any, request: AssistanceRequest, delivered_on: datetime.date | None = None
) -> AssistanceRequest:
    """The Secretariat marks a planned request delivered."""
    _require_secretariat(actor)
    _require_status(request, RequestStatus.PLANNED)
    delivered_on = delivered_on or timezone.localdate()
    if delivered_on < request.received_on:
        raise ValidationError({"delivered_on": _("Delivery comes after the request.")})
    request.status = RequestStatus.DELIVERED
    request.delivered_on = delivered_on
    request.save(update_fields=["status", "delivered_on", "updated_at"])
    _request_record(actor, "deliver", request, status=request.status)
    return request


@transaction.atomic
def give_feedback(
    *, actor: Any, request: AssistanceRequest, satisfaction: int, feedback: str = ""
) -> AssistanceRequest:
    """A coordinator of the state says how satisfied the state is (1 to 5) with a delivered
    request, and why; they may change it until the Secretariat closes the request."""
    if request.member_state_id not in coordinated_states(actor):
        raise PermissionDenied(_("Only the state's coordinators give the state's feedback."))
    _require_status(request, RequestStatus.DELIVERED)
    if satisfaction not in range(1, 6):
        raise ValidationError({"satisfaction": _("Satisfaction is a number from 1 to 5.")})
    request.satisfaction = satisfaction
    request.feedback = feedback.strip()
    request.save(update_fields=["satisfaction", "feedback", "updated_at"])
    _request_record(actor, "feedback", request, satisfaction=satisfaction)
    return request


def feedback_days() -> int:
    """Days the state has to give its feedback on a delivered request (WORKPLAN_FEEDBACK_DAYS)."""
    return int(getattr(settings, "WORKPLAN_FEEDBACK_DAYS", 60))


def feedback_due(request: AssistanceRequest) -> datetime.date | None:
    """The last day for the state's feedback on a delivered request."""
    if request.delivered_on is None:
        return None
    return request.delivered_on + datetime.timedelta(days=feedback_days())


def feedback_overdue(request: AssistanceRequest, today: datetime.date | None = None) -> bool:
    """Delivered, no feedback, and the time for it has passed."""
    due = feedback_due(request)
    return (
        request.status == RequestStatus.DELIVERED
        and request.satisfaction is None
        and due is not None
        and (today or timezone.localdate()) > due
    )


@transaction.atomic
def close_request(
    *,
    actor: Any,
    request: AssistanceRequest,
    closed_on: datetime.date | None = None,
    no_feedback: bool = False,
) -> AssistanceRequest:
    """The Secretariat closes a delivered request once the state has given its feedback, or,
    with ``no_feedback``, when the state has given none within ``WORKPLAN_FEEDBACK_DAYS`` of
    the delivery (the closure then says "no feedback")."""
    _require_secretariat(actor)
    _require_status(request, RequestStatus.DELIVERED)
    closed_on = closed_on or timezone.localdate()
    if request.delivered_on is not None and closed_on < request.delivered_on:
        raise ValidationError({"closed_on": _("A request is closed after its delivery.")})
    if no_feedback:
        if request.satisfaction is not None:
            raise ValidationError(
                {"no_feedback": _("The state has given its feedback: close the request on it.")}
            )
        due = feedback_due(request)
        if due is None or closed_on <= due:
            raise ValidationError(
                {
                    "no_feedback": _(
                        "The state has until {date} to give its feedback ({days} days after "
                        "the delivery)."
                    ).format(
                        date=formats.date_format(due, "DATE_FORMAT") if due else "",
                        days=feedback_days(),
                    )
                }
            )
        closure = RequestClosure.NO_FEEDBACK
    elif request.satisfaction is None:
        raise ValidationError(
            {"satisfaction": _("The state's coordinators have not given its feedback yet.")}
        )
    else:
        closure = RequestClosure.FEEDBACK
    request.status = RequestStatus.CLOSED
    request.closed_on = closed_on
    request.closure = closure
    request.save(update_fields=["status", "closed_on", "closure", "updated_at"])
    _request_record(actor, "close", request, status=request.status, closure=closure)
    return request


# --- Indicators ----------------------------------------------------------------------------


def _check_indicator(data: dict[str, Any]) -> None:
    program, activity = data.get("program"), data.get("activity")
    if activity is not None and program is not None and activity.program_id != program.pk:
        raise ValidationError({"activity": _("The activity is not one of the program's.")})


@transaction.atomic
def create_indicator(*, actor: Any, data: dict[str, Any]) -> Indicator:
    """A result indicator of a program (or one of its activities)."""
    _require_secretariat(actor)
    _check_indicator(data)
    indicator = Indicator(**{k: data[k] for k in INDICATOR_FIELDS if k in data})
    _clean(indicator)
    indicator.save()
    audit.record(actor=actor, action="workplan.indicator.create", obj=indicator)
    return indicator


@transaction.atomic
def update_indicator(*, actor: Any, indicator: Indicator, data: dict[str, Any]) -> Indicator:
    """Change an indicator's definition; a counted one keeps no typed actual values."""
    _require_secretariat(actor)
    _check_indicator({"program": indicator.program, "activity": indicator.activity, **data})
    before = audit.snapshot(indicator, INDICATOR_FIELDS)
    changed = _set_fields(indicator, data, INDICATOR_FIELDS)
    if changed:
        _clean(indicator)
        indicator.save(update_fields=changed)
        if indicator.source != IndicatorSource.MANUAL:
            indicator.periods.exclude(actual=None).update(actual=None)
        audit.record(
            actor=actor,
            action="workplan.indicator.update",
            obj=indicator,
            changes=audit.diff(indicator, before, changed),
        )
    return indicator


@transaction.atomic
def set_indicator_period(
    *,
    actor: Any,
    indicator: Indicator,
    start: datetime.date,
    end: datetime.date,
    target: Decimal | None = None,
    actual: Decimal | None = None,
) -> IndicatorPeriod:
    """Set the target (and, for a reported indicator, the actual value) of the period that
    starts on ``start``; a counted indicator's actual values come from the registry only."""
    _require_secretariat(actor)
    if actual is not None and indicator.source != IndicatorSource.MANUAL:
        raise ValidationError(
            {
                "actual": _(
                    "This indicator is counted from the participant registry: its actual "
                    "values are not typed in."
                )
            }
        )
    if end < start:
        raise ValidationError({"end": _("A period ends after it starts.")})
    period = IndicatorPeriod.objects.filter(indicator=indicator, start=start).first()
    created = period is None
    if period is None:
        period = IndicatorPeriod(indicator=indicator, start=start)
    before = audit.snapshot(period, ("end", "target", "actual"))
    period.end, period.target, period.actual = end, target, actual
    _clean(period, exclude=["indicator"])
    if created or before != audit.snapshot(period, ("end", "target", "actual")):
        period.save()
        audit.record(
            actor=actor,
            action="workplan.indicator.period",
            obj=indicator,
            changes={
                "start": start.isoformat(),
                "end": end.isoformat(),
                "target": None if target is None else str(target),
                "actual": None if actual is None else str(actual),
            },
        )
    return period


@transaction.atomic
def delete_indicator_period(*, actor: Any, period: IndicatorPeriod) -> None:
    _require_secretariat(actor)
    indicator = period.indicator
    audit.record(
        actor=actor,
        action="workplan.indicator.period_delete",
        obj=indicator,
        changes={"start": period.start.isoformat()},
    )
    period.delete()
