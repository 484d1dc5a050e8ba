"""The audit trail in the UI: a filtered list, one page per event, and a CSV export.

Who sees what is decided once, by :meth:`AuditEventQuerySet.visible_to`: Secretariat
administrators the whole trail, national coordinators their own state's part, everyone their own
actions. What a user may not see answers 404. Viewing the trail is not itself audited (it would
flood the trail with its own reads); exporting it is.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from cicte.accounts import permissions
from cicte.accounts.models import MemberState
from cicte.core import audit
from cicte.core.csvutil import Echo, neutralise
from cicte.core.filtersets import AuditEventFilterSet
from cicte.core.models import AuditEvent

PAGE_SIZE = 50
EXPORT_CHUNK_SIZE = 1000
CURSOR_PARAMS = ("before", "after")
# Spreadsheets run cells that start with these as formulas (CSV injection): such cells get a
# leading apostrophe in the export.
CSV_HEADER = [
    "id",
    "occurred_at",
    "actor",
    "actor_id",
    "organization",
    "organization_id",
    "member_state",
    "subject_member_state",
    "ip_address",
    "action",
    "object_type",
    "object_id",
    "object",
    "changes",
    "prev_hash",
    "hash",
]


@dataclass(frozen=True)
class KeysetPage:
    """One page of a list ordered by descending id, addressed by the ids at its edges rather than
    by an offset: no count of the table, and pages stay stable while new events arrive."""

    items: list[AuditEvent]
    newer_cursor: int | None
    older_cursor: int | None
    is_first: bool


def _cursor(request: HttpRequest, name: str) -> int | None:
    """A page edge from the query string: a positive event id, or nothing."""
    value = request.GET.get(name, "")
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        return None
    return int(value) or None


def keyset_page(
    queryset: QuerySet[AuditEvent], *, before: int | None, after: int | None, size: int
) -> KeysetPage:
    """The page of ``size`` events older than ``before``, or newer than ``after``, or the newest."""
    if after is not None:
        rows = list(queryset.filter(id__gt=after).order_by("id")[: size + 1])
        has_newer = len(rows) > size
        rows = rows[:size][::-1]
        has_older = queryset.filter(id__lte=after).exists()
    else:
        if before is not None:
            queryset = queryset.filter(id__lt=before)
        rows = list(queryset.order_by("-id")[: size + 1])
        has_older = len(rows) > size
        rows = rows[:size]
        has_newer = before is not None
    return KeysetPage(
        items=rows,
        newer_cursor=rows[0].id if rows and has_newer else None,
        older_cursor=rows[-1].id if rows and has_older else None,
        is_first=before is None and after is None,
    )


def _filtered(request: HttpRequest) -> tuple[AuditEventFilterSet, QuerySet[AuditEvent]]:
    """The user's part of the trail, narrowed by the filters in the query string; nothing when a
    filter is invalid (the form then says why)."""
    filterset = AuditEventFilterSet(
        request.GET, queryset=AuditEvent.objects.visible_to(request.user)
    )
    if not filterset.is_valid():
        return filterset, AuditEvent.objects.none()
    return filterset, filterset.qs.select_related(
        "organization", "member_state", "subject_member_state"
    )


def _query_without_cursor(request: HttpRequest) -> str:
    params = [
        (key, value)
        for key, values in request.GET.lists()
        if key not in CURSOR_PARAMS
        for value in values
        if value != ""
    ]
    return urlencode(params)


def _scope(user: Any) -> dict[str, Any]:
    """Which part of the trail the user sees, to say so on the page."""
    if permissions.has_global_perm(user, "core.view_auditevent"):
        return {"scope": "all", "scope_states": []}
    state_ids = permissions.member_states_with_perm(user, "core.view_auditevent")
    if state_ids:
        states = [str(state) for state in MemberState.objects.filter(pk__in=state_ids)]
        return {"scope": "states", "scope_states": states}
    return {"scope": "own", "scope_states": []}


@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    """The audit trail, newest first, filtered and paged by keyset."""
    filterset, events = _filtered(request)
    page = keyset_page(
        events,
        before=_cursor(request, "before"),
        after=_cursor(request, "after"),
        size=PAGE_SIZE,
    )
    query = _query_without_cursor(request)
    context = {
        "filterset": filterset,
        "page": page,
        "query": query,
        "export_url": reverse("core:audit_export") + (f"?{query}" if query else ""),
        **_scope(request.user),
    }
    # htmx swaps in only the results when the filters change; the full page works without it.
    htmx: Any = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.boosted
    template = "core/audit_results.html" if partial else "core/audit_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _change_rows(changes: Any) -> tuple[str, Any]:
    """How to show an event's changes: the names of changed fields (TLP-labelled records), field
    by field old and new values, or other data as JSON."""
    if not changes:
        return "none", None
    if isinstance(changes, dict):
        if set(changes) == {"fields"} and isinstance(changes["fields"], list):
            return "fields", [str(name) for name in changes["fields"]]
        if all(isinstance(v, list) and len(v) == 2 for v in changes.values()):
            return "diff", [
                (field, _display(old), _display(new)) for field, (old, new) in changes.items()
            ]
    return "data", json.dumps(changes, indent=2, sort_keys=True, ensure_ascii=False)


def _display(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


@require_GET
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One event with every field, its hash and the hash of the event before it."""
    event = get_object_or_404(
        AuditEvent.objects.visible_to(request.user).select_related(
            "organization", "member_state", "subject_member_state"
        ),
        pk=pk,
    )
    # Only the hash of the event before is read, to say whether this link of the chain holds;
    # nothing of that event is shown, so it need not be visible to the user.
    previous_hash = (
        AuditEvent.objects.filter(id__lt=event.id)
        .order_by("-id")
        .values_list("hash", flat=True)
        .first()
    )
    changes_kind, changes = _change_rows(event.changes)
    context = {
        "event": event,
        "content_intact": event.compute_hash() == event.hash,
        "link_intact": event.prev_hash == (previous_hash or audit.GENESIS),
        "changes_kind": changes_kind,
        "changes": changes,
    }
    return render(request, "core/audit_detail.html", context)


def csv_rows(events: Iterable[AuditEvent]) -> Iterator[list[str]]:
    """The export's header and one row per event (the hash covers the same values)."""
    yield CSV_HEADER
    for event in events:
        yield [
            str(event.id),
            event.occurred_at.isoformat(timespec="microseconds"),
            neutralise(event.actor_label),
            "" if event.actor_id is None else str(event.actor_id),
            neutralise(event.organization.name if event.organization else ""),
            "" if event.organization_id is None else str(event.organization_id),
            event.member_state.code if event.member_state else "",
            event.subject_member_state.code if event.subject_member_state else "",
            event.ip_address or "",
            neutralise(event.action),
            neutralise(event.object_type),
            neutralise(event.object_id),
            neutralise(event.object_repr),
            neutralise(
                json.dumps(event.changes, sort_keys=True, ensure_ascii=False)
                if event.changes
                else ""
            ),
            event.prev_hash,
            event.hash,
        ]


@require_GET
def audit_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered list as CSV, streamed. The export is itself an audit event (with the number
    of rows and the filters); the file holds the trail as it stood when the export was asked for,
    so that count and file agree while new events keep arriving."""
    filterset, events = _filtered(request)
    if not filterset.is_valid():
        query = request.GET.urlencode()
        return redirect(reverse("core:audit_list") + (f"?{query}" if query else ""))
    newest = events.order_by("-id").values_list("id", flat=True).first()
    exported = events.filter(id__lte=newest or 0)
    audit.record_export(
        actor=request.user,
        what="audit",
        count=exported.count(),
        filters=filterset.active_filters(),
    )
    rows = exported.order_by("-id").iterator(EXPORT_CHUNK_SIZE)
    writer = csv.writer(Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in csv_rows(rows)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
