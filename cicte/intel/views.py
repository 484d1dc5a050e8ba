"""The intel pages: collections, a collection's objects (filtered like the REST API), an object's
page (its versions, relationships, the reports that cite it, its JSON), the search by indicator
value, and the upload of a bundle with the status of its ingest.

Reads go through :meth:`StixObject.objects.readable_by` and :meth:`Collection.objects.readable_by`:
what a signed-in person may not read answers 404, like what does not exist. Every look at an
object's page is an audit event. Uploads go through :func:`cicte.intel.services.submit`; the
ingest's page is its requester's alone.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from typing import Any, cast

import django_filters
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cicte.accounts import permissions
from cicte.accounts.models import User
from cicte.accounts.views.manage import FilteredListView
from cicte.core import audit
from cicte.core.pagination import KeysFirstPaginator
from cicte.intel import services
from cicte.intel.choices import IngestStatus
from cicte.intel.filtersets import StixObjectFilterSet
from cicte.intel.forms import BundleUploadForm, CollectionForm, RecipientsForm
from cicte.intel.models import Collection, Ingest, StixObject

PAGE_SIZE = 50
# An object page lists at most this many relationships, citing reports and report contents.
RELATED_LIMIT = 500
# An ingest's page lists at most this many successes (every failure is listed).
SUCCESSES_SHOWN = 500
POLL_SECONDS = 2
REPORT_TYPES = ("report", "grouping")


def _actor(request: HttpRequest) -> User:
    # LoginRequiredMiddleware lets only signed-in people reach these views.
    return cast(User, request.user)


def _readable_collection(actor: User, pk: Any) -> Collection:
    return get_object_or_404(Collection.objects.readable_by(actor).select_related("network"), pk=pk)


def _name_of(data: dict[str, Any]) -> str:
    """What to call an object: its name, else its value (observables), else its id."""
    for key in ("name", "value", "relationship_type"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
    return str(data.get("id", ""))


def _safe_url(url: Any) -> str:
    """A link only for http(s) addresses: the JSON comes from other organisations."""
    if isinstance(url, str) and url.lower().startswith(("https://", "http://")):
        return url
    return ""


def _names(actor: User, stix_ids: set[str]) -> dict[str, dict[str, Any]]:
    """The newest readable version of each of ``stix_ids``: its name, type and collection."""
    found: dict[str, dict[str, Any]] = {}
    if not stix_ids:
        return found
    rows = (
        StixObject.objects.readable_by(actor)
        .filter(stix_id__in=sorted(stix_ids)[:RELATED_LIMIT])
        .order_by("stix_id", "-version_at", "-date_added")
        .values_list("stix_id", "type", "collection_id", "raw")
    )
    for stix_id, kind, collection_id, raw in rows:
        if stix_id not in found:
            found[stix_id] = {
                "name": _name_of(json.loads(raw)),
                "type": kind,
                "collection": collection_id,
            }
    return found


def _newest_by_id(rows: list[StixObject]) -> list[StixObject]:
    """One version per object (and collection): the newest of those given."""
    newest: dict[tuple[Any, str], StixObject] = {}
    for row in rows:
        key = (row.collection_id, row.stix_id)
        if key not in newest or row.version_at > newest[key].version_at:
            newest[key] = row
    return list(newest.values())


# --- Collections -------------------------------------------------------------------------------


@require_GET
def collection_list(request: HttpRequest) -> HttpResponse:
    """The collections the person may read, with how many objects of each they see."""
    actor = _actor(request)
    collections = list(
        Collection.objects.readable_by(actor)
        .select_related("network")
        .prefetch_related("organizations")
    )
    counts = dict(
        StixObject.objects.readable_by(actor)
        .order_by()
        .values_list("collection_id")
        .annotate(count=Count("stix_id", distinct=True))
    )
    writable = set(Collection.objects.writable_by(actor).values_list("pk", flat=True))
    for collection in collections:
        collection.object_count = counts.get(collection.pk, 0)  # type: ignore[attr-defined]
        collection.may_write = collection.pk in writable  # type: ignore[attr-defined]
    return render(
        request,
        "intel/collection_list.html",
        {"collections": collections, "may_upload": bool(writable)},
    )


class _ObjectListView(FilteredListView):
    """A filtered list of STIX objects (keys first, then the rows, as the directory's search)."""

    filterset_class = StixObjectFilterSet
    paginator_class = KeysFirstPaginator
    paginate_by = PAGE_SIZE
    hidden_filters: tuple[str, ...] = ()

    def objects(self, actor: User) -> QuerySet[StixObject]:
        return StixObject.objects.readable_by(actor).select_related(
            "collection", "owner_organization"
        )

    def prepare_filterset(self, filterset: django_filters.FilterSet, actor: User) -> None:
        for name in self.hidden_filters:
            filterset.filters.pop(name, None)

    def decorate(self, rows: list[Any], actor: User) -> None:
        for row in rows:
            row.name = _name_of(row.data)


class CollectionObjectListView(_ObjectListView):
    """A collection's objects, with the filters of the REST API."""

    template_name = "intel/collection_detail.html"
    results_template_name = "intel/_object_results.html"
    hidden_filters = ("collection",)

    def check(self, actor: User) -> None:
        self.collection = _readable_collection(actor, self.kwargs["pk"])

    def get_queryset(self, actor: User) -> QuerySet[StixObject]:
        return self.objects(actor).filter(collection_id=self.collection.pk)

    def get_context(self, actor: User) -> dict[str, Any]:
        return {
            "collection": self.collection,
            "may_write": services.may_write(actor, self.collection),
            "show_collection": False,
        }


class SearchView(_ObjectListView):
    """Search by indicator value across the collections the person may read."""

    template_name = "intel/search.html"
    results_template_name = "intel/_object_results.html"
    hidden_filters = ("q", "created_by_ref", "organization", "added_from", "added_to", "revoked")

    def get_queryset(self, actor: User) -> QuerySet[StixObject]:
        if not self.request.GET.get("value", "").strip():
            return StixObject.objects.none()
        return self.objects(actor)

    def prepare_filterset(self, filterset: django_filters.FilterSet, actor: User) -> None:
        super().prepare_filterset(filterset, actor)
        # The value first: it is what this page is for.
        order = ["value", *(name for name in filterset.filters if name != "value")]
        filterset.filters = {name: filterset.filters[name] for name in order}

    def get_context(self, actor: User) -> dict[str, Any]:
        return {
            "show_collection": True,
            "searched": bool(self.request.GET.get("value", "").strip()),
        }


# --- One object --------------------------------------------------------------------------------


CODE_PROPERTIES = frozenset({"pattern", "value"})


def _properties(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The key properties shown at the top of an object's page, labelled."""
    labels = [
        ("name", _("Name")),
        ("value", _("Value")),
        ("description", _("Description")),
        ("relationship_type", _("Relationship type")),
        ("pattern", _("Pattern")),
        ("pattern_type", _("Pattern type")),
        ("valid_from", _("Valid from")),
        ("valid_until", _("Valid until")),
        ("first_seen", _("First seen")),
        ("last_seen", _("Last seen")),
        ("published", _("Published")),
        ("created", _("Created")),
        ("modified", _("Modified")),
    ]
    rows: list[dict[str, Any]] = []
    for key, label in labels:
        value = data.get(key)
        if isinstance(value, str | int | float) and value != "":
            rows.append({"label": label, "value": value, "code": key in CODE_PROPERTIES})
    for key, label in (
        ("labels", _("Labels")),
        ("aliases", _("Aliases")),
        ("indicator_types", _("Indicator types")),
        ("malware_types", _("Malware types")),
        ("report_types", _("Report types")),
    ):
        value = data.get(key)
        if isinstance(value, list) and value:
            text = ", ".join(str(item) for item in value)
            rows.append({"label": label, "value": text, "code": False})
    return rows


def _references(data: dict[str, Any]) -> list[dict[str, str]]:
    references = []
    for item in data.get("external_references") or []:
        if not isinstance(item, dict):
            continue
        references.append(
            {
                "source_name": str(item.get("source_name", "")),
                "external_id": str(item.get("external_id", "")),
                "description": str(item.get("description", "")),
                "url": str(item.get("url", "")),
                "link": _safe_url(item.get("url")),
            }
        )
    return references


def _relationships(actor: User, stix_id: str) -> list[dict[str, Any]]:
    """The relationships the person may read whose source or target is ``stix_id``."""
    quoted = json.dumps(stix_id)
    candidates = list(
        StixObject.objects.readable_by(actor)
        .filter(type="relationship", raw__contains=quoted)
        .order_by("-date_added")[: RELATED_LIMIT * 2]
    )
    rows = []
    for row in _newest_by_id(candidates):
        data = row.data
        source, target = data.get("source_ref"), data.get("target_ref")
        if stix_id not in (source, target):
            continue
        rows.append(
            {
                "object": row,
                "relationship_type": str(data.get("relationship_type", "")),
                "outgoing": source == stix_id,
                "other": str(target if source == stix_id else source),
            }
        )
    rows.sort(key=lambda item: (item["relationship_type"], item["other"]))
    return rows[:RELATED_LIMIT]


def _citing_reports(actor: User, stix_id: str) -> list[dict[str, Any]]:
    """The reports (and groupings) the person may read that list ``stix_id`` in object_refs."""
    candidates = list(
        StixObject.objects.readable_by(actor)
        .filter(type__in=REPORT_TYPES, raw__contains=json.dumps(stix_id))
        .order_by("-date_added")[:RELATED_LIMIT]
    )
    reports: list[dict[str, Any]] = []
    for row in _newest_by_id(candidates):
        data = row.data
        if stix_id in (data.get("object_refs") or []):
            reports.append({"object": row, "name": _name_of(data)})
    reports.sort(key=lambda item: item["name"].casefold())
    return reports


@require_GET
def object_detail(request: HttpRequest, stix_id: str) -> HttpResponse:
    """An object's page: every version the person may read (newest first), the chosen one's
    properties, TLP, relationships, citing reports and JSON. Each look is an audit event."""
    actor = _actor(request)
    versions_qs = (
        StixObject.objects.readable_by(actor)
        .filter(stix_id=stix_id)
        .select_related("collection", "owner_organization")
        .order_by("-version_at", "-date_added")
    )
    collection = None
    wanted_collection = request.GET.get("collection", "")
    if wanted_collection:
        try:
            collection_id = uuid.UUID(wanted_collection)
        except ValueError as exc:
            raise Http404 from exc
        versions_qs = versions_qs.filter(collection_id=collection_id)
    versions = list(versions_qs)
    if not versions:
        raise Http404
    if wanted_collection:
        collection = versions[0].collection
    current = versions[0]
    wanted_version = request.GET.get("version", "")
    if wanted_version:
        chosen = [v for v in versions if str(v.pk) == wanted_version]
        if not chosen:
            raise Http404
        current = chosen[0]
    audit.record_view(actor=actor, obj=current)
    data = current.data
    relationships = _relationships(actor, stix_id)
    reports = _citing_reports(actor, stix_id)
    contents: list[str] = []
    if current.type in REPORT_TYPES:
        refs = data.get("object_refs") or []
        contents = [str(ref) for ref in refs if isinstance(ref, str)][:RELATED_LIMIT]
    ends = []
    if current.type == "relationship":
        ends = [
            {"label": label, "id": data[key]}
            for key, label in (("source_ref", _("Source")), ("target_ref", _("Target")))
            if isinstance(data.get(key), str)
        ]
    names = _names(
        actor,
        {item["other"] for item in relationships}
        | set(contents)
        | {end["id"] for end in ends}
        | ({current.created_by_ref} if current.created_by_ref else set()),
    )
    for end in ends:
        end["name"] = names.get(end["id"], {}).get("name")
    for item in relationships:
        item["other_name"] = names.get(item["other"], {}).get("name")
    return render(
        request,
        "intel/object_detail.html",
        {
            "current": current,
            "name": _name_of(data),
            "data": data,
            "versions": versions,
            "collection": collection,
            "properties": _properties(data),
            "references": _references(data),
            "author_name": names.get(current.created_by_ref, {}).get("name"),
            "relationships": relationships,
            "ends": ends,
            "reports": reports,
            "contents": [{"id": ref, "name": names.get(ref, {}).get("name")} for ref in contents],
            "pretty": json.dumps(data, indent=2, ensure_ascii=False),
            **_recipients_context(actor, current),
        },
    )


def _recipients_context(actor: User, current: StixObject, form: Any = None) -> dict[str, Any]:
    """For the author of a TLP:RED version: whom it reaches, and a form to name more."""
    if current.tlp != "red" or current.created_by_id != actor.pk:
        return {}
    return {
        "recipients": services.recipients(current),
        "recipients_form": form or RecipientsForm(),
    }


@require_POST
def name_recipients(request: HttpRequest, pk: int) -> HttpResponse:
    """Name the people a TLP:RED object reaches (its author only; others get 404 or 403)."""
    actor = _actor(request)
    version = get_object_or_404(
        StixObject.objects.readable_by(actor).select_related("collection"), pk=pk
    )
    form = RecipientsForm(request.POST)
    if form.is_valid():
        try:
            people = services.name_recipients(
                actor=actor, version=version, usernames=form.cleaned_data["usernames"]
            )
        except ValidationError as exc:
            form.add_error("usernames", exc)
        else:
            messages.success(
                request,
                _("This object now also reaches {names}.").format(
                    names=", ".join(person.get_username() for person in people)
                ),
            )
            return redirect(
                f"{reverse('intel:object_detail', args=[version.stix_id])}"
                f"?collection={version.collection_id}&version={version.pk}"
            )
    messages.error(request, " ".join(str(e) for e in form.errors.get("usernames", [])))
    return redirect(
        f"{reverse('intel:object_detail', args=[version.stix_id])}"
        f"?collection={version.collection_id}&version={version.pk}"
    )


# --- Upload and ingests ------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Upload a STIX bundle (a file or pasted JSON) to a collection the person may write to; its
    objects are validated and stored in the background, and its page shows the outcome."""
    actor = _actor(request)
    initial = {}
    wanted = request.GET.get("collection", "")
    if wanted:
        with contextlib.suppress(ValueError):
            initial["collection"] = uuid.UUID(wanted)
    form = BundleUploadForm(
        request.POST or None, request.FILES or None, actor=actor, initial=initial
    )
    has_choices = form.fields["collection"].queryset.exists()  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        # The form offers only writable collections; the service checks again (403).
        ingest = services.submit(
            actor=actor, collection=form.cleaned_data["collection"], objects=form.objects
        )
        messages.success(
            request,
            _("{count} objects received: they are being validated and stored.").format(
                count=len(form.objects)
            ),
        )
        return redirect("intel:ingest_detail", pk=ingest.pk)
    return render(request, "intel/upload.html", {"form": form, "has_choices": has_choices})


@require_GET
def ingest_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    """The outcome of an upload, for the person who made it: what was stored, what was refused
    and why. While the worker is busy, htmx brings the page up to date."""
    actor = _actor(request)
    ingest = get_object_or_404(
        Ingest.objects.select_related("collection"), pk=pk, requested_by=actor
    )
    pending = ingest.status == IngestStatus.PENDING
    context = {
        "ingest": ingest,
        "pending": pending,
        "poll_seconds": POLL_SECONDS,
        "successes": ingest.successes[:SUCCESSES_SHOWN],
        "more_successes": max(0, len(ingest.successes) - SUCCESSES_SHOWN),
    }
    htmx = getattr(request, "htmx", None)
    template = (
        "intel/_ingest_live.html" if htmx and not htmx.boosted else "intel/ingest_detail.html"
    )
    return render(request, template, context)


# --- Managing collections (the Secretariat) ------------------------------------------------------


def _manager(request: HttpRequest) -> User:
    actor = _actor(request)
    if not permissions.has_global_perm(actor, services.MANAGE):
        raise PermissionDenied
    return actor


@require_GET
def collection_manage(request: HttpRequest) -> HttpResponse:
    """Every collection, its network or sharing group and its rights (metadata only: managing
    collections shows no object)."""
    _manager(request)
    collections = (
        Collection.objects.select_related("network")
        .prefetch_related("organizations", "read_roles", "write_roles")
        .order_by("network__slug", "title")
    )
    return render(request, "intel/collection_manage.html", {"collections": collections})


@require_http_methods(["GET", "HEAD", "POST"])
def collection_edit(request: HttpRequest, pk: Any = None) -> HttpResponse:
    """Create a collection, or change one."""
    actor = _manager(request)
    instance = get_object_or_404(Collection, pk=pk) if pk else None
    form = CollectionForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {name: data[name] for name in ("title", "alias", "description", "default_tlp")}
        read_roles = [role.slug for role in data["read_roles"]]
        write_roles = [role.slug for role in data["write_roles"]]
        try:
            if instance is None:
                collection = services.create_collection(
                    actor=actor,
                    network=data["network"],
                    organizations=list(data["organizations"]),
                    read_roles=read_roles,
                    write_roles=write_roles,
                    **values,
                )
                if not data["is_active"]:
                    services.update_collection(actor=actor, collection=collection, is_active=False)
            else:
                # The form has already copied its values onto ``instance``: the service
                # compares them with the stored collection.
                collection = services.update_collection(
                    actor=actor,
                    collection=Collection.objects.get(pk=instance.pk),
                    organizations=list(data["organizations"]),
                    is_active=data["is_active"],
                    read_roles=read_roles,
                    write_roles=write_roles,
                    **values,
                )
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Collection “{title}” saved.").format(title=collection.title)
            )
            return redirect("intel:collection_manage")
    return render(request, "intel/collection_form.html", {"form": form, "collection": instance})


# --- Public TLP:CLEAR intelligence (no account needed) ----------------------------------------


def _public() -> QuerySet[StixObject]:
    """TLP:CLEAR versions of active collections: what anyone may read, signed in or not
    (``visible_to`` of an anonymous visitor). TAXII still requires authentication."""
    return StixObject.objects.visible_to(None).leaving_platform().filter(collection__is_active=True)


@login_not_required
@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    """TLP:CLEAR intelligence, newest first, by type."""
    queryset = _public().order_by("-date_added", "-pk")
    kind = request.GET.get("type", "").strip()
    if kind:
        queryset = queryset.filter(type=kind)
    page = Paginator(queryset.values("pk", "stix_id", "type", "date_added", "raw"), 50).get_page(
        request.GET.get("page")
    )
    rows = [{**row, "name": _name_of(json.loads(row["raw"]))} for row in page.object_list]
    types = sorted(set(_public().order_by().values_list("type", flat=True).distinct()))
    return render(
        request,
        "intel/public_list.html",
        {"rows": rows, "page_obj": page, "types": types, "kind": kind},
    )


@login_not_required
@require_GET
def public_detail(request: HttpRequest, stix_id: str) -> HttpResponse:
    """The newest TLP:CLEAR version of an object (404 when it has none)."""
    current = _public().filter(stix_id=stix_id).order_by("-version_at", "-date_added").first()
    if current is None:
        raise Http404
    data = current.data
    return render(
        request,
        "intel/public_detail.html",
        {
            "current": current,
            "name": _name_of(data),
            "properties": _properties(data),
            "references": _references(data),
            "pretty": json.dumps(data, indent=2, ensure_ascii=False),
        },
    )


@login_not_required
@require_GET
def public_feed(request: HttpRequest) -> HttpResponse:
    """The newest TLP:CLEAR versions as one STIX 2.1 bundle, for machines without an account."""
    size = getattr(settings, "INTEL_PUBLIC_FEED_SIZE", 1000)
    raws = list(_public().order_by("-date_added", "-pk").values_list("raw", flat=True)[:size])
    body = (
        '{"type":"bundle","id":"bundle--'
        + str(uuid.uuid4())
        + '","objects":['
        + ",".join(raws)
        + "]}"
    )
    response = HttpResponse(body, content_type="application/stix+json;version=2.1")
    response["Cache-Control"] = "public, max-age=300"
    return response
