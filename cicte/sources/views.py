"""The sources pages, for the Secretariat (the holders of ``intel.manage_collections``): every
remote source with its last success, last error and next poll; a source's page with its poll
log; a poll's page with what it stored; create, change, delete, "Poll now".

Others answer 403, as the other management pages of intel do. A poll's stored objects are
listed through ``StixObject.objects.readable_by``: managing sources shows no object the person
could not read anyway.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cicte.accounts.models import User
from cicte.core.forms import apply_validation_error
from cicte.intel.models import StixObject
from cicte.sources import services
from cicte.sources.forms import RemoteSourceForm
from cicte.sources.models import RemoteSource, SourcePoll

PAGE_SIZE = 50
RECENT_POLLS = 3
# A poll's page lists at most this many of the versions it stored.
OBJECTS_SHOWN = 500


def _manager(request: HttpRequest) -> User:
    actor = cast(User, request.user)
    if not services.may_manage(actor):
        raise PermissionDenied
    return actor


def _template(request: HttpRequest, page: str, part: str) -> str:
    """The part that htmx swaps in (the pagination's links), or the whole page."""
    htmx = getattr(request, "htmx", None)
    return part if htmx and not htmx.boosted else page


def _source(pk: Any) -> RemoteSource:
    return get_object_or_404(
        RemoteSource.objects.select_related(
            "collection", "collection__network", "owner__organization"
        ),
        pk=pk,
    )


@require_GET
def source_list(request: HttpRequest) -> HttpResponse:
    """Every remote source: where it stores, its state, its last error and its latest polls."""
    _manager(request)
    # Neither the secrets (decrypted on load) nor the MISP cursors are needed here.
    sources = (
        RemoteSource.objects.select_related("collection", "owner")
        .defer("secret", "misp_timestamps")
        .prefetch_related(
            Prefetch(
                "polls",
                queryset=SourcePoll.objects.order_by("-started_at", "-pk")[:RECENT_POLLS],
                to_attr="recent_polls",
            )
        )
    )
    page = Paginator(sources, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        _template(request, "sources/source_list.html", "sources/_source_results.html"),
        {
            "page_obj": page,
            "sources": page.object_list,
            "failing": [source for source in page.object_list if source.last_error],
        },
    )


@require_GET
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A source (never its secret), its state and its poll log."""
    _manager(request)
    source = _source(pk)
    polls = SourcePoll.objects.filter(source=source).select_related("requested_by")
    page = Paginator(polls, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        _template(request, "sources/source_detail.html", "sources/_poll_log.html"),
        {
            "source": source,
            "page_obj": page,
            "polls": page.object_list,
            "events_seen": len(source.misp_timestamps or {}),
        },
    )


@sensitive_post_parameters("secret")
@require_http_methods(["GET", "HEAD", "POST"])
def source_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create a source (stored as the person creating it), or change one."""
    actor = _manager(request)
    instance = _source(pk) if pk else None
    owner = instance.owner if instance else actor
    form = RemoteSourceForm(request.POST or None, instance=instance, owner=owner)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            values = {
                name: data[name]
                for name in (
                    "name",
                    "kind",
                    "url",
                    "auth_scheme",
                    "username",
                    "collection",
                    "interval_minutes",
                    "is_enabled",
                )
            }
            try:
                if instance is None:
                    source = services.create_source(actor=actor, secret=data["secret"], **values)
                else:
                    # The form has copied its values onto ``instance``: the service compares
                    # them with the stored source.
                    source = services.update_source(
                        actor=actor,
                        source=RemoteSource.objects.get(pk=instance.pk),
                        secret=data["secret"] or None,
                        reset_cursor=data.get("reset_cursor", False),
                        **values,
                    )
            except ValidationError as error:
                # A ModelForm is a form as the helper means it (its errors by field).
                apply_validation_error(cast(forms.Form, form), error)
            else:
                messages.success(request, _("Source “{name}” saved.").format(name=source.name))
                return redirect("sources:source_detail", source.pk)
    return render(
        request,
        "sources/source_form.html",
        {"form": form, "source": instance},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def source_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a source; its poll log stays as the provenance of what it stored."""
    actor = _manager(request)
    source = _source(pk)
    if request.method == "POST":
        name = source.name
        services.delete_source(actor=actor, source=source)
        messages.success(request, _("Source “{name}” deleted.").format(name=name))
        return redirect("sources:source_list")
    return render(request, "sources/source_delete.html", {"source": source})


@require_POST
def source_poll(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Poll now": a poll enqueued at once; its outcome appears in the poll log."""
    actor = _manager(request)
    source = _source(pk)
    services.request_poll(actor=actor, source=source)
    messages.success(
        request,
        _("A poll of “{name}” has started: its outcome appears in the poll log.").format(
            name=source.name
        ),
    )
    return redirect("sources:source_detail", source.pk)


@require_GET
def poll_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One poll: its counts, its error, what it asked for, what was refused and why, and the
    object versions it stored (those the person may read)."""
    actor = _manager(request)
    record = get_object_or_404(
        SourcePoll.objects.select_related("source__collection", "requested_by", "ingest"), pk=pk
    )
    through: Any = SourcePoll.stored_objects.through
    linked = through.objects.filter(sourcepoll_id=record.pk).values("stixobject_id")
    readable = StixObject.objects.readable_by(actor).filter(pk__in=linked)
    shown = list(readable.select_related("collection").order_by("date_added", "pk")[:OBJECTS_SHOWN])
    total = through.objects.filter(sourcepoll_id=record.pk).count()
    readable_count = readable.count() if len(shown) == OBJECTS_SHOWN else len(shown)
    return render(
        request,
        "sources/poll_detail.html",
        {
            "poll": record,
            "objects": shown,
            "total": total,
            "hidden": total - readable_count,
            "more": max(0, readable_count - len(shown)),
            "ingest_visible": record.ingest is not None
            and record.ingest.requested_by_id == actor.pk,
        },
    )
