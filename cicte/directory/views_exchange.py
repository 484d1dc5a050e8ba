"""Exports of the directory (vCard, CSV) and the CSV import, in the web UI.

Exports are the directory search (:class:`ContactDesignationFilterSet`, the query string of the
search page) read through ``visible_to`` and narrowed to where the reader holds
``directory.export_contacts``; someone who holds it nowhere (an observer) is refused with 403, a
contact the reader may not see answers 404. Each export is an audit event with its row count and
filters. The rules and formats themselves live in :mod:`cicte.directory.exchange`.
"""

from __future__ import annotations

import csv
import io
from typing import Any, cast

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from cicte.accounts.models import User
from cicte.core import audit
from cicte.directory import exchange, selectors
from cicte.directory.choices import DesignationStatus
from cicte.directory.filtersets import ContactDesignationFilterSet
from cicte.directory.models import Contact, ContactDesignation

# Spreadsheet programs read a CSV file as UTF-8 (accents and all) only when it starts with a
# byte-order mark; CSV readers that expect none skip it with the "utf-8-sig" codec.
UTF8_BOM = "\ufeff"


def _actor(request: HttpRequest) -> User:
    # LoginRequiredMiddleware lets only signed-in people reach these views.
    return cast(User, request.user)


def _stamp() -> str:
    return timezone.now().strftime("%Y%m%d-%H%M%S")


def _download(response: HttpResponseBase, filename: str) -> HttpResponseBase:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _export_rows(
    request: HttpRequest,
) -> tuple[ContactDesignationFilterSet, QuerySet[ContactDesignation] | None]:
    """The search's rows that the reader may export, or None when the filters are invalid."""
    actor = _actor(request)
    scope = exchange.ExportScope.of(actor)
    if not scope:
        raise PermissionDenied(_("You may not export the directory."))
    filterset = ContactDesignationFilterSet(
        request.GET or None,
        queryset=ContactDesignation.objects.visible_to(actor),
        request=request,
    )
    if filterset.is_bound and not filterset.is_valid():
        return filterset, None
    rows = scope.restrict(filterset.qs)
    # The file holds the rows as they stood when it was asked for, so that the count in the
    # audit trail and the file agree while new designations arrive.
    newest = rows.order_by("-pk").values_list("pk", flat=True).first()
    return filterset, rows.filter(pk__lte=newest or 0)


def _back_to_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.urlencode()
    return redirect(reverse("directory:search") + (f"?{query}" if query else ""))


@require_GET
def export_csv(request: HttpRequest) -> HttpResponseBase:
    """The search as CSV: a header row, one row per designation, a ``stale`` column, and the
    sensitive columns empty where the reader may not see them. Streamed."""
    filterset, rows = _export_rows(request)
    if rows is None:
        return _back_to_search(request)
    actor = _actor(request)
    audit.record_export(
        actor=actor,
        what="directory.designation",
        count=rows.count(),
        filters={**exchange.active_filters(filterset), "format": "csv"},
    )
    stream = (line for part in ([UTF8_BOM], exchange.csv_stream(actor, rows)) for line in part)
    response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
    return _download(response, f"directory-{_stamp()}.csv")


@require_GET
def export_vcard(request: HttpRequest) -> HttpResponseBase:
    """The contacts of the search as one .vcf file (vCard 3.0, one card per contact). Streamed."""
    filterset, rows = _export_rows(request)
    if rows is None:
        return _back_to_search(request)
    actor = _actor(request)
    audit.record_export(
        actor=actor,
        what="directory.contact",
        count=rows.values("contact_id").distinct().count(),
        filters={**exchange.active_filters(filterset), "format": "vcard"},
    )
    response = StreamingHttpResponse(
        exchange.vcard_stream(actor, rows), content_type="text/vcard; charset=utf-8"
    )
    return _download(response, f"directory-{_stamp()}.vcf")


@require_GET
def contact_vcard(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One contact's vCard, with its current designations that the reader sees."""
    actor = _actor(request)
    contact = get_object_or_404(
        Contact.objects.visible_to(actor)
        .select_related("organization__member_state")
        .prefetch_related(*exchange.contact_prefetches(actor)),
        pk=pk,
    )
    visible: list[ContactDesignation] = contact.visible_designations  # type: ignore[attr-defined]
    if not exchange.ExportScope.of(actor).covers_contact(actor, contact, visible):
        raise PermissionDenied(_("You may not export this contact."))
    policies = selectors.policies_by_network()
    selectors.attach_policies(visible, policies)
    sensitive = selectors.can_see_sensitive(actor, contact, visible)
    current = [
        d for d in visible if d.status in (DesignationStatus.ACTIVE, DesignationStatus.PENDING)
    ]
    card = exchange.contact_vcard(contact, current, sensitive=sensitive)
    # Like audit.record_export, and tied to the contact so that its state's coordinators see
    # who took its details away.
    audit.record(
        actor=actor,
        action="directory.contact.export",
        obj=contact,
        changes={"rows": 1, "filters": {"contact": contact.pk, "format": "vcard"}},
    )
    response = HttpResponse(card.serialize(), content_type="text/vcard; charset=utf-8")
    return _download(response, f"contact-{contact.pk}.vcf")


# --- Import ----------------------------------------------------------------------------------


class ContactImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=format_lazy(
            gettext_lazy("UTF-8 text with a header row; at most {size} KB and {rows} rows."),
            size=exchange.MAX_IMPORT_BYTES // 1024,
            rows=exchange.MAX_IMPORT_ROWS,
        ),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Only check the file; write nothing"), required=False
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > exchange.MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than {size} KB: split it into several files.").format(
                    size=exchange.MAX_IMPORT_BYTES // 1024
                )
            )
        return upload


def _require_import(actor: User) -> None:
    if not exchange.may_import(actor):
        raise PermissionDenied(_("You may not import contacts."))


@require_http_methods(["GET", "POST"])
def import_contacts(request: HttpRequest) -> HttpResponse:
    """Upload a CSV file of contacts and designations: all rows are written, or none, with a
    report row by row of what is wrong."""
    actor = _actor(request)
    _require_import(actor)
    result = None
    if request.method == "POST":
        form = ContactImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = exchange.import_contacts(
                actor=actor,
                data=upload.read(exchange.MAX_IMPORT_BYTES + 1),
                filename=upload.name or "",
                dry_run=form.cleaned_data["dry_run"],
            )
            if result.ok and not result.dry_run:
                form = ContactImportForm()
    else:
        form = ContactImportForm()
    context = {
        "form": form,
        "result": result,
        "summary": exchange.import_summary(result) if result and result.ok else [],
        "columns": exchange.import_column_docs(),
        "attributes": exchange.attribute_docs(),
        "networks": exchange.network_role_docs(),
    }
    return render(request, "directory/exchange/import.html", context)


@require_GET
def import_template(request: HttpRequest) -> HttpResponseBase:
    """An empty import file: the header row only."""
    _require_import(_actor(request))
    buffer = io.StringIO()
    csv.writer(buffer).writerow(exchange.template_header())
    response = HttpResponse(UTF8_BOM + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    return _download(response, "directory-import-template.csv")
