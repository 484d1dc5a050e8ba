"""The MISP page (/intel/misp/): import MISP events or a MISP feed into a collection, and export
a collection (or a filtered view of it) as a MISP feed, downloaded as a zip.

Both go through :mod:`cicte.intel.misp`, as the ``import_misp`` and ``export_misp_feed``
commands do: the import is checked whole and stored all or nothing (a refusal lists the reasons
and stores nothing), audited as ``intel.misp_import`` with its source; the export holds what
the person may read of the collection, never TLP:RED, and is audited as
``intel.misp_feed.export``. The forms offer only the collections the person may write (import)
or read (export); a collection they may not read answers 404.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path
from typing import IO, Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cicte.accounts.models import User
from cicte.intel import misp, services
from cicte.intel.forms_misp import MispExportForm, MispImportForm
from cicte.intel.misp_engine import MispError
from cicte.intel.models import Collection

IMPORT_PREFIX = "import"
EXPORT_PREFIX = "export"


def _actor(request: HttpRequest) -> User:
    # LoginRequiredMiddleware lets only signed-in people reach these views.
    return cast(User, request.user)


def _page(
    request: HttpRequest,
    *,
    import_form: MispImportForm | None = None,
    export_form: MispExportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = _actor(request)
    import_form = import_form or MispImportForm(actor=actor, prefix=IMPORT_PREFIX)
    export_form = export_form or MispExportForm(actor=actor, prefix=EXPORT_PREFIX)
    import_choices: Any = import_form.fields["collection"]
    export_choices: Any = export_form.fields["collection"]
    return render(
        request,
        "intel/misp/page.html",
        {
            "import_form": import_form,
            "export_form": export_form,
            "may_import": import_choices.queryset.exists(),
            "may_export": export_choices.queryset.exists(),
        },
        status=status,
    )


@require_GET
def misp_page(request: HttpRequest) -> HttpResponse:
    """The two forms: import into a collection the person may write, export one they read."""
    return _page(request)


@require_POST
def misp_import(request: HttpRequest) -> HttpResponse:
    """Import an uploaded MISP document or feed zip, or a feed by its address, all or nothing."""
    actor = _actor(request)
    form = MispImportForm(request.POST, request.FILES, actor=actor, prefix=IMPORT_PREFIX)
    if not form.is_valid():
        return _page(request, import_form=form, status=400)
    collection = form.cleaned_data["collection"]
    # The form offers only writable collections; checked again before any address is fetched
    # (and by the import itself: 403).
    if not services.may_write(actor, collection):
        raise PermissionDenied(_("You may not add objects to this collection."))
    try:
        events, source = form.read_events()
    except MispError as exc:
        form.add_error(
            None,
            _("The MISP data cannot be read; nothing was imported. {reason}").format(
                reason=misp.error_text(exc)
            ),
        )
        return _page(request, import_form=form, status=400)
    try:
        result = misp.import_events(
            actor=actor, collection=collection, events=events, source=source
        )
    except MispError as exc:
        form.add_error(None, misp.error_text(exc))
        return _page(request, import_form=form, status=400)
    messages.success(
        request,
        format_html(
            '{} <a href="{}">{}</a>',
            _(
                "MISP events read: {events}. STIX objects stored: {stored}; already stored: "
                "{unchanged}."
            ).format(events=len(result.events), stored=result.stored, unchanged=result.unchanged),
            reverse("intel:collection_detail", args=[collection.pk]),
            _("See the collection “{title}”.").format(title=collection.title),
        ),
    )
    return redirect("intel:misp")


def _zip_of(folder: Path, root: str) -> IO[bytes]:
    """The feed's files in a zip, under one folder ``root`` (a temporary file, deleted when
    closed)."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"{root}/{path.name}")
    handle.seek(0)
    return handle


@require_POST
def misp_export(request: HttpRequest) -> HttpResponseBase:
    """Download what the person may read of a collection (never TLP:RED), filtered, as a zip
    of a MISP feed: manifest.json, hashes.csv and one <event uuid>.json per event."""
    actor = _actor(request)
    form = MispExportForm(request.POST, actor=actor, prefix=EXPORT_PREFIX)
    if not form.is_valid():
        return _page(request, export_form=form, status=400)
    collection: Collection = form.cleaned_data["collection"]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    name = slugify(collection.alias or collection.title)[:60] or "collection"
    root = f"misp-feed-{name}-{stamp}"
    with tempfile.TemporaryDirectory(prefix="cicte-misp-") as workdir:
        folder = Path(workdir) / "feed"
        try:
            counts = misp.export_feed(
                actor=actor, collection=collection, folder=folder, filters=form.filters()
            )
        except Collection.DoesNotExist as exc:
            raise Http404 from exc
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            return _page(request, export_form=form, status=403)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
            return _page(request, export_form=form, status=400)
        except MispError as exc:
            form.add_error(None, misp.error_text(exc))
            return _page(request, export_form=form, status=400)
        if not counts["events"]:
            messages.warning(
                request,
                _(
                    "Nothing to export: you may read no object of “{title}” that can leave the "
                    "platform with these filters."
                ).format(title=collection.title),
            )
            return _page(request, export_form=form)
        archive = _zip_of(folder, root)
    response = FileResponse(
        archive, as_attachment=True, filename=f"{root}.zip", content_type="application/zip"
    )
    # Intelligence under TLP: never kept by a browser's or a proxy's cache.
    response["Cache-Control"] = "no-store"
    return response
