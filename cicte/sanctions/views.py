"""The sanctions lists' pages: the lists, a list (search by name, versions), a version's diff,
an entry (its FtM properties and history), and the exports. Lists are public information:
every signed-in, active person reads them; every read goes through the models' ``visible_to``
(lists, versions, changes, entries); anonymous visitors go to the login page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from cicte.core import audit
from cicte.sanctions import exports, notify
from cicte.sanctions.choices import ChangeKind
from cicte.sanctions.filtersets import name_search
from cicte.sanctions.models import (
    EntityChange,
    ListEntity,
    ListVersion,
    Notification,
    SanctionsList,
)

PAGE_SIZE = 50


def _list(request: HttpRequest, key: str) -> SanctionsList:
    return get_object_or_404(SanctionsList.objects.visible_to(request.user), key=key)


@require_GET
def list_index(request: HttpRequest) -> HttpResponse:
    """Every list with its current entry count, last version and last fetch."""
    lists = list(
        SanctionsList.objects.visible_to(request.user).annotate(
            current=Count("entities", filter=Q(entities__removed_in__isnull=True))
        )
    )
    latest: dict[int, ListVersion] = {}
    for version in (
        ListVersion.objects.visible_to(request.user)
        .filter(sanctions_list__in=lists)
        .order_by("sanctions_list", "-number")
    ):
        latest.setdefault(version.sanctions_list_id, version)
    stats = notify.recent_stats(request.user)
    for item in lists:
        item.latest = latest.get(item.pk)  # type: ignore[attr-defined]
        item.delay_stats = stats.get(item.pk)  # type: ignore[attr-defined]
    return render(
        request, "sanctions/list_index.html", {"lists": lists, "delay_stats": stats[None]}
    )


@require_GET
def list_detail(request: HttpRequest, key: str) -> HttpResponse:
    """A list's current entries, searched by name or alias, and its versions."""
    sanctions_list = _list(request, key)
    query = (request.GET.get("q") or "").strip()
    entries = (
        ListEntity.objects.visible_to(request.user).current().filter(sanctions_list=sanctions_list)
    )
    entries = name_search(entries, query)
    page = Paginator(
        entries.only("ftm_id", "schema", "caption", "source_id").order_by("caption", "pk"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "sanctions/list_detail.html",
        {
            "sanctions_list": sanctions_list,
            "query": query,
            "page_obj": page,
            "rows": page.object_list,
            "list_url": request.path,
            "versions": ListVersion.objects.visible_to(request.user).filter(
                sanctions_list=sanctions_list
            )[:50],
            "formats": exports.FORMATS,
        },
    )


@require_GET
def version_detail(request: HttpRequest, key: str, number: int) -> HttpResponse:
    """A version's diff: entries added, amended (before and after) and removed."""
    sanctions_list = _list(request, key)
    version = get_object_or_404(
        ListVersion.objects.visible_to(request.user), sanctions_list=sanctions_list, number=number
    )
    kind = request.GET.get("kind") or ""
    changes = (
        EntityChange.objects.visible_to(request.user)
        .filter(version=version)
        .select_related("entity")
    )
    if kind in ChangeKind.values:
        changes = changes.filter(kind=kind)
    page = Paginator(changes.order_by("kind", "entity__caption", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "sanctions/version_detail.html",
        {
            "sanctions_list": sanctions_list,
            "version": version,
            "kind": kind,
            "kinds": ChangeKind.choices,
            "page_obj": page,
            "rows": page.object_list,
            "list_url": request.path,
            # Who was told of this version, when, and how fast (the Secretariat and the FIUs see
            # every reporting entity; an organisation its own).
            "notifications": Notification.objects.visible_to(request.user)
            .filter(version=version)
            .select_related("organization", "subscription", "webhook_delivery")
            .order_by("organization__name", "pk"),
        },
    )


def _readable(properties: dict[str, list[str]], schema_name: str) -> list[tuple[str, list[str]]]:
    from followthemoney import model

    schema = model.get(schema_name)
    rows = []
    first = ("name", "alias", "weakAlias", "previousName")
    order = sorted(
        properties, key=lambda p: (first.index(p) if p in first else len(first), p == "notes")
    )
    for prop in order:
        values = properties[prop]
        definition = schema.get(prop) if schema else None
        label = str(definition.label) if definition else prop
        if definition is not None and definition.type.name == "country":
            values = [f"{definition.type.caption(v) or v} ({v})" for v in values]
        rows.append((label, values))
    return rows


@require_GET
def entity_detail(request: HttpRequest, key: str, ftm_id: str) -> HttpResponse:
    """An entry: every FtM property in readable form, its related entities, its history."""
    sanctions_list = _list(request, key)
    entity = get_object_or_404(
        ListEntity.objects.visible_to(request.user).select_related("removed_in", "first_version"),
        sanctions_list=sanctions_list,
        ftm_id=ftm_id,
    )
    related = [
        {
            "id": r["id"],
            "schema": r["schema"],
            "rows": _readable(r.get("properties", {}), r["schema"]),
        }
        for r in entity.related
    ]
    return render(
        request,
        "sanctions/entity_detail.html",
        {
            "sanctions_list": sanctions_list,
            "entity": entity,
            "rows": _readable(entity.properties, entity.schema),
            "related": related,
            "history": EntityChange.objects.visible_to(request.user)
            .filter(entity=entity)
            .select_related("version")
            .order_by("-version__number"),
        },
    )


@require_GET
def list_export(request: HttpRequest, key: str, fmt: str) -> StreamingHttpResponse:
    """The list's current entries as FtM JSON lines, CSV or UN-style XML; audited."""
    sanctions_list = _list(request, key)
    if fmt not in exports.FORMATS:
        raise Http404
    rows = (
        ListEntity.objects.visible_to(request.user)
        .current()
        .filter(sanctions_list=sanctions_list)
        .order_by("source_id", "pk")
    )
    audit.record_export(
        actor=request.user,
        what=f"sanctions.{sanctions_list.key}",
        count=rows.count(),
        filters={"format": fmt},
    )
    content_type, extension = exports.FORMATS[fmt]
    response = StreamingHttpResponse(
        (chunk.encode() for chunk in exports.write(fmt, rows.iterator(chunk_size=500))),
        content_type=content_type,
    )
    response["Content-Disposition"] = (
        f'attachment; filename="sanctions-{sanctions_list.key}.{extension}"'
    )
    return response
