"""The work plan's outputs: dashboard, progress report (HTML and PDF), CSV exports, the IATI
activity file and the iCalendar feeds. Aggregates and events are for every signed-in person;
requests for assistance only as ``AssistanceRequest.objects.visible_to`` allows."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST, require_safe

from cicte.accounts.models import Network
from cicte.core import audit
from cicte.core.csvutil import csv_download, neutralise
from cicte.workplan import iati, ical, privacy, reports, results, services_outputs
from cicte.workplan.models import (
    AssistanceRequest,
    CalendarFeed,
    Event,
    Indicator,
    WorkPlan,
    is_secretariat,
)
from cicte.workplan.results import Period

MAX_DAYS = 366 * 10


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(
                    _("The end of the period must not be before its start.")
                )
            if (end - start).days > MAX_DAYS:
                raise forms.ValidationError(_("Choose a period of ten years at most."))
        return data


def _period(request: HttpRequest) -> tuple[Period, PeriodForm, bool]:
    """The period asked for (``start`` and ``end`` in the query), else the default one; and
    whether the query was valid."""
    default = Period.default()
    if "start" not in request.GET and "end" not in request.GET:
        form = PeriodForm(initial={"start": default.start, "end": default.end})
        return default, form, True
    form = PeriodForm(request.GET)
    if form.is_valid():
        return Period(form.cleaned_data["start"], form.cleaned_data["end"]), form, True
    return default, form, False


def _presets() -> list[dict[str, Any]]:
    """Quick periods: each work plan, and each calendar year of it."""
    presets = []
    for plan in WorkPlan.objects.order_by("-period_start")[:5]:
        presets.append({"label": plan.title, "start": plan.period_start, "end": plan.period_end})
        for year in range(plan.period_start.year, plan.period_end.year + 1):
            presets.append(
                {
                    "label": str(year),
                    "start": max(plan.period_start, datetime.date(year, 1, 1)),
                    "end": min(plan.period_end, datetime.date(year, 12, 31)),
                }
            )
    return presets


def _period_context(request: HttpRequest) -> tuple[dict[str, Any], int]:
    period, form, valid = _period(request)
    query = f"start={period.start.isoformat()}&end={period.end.isoformat()}"
    return {
        "period": period,
        "form": form,
        "presets": _presets(),
        "query": query,
    }, (200 if valid else 400)


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    context, status = _period_context(request)
    context.update(reports.dashboard(context["period"], request.user))
    return render(request, "workplan/outputs/dashboard.html", context, status=status)


@require_GET
def report(request: HttpRequest) -> HttpResponse:
    context, status = _period_context(request)
    context.update(reports.progress_report(context["period"], request.user))
    return render(request, "workplan/outputs/report.html", context, status=status)


@require_GET
def report_pdf(request: HttpRequest) -> HttpResponse:
    context, status = _period_context(request)
    if status != 200:
        return render(request, "workplan/outputs/report.html", context, status=status)
    period = context["period"]
    context.update(reports.progress_report(period, request.user))
    pdf = reports.render_pdf(context)
    _record_export(request, "workplan.report", len(context["sections"]), period)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="progress-report-{period.start}-{period.end}.pdf"'
    )
    response["Cache-Control"] = "no-store"
    return response


# --- CSV exports


def _export_period(request: HttpRequest) -> Period | HttpResponse:
    """The period of an export, or a 400 answer saying what is wrong with it."""
    period, form, valid = _period(request)
    if valid:
        return period
    errors = "; ".join(" ".join(str(m) for m in e) for e in form.errors.values())
    return HttpResponse(
        _("Invalid period: {errors}").format(errors=errors),
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def _record_export(request: HttpRequest, what: str, count: int, period: Period) -> None:
    """Every export and PDF is an audit event, with the period it covers."""
    audit.record_export(
        actor=request.user,
        what=what,
        count=count,
        filters={"start": period.start.isoformat(), "end": period.end.isoformat()},
    )


def _local(value: datetime.datetime, tz: str) -> str:
    return value.astimezone(results.zone(tz)).isoformat(timespec="minutes")


def _number(value: Any) -> str:
    return "" if value is None else str(value)


@require_GET
def export_events(request: HttpRequest) -> HttpResponseBase:
    period = _export_period(request)
    if isinstance(period, HttpResponse):
        return period
    events = list(
        results.events_in(period, Event.objects.visible_to(request.user))
        .select_related("activity__program")
        .prefetch_related("target_states", "networks")
        .order_by("starts_at", "pk")
    )
    figures = reports.event_figures(events)
    _record_export(request, "workplan.event", len(events), period)

    def rows() -> Iterator[list[str]]:
        yield [
            "id",
            "title",
            "kind",
            "modality",
            "status",
            "starts",
            "ends",
            "time_zone",
            "program",
            "activity",
            "venue",
            "country",
            "target_states",
            "networks",
            "budget",
            "currency",
            "people_registered",
            "people_reached",
            "people_trained",
        ]
        for event in events:
            counts = figures.get(event.pk, {})
            activity = event.activity
            yield [
                str(event.pk),
                neutralise(event.title),
                event.kind,
                event.modality,
                event.status,
                _local(event.starts_at, event.time_zone),
                _local(event.ends_at, event.time_zone),
                neutralise(event.time_zone),
                activity.program.code if activity else "",
                activity.code if activity else "",
                neutralise(event.venue),
                neutralise(event.country),
                " ".join(sorted(s.code for s in event.target_states.all())),
                neutralise("; ".join(sorted(n.name for n in event.networks.all()))),
                _number(event.budget),
                neutralise(event.currency),
                str(counts.get("registered", 0)),
                str(counts.get("reached", 0)),
                str(counts.get("trained", 0)),
            ]

    return csv_download(rows(), filename=f"workplan-events-{period.start}-{period.end}.csv")


@require_GET
def export_people(request: HttpRequest) -> HttpResponseBase:
    """People reached and trained, aggregated by sex, by member state and by program (no
    cross-tabulation, so that small groups do not point at a person)."""
    period = _export_period(request)
    if isinstance(period, HttpResponse):
        return period
    totals = results.totals(period)
    sex, state = results.by_sex(period), results.by_state(period)
    if not is_secretariat(request.user):
        # Small cells of the breakdowns by sex and by state masked; totals exact.
        sex, state = privacy.mask_rows(sex), privacy.mask_rows(state)
    lines: list[list[str]] = [
        ["all", "", _("All"), str(totals.people_reached), str(totals.people_trained)]
    ]
    lines += [["sex", r.key, r.label, str(r.reached), str(r.trained)] for r in sex]
    lines += [["member_state", r.key, r.label, str(r.reached), str(r.trained)] for r in state]
    lines += [
        ["program", r.key, r.label, str(r.reached), str(r.trained)]
        for r in results.by_program(period)
    ]
    _record_export(request, "workplan.people_reached", len(lines), period)
    header = ["dimension", "code", "label", "people_reached", "people_trained"]
    return csv_download(
        [header, *[[neutralise(cell) for cell in line] for line in lines]],
        filename=f"workplan-people-reached-{period.start}-{period.end}.csv",
    )


@require_GET
def export_requests(request: HttpRequest) -> HttpResponseBase:
    """The requests for assistance received within the period that the reader may see."""
    period = _export_period(request)
    if isinstance(period, HttpResponse):
        return period
    requests = list(
        AssistanceRequest.objects.visible_to(request.user)
        .filter(received_on__gte=period.start, received_on__lte=period.end)
        .select_related("member_state", "program", "activity")
        .order_by("received_on", "pk")
    )
    _record_export(request, "workplan.assistancerequest", len(requests), period)
    header = [
        "id",
        "member_state",
        "received_on",
        "note_verbale",
        "title",
        "program",
        "activity",
        "status",
        "delivered_on",
        "closed_on",
        "satisfaction",
        "events",
    ]
    rows = [header]
    for item in requests:
        rows.append(
            [
                str(item.pk),
                item.member_state.code,
                item.received_on.isoformat(),
                neutralise(item.note_verbale),
                neutralise(item.title),
                item.program.code if item.program else "",
                item.activity.code if item.activity else "",
                item.status,
                _number(item.delivered_on),
                _number(item.closed_on),
                _number(item.satisfaction),
                " ".join(str(pk) for pk in item.events.values_list("pk", flat=True)),
            ]
        )
    return csv_download(rows, filename=f"workplan-requests-{period.start}-{period.end}.csv")


@require_GET
def export_indicators(request: HttpRequest) -> HttpResponseBase:
    period = _export_period(request)
    if isinstance(period, HttpResponse):
        return period
    items = results.indicator_rows(Indicator.objects.visible_to(request.user), period)
    _record_export(request, "workplan.indicator", len(items), period)
    header = [
        "indicator_id",
        "program",
        "activity",
        "indicator",
        "unit",
        "source",
        "baseline",
        "period_start",
        "period_end",
        "target",
        "actual",
        "percent_of_target",
    ]
    rows = [header]
    for row in items:
        indicator = row.indicator
        rows.append(
            [
                str(indicator.pk),
                indicator.program.code,
                indicator.activity.code if indicator.activity else "",
                neutralise(indicator.title),
                neutralise(indicator.unit),
                indicator.source,
                _number(row.baseline),
                row.period.start.isoformat(),
                row.period.end.isoformat(),
                _number(row.target),
                _number(row.actual),
                _number(row.percent),
            ]
        )
    return csv_download(rows, filename=f"workplan-indicators-{period.start}-{period.end}.csv")


@require_GET
def export_iati(request: HttpRequest) -> HttpResponse:
    """The events that start within the period as an IATI 2.03 activity file."""
    period = _export_period(request)
    if isinstance(period, HttpResponse):
        return period
    events = iati.export_queryset(
        results.events_in(period, Event.objects.visible_to(request.user)).order_by(
            "starts_at", "pk"
        )
    )
    try:
        document = iati.build(events)
    except ValueError:
        return HttpResponse(
            _("No event starts within this period: there is nothing to export."),
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    _record_export(request, "workplan.iati", events.count(), period)
    response = HttpResponse(document, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="iati-activities-{period.start}-{period.end}.xml"'
    )
    return response


# --- Calendars


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=900"
    return response


def _calendar_page(
    request: HttpRequest, *, secret: str | None = None, status: int = 200
) -> HttpResponse:
    feed_url = (
        request.build_absolute_uri(reverse("workplan:calendar_secret", args=[secret]))
        if secret
        else None
    )
    return render(
        request,
        "workplan/outputs/calendar.html",
        {
            "networks": Network.objects.visible_to(request.user).filter(is_active=True),
            "feed": CalendarFeed.objects.filter(user_id=request.user.pk or 0).first(),
            "feed_url": feed_url,
        },
        status=status,
    )


@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    """The network feeds, and the person's own secret address (made, replaced or removed
    here)."""
    return _calendar_page(request)


@require_POST
def calendar_feed_create(request: HttpRequest) -> HttpResponse:
    """A new secret address, shown once in this response (never stored, never redirected)."""
    _feed, secret = services_outputs.create_calendar_feed(actor=request.user)
    return _calendar_page(request, secret=secret, status=201)


@require_POST
def calendar_feed_revoke(request: HttpRequest) -> HttpResponse:
    if services_outputs.revoke_calendar_feed(actor=request.user):
        messages.success(request, _("Your calendar address no longer works."))
    return redirect("workplan:calendar")


@require_safe  # calendar applications may check with HEAD
def network_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    network = get_object_or_404(Network.objects.visible_to(request.user), slug=slug)
    events = ical.recent(Event.objects.visible_to(request.user).filter(networks=network))
    name = _("{network}: work plan events").format(network=network.localized_name)
    return _ics(ical.calendar(events, name=name), f"{slug}.ics")


@login_not_required
@require_safe
def secret_calendar(request: HttpRequest, secret: str) -> HttpResponse:
    """A person's feed at their secret address, without a session (calendar applications)."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(digest=ical.digest(secret), user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404
    events = ical.recent(ical.events_of_person(feed.user))
    return _ics(ical.calendar(events, name=_("CICTE work plan events")), "cicte-workplan.ics")
