"""What the dashboard and the progress report show, and the report as a PDF (WeasyPrint, from
the same template as the HTML page). Aggregate figures only: no names, no per-person rows; the
requests for assistance shown are those the reader may see (``visible_to``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.templatetags.tz import do_timezone
from django.utils import formats, translation
from django.utils.translation import gettext as _

from cicte.workplan import charts, privacy, results
from cicte.workplan.models import (
    AssistanceRequest,
    Event,
    Indicator,
    Registration,
    is_secretariat,
)
from cicte.workplan.results import Period, Scope

STYLESHEET = Path(__file__).resolve().parent / "pdf" / "report.css"


def people_charts(
    prefix: str, period: Period, scope: Scope = results.EVERYTHING, *, exact: bool = True
) -> dict[str, Any]:
    """The totals, and people reached and trained by sex and by member state as charts with
    their tables; ``exact=False`` (readers other than the Secretariat) masks the small cells
    (``cicte.workplan.privacy``), the totals staying exact."""
    series = [
        charts.Series(_("People reached"), charts.REACHED),
        charts.Series(_("People trained"), charts.TRAINED),
    ]
    totals: Any = results.totals(period, scope)
    sex = results.by_sex(period, scope)
    state = results.by_state(period, scope)
    if not exact:
        sex, state = privacy.mask_rows(sex), privacy.mask_rows(state)
        totals = privacy.mask_totals(totals, sex)
    return {
        "totals": totals,
        "sex_chart": charts.horizontal(
            f"{prefix}-sex",
            _("People reached and trained by sex"),
            series,
            [(row.label, [row.reached, row.trained]) for row in sex],
        ),
        "state_chart": charts.horizontal(
            f"{prefix}-state",
            _("People reached and trained by member state"),
            series,
            [(row.label, [row.reached, row.trained]) for row in state],
        ),
    }


def indicator_chart(chart_id: str, rows: list[results.IndicatorRow]) -> charts.Chart:
    items = [row for row in rows if row.target]
    return charts.horizontal(
        chart_id,
        _("Indicators: actual value as a share of the target"),
        [charts.Series(_("Share of the target reached"), charts.REACHED)],
        [
            (
                _("{indicator} ({start} to {end})").format(
                    indicator=row.indicator.translated("title"),
                    start=formats.date_format(row.period.start, "SHORT_DATE_FORMAT"),
                    end=formats.date_format(row.period.end, "SHORT_DATE_FORMAT"),
                ),
                [row.percent],
            )
            for row in items
        ],
        maximum=100,
        unit="%",
    )


def localise(events: list[Event]) -> list[Event]:
    """Give each event ``local_starts`` and ``local_ends``: its dates as they are on the calendar
    of its own time zone (the server's zone would move an evening event to the next day)."""
    for event in events:
        tz = results.zone(event.time_zone)
        # do_timezone marks them so that the template's date filter leaves their zone alone.
        event.local_starts = do_timezone(event.starts_at, tz)  # type: ignore[attr-defined]
        event.local_ends = do_timezone(event.ends_at, tz)  # type: ignore[attr-defined]
    return events


def month_label(month: Any) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def _received_in(user: Any, period: Period) -> Any:
    """The requests received within ``period`` that ``user`` may see."""
    return AssistanceRequest.objects.visible_to(user).filter(
        received_on__gte=period.start, received_on__lte=period.end
    )


def dashboard(period: Period, user: Any) -> dict[str, Any]:
    months = results.events_by_month(period)
    programs = results.by_program(period)
    requests = results.requests_by_status(AssistanceRequest.objects.visible_to(user), period)
    indicators = results.indicator_rows(Indicator.objects.visible_to(user), period)
    events = {
        event.pk: event
        for event in localise(
            list(
                Event.objects.visible_to(user).filter(
                    pk__in=[pk for month in months for pk in month.event_ids]
                )
            )
        )
    }
    calendar = [
        {
            "month": month,
            "label": month_label(month.month),
            "events": [events[pk] for pk in month.event_ids if pk in events],
        }
        for month in months
        if month.total
    ]
    context = {
        "calendar": calendar,
        "months_chart": charts.horizontal(
            "chart-months",
            _("Events by month"),
            [
                charts.Series(_("Held"), charts.REACHED),
                charts.Series(_("Planned"), charts.PLANNED),
            ],
            [(month_label(m.month), [m.held, m.planned]) for m in months],
        ),
        "program_chart": charts.horizontal(
            "chart-programs",
            _("People reached and trained by program"),
            [
                charts.Series(_("People reached"), charts.REACHED),
                charts.Series(_("People trained"), charts.TRAINED),
            ],
            [(row.label, [row.reached, row.trained]) for row in programs],
        ),
        "requests_chart": charts.horizontal(
            "chart-requests",
            _("Requests for assistance by stage"),
            [charts.Series(_("Requests"), charts.REACHED)],
            [(row.label, [row.extra["count"]]) for row in requests],
        ),
        "show_requests": any(row.extra["count"] for row in requests)
        or AssistanceRequest.objects.visible_to(user).exists(),
        "stage_times": results.stage_times(_received_in(user, period)),
        "indicators": indicators,
        "indicator_chart": indicator_chart("chart-indicators", indicators),
    }
    context.update(people_charts("chart", period, exact=is_secretariat(user)))
    return context


def event_figures(events: list[Event]) -> dict[int, dict[str, int]]:
    """People registered, reached and trained at each event (distinct people)."""
    rows = (
        Registration.objects.filter(event__in=events)
        .values("event")
        .annotate(
            registered=Count("person", distinct=True),
            reached=Count("person", distinct=True, filter=Q(status__in=results.REACHED)),
            trained=Count("person", distinct=True, filter=Q(status__in=results.TRAINED)),
        )
        .order_by()
    )
    return {row["event"]: row for row in rows}


def progress_report(period: Period, user: Any) -> dict[str, Any]:
    """The progress report of a period: overall figures, then program by program its events,
    people reached by sex and state, and indicators against targets; then the requests."""
    all_events = localise(
        list(
            results.events_in(period, Event.objects.visible_to(user))
            .select_related("activity", "activity__program")
            .prefetch_related("target_states")
            .order_by("starts_at", "pk")
        )
    )
    figures = event_figures(all_events)
    for event in all_events:
        event.figures = figures.get(event.pk, {"registered": 0, "reached": 0, "trained": 0})  # type: ignore[attr-defined]
    indicators = results.indicator_rows(Indicator.objects.visible_to(user), period)
    sections = []
    for row in results.by_program(period):
        program = row.extra.get("program")
        if program is not None:
            ids = set(results.program_subtree(program))
            events = [e for e in all_events if e.activity and e.activity.program_id in ids]
            scope = Scope.of_program(program)
            key = program.code
        else:
            events = [e for e in all_events if e.activity_id is None]
            scope = None
            key = "none"
        section: dict[str, Any] = {
            "row": row,
            "program": program,
            "events": events,
            "indicators": [i for i in indicators if program and i.indicator.program_id in ids],
        }
        if scope is not None:
            section.update(
                people_charts(
                    f"program-{key.replace('.', '-')}", period, scope, exact=is_secretariat(user)
                )
            )
        sections.append(section)
    visible_requests = AssistanceRequest.objects.visible_to(user)
    requests = list(
        _received_in(user, period)
        .select_related("member_state", "program")
        .order_by("received_on", "pk")
    )
    context = {
        "sections": sections,
        "requests": requests,
        "requests_by_status": results.requests_by_status(visible_requests, period),
        "stage_times": results.stage_times(_received_in(user, period)),
        "show_requests": visible_requests.exists(),
        "indicators": indicators,
    }
    context.update(people_charts("report", period, exact=is_secretariat(user)))
    return context


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError("The report template may not fetch resources.")


def render_pdf(context: dict[str, Any], *, language: str | None = None) -> bytes:
    """The progress report as a PDF: the body template of the HTML page, with the print
    stylesheet; nothing is fetched (charts are inline SVG)."""
    from weasyprint import CSS, HTML

    with translation.override(language or translation.get_language()):
        html = render_to_string("workplan/outputs/report_pdf.html", {**context, "pdf": True})
    return HTML(string=html, url_fetcher=_refuse_fetch, base_url=None).write_pdf(
        stylesheets=[CSS(filename=str(STYLESHEET))]
    )
