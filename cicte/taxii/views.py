"""The TAXII 2.1 endpoints (OASIS TAXII 2.1, sections 4 and 5).

API roots: one per network at ``/taxii2/<network-slug>/``, and one for the sharing groups'
collections at ``/taxii2/sharing.groups/`` (a network's slug cannot contain a dot, so the two
never collide). Objects are served as stored: each row's JSON text is spliced into the envelope,
never parsed again. What a user may not read answers 404, as if it did not exist.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from cicte.accounts.models import Network
from cicte.intel import services
from cicte.intel.models import Collection, Ingest, StixObject
from cicte.taxii import query
from cicte.taxii.http import (
    STIX_MEDIA_TYPE,
    TAXII_MEDIA_TYPE,
    TaxiiError,
    bad_request,
    forbidden,
    is_taxii_content,
    not_found,
    taxii_response,
    taxii_view,
)

GROUPS_ROOT = "sharing.groups"


# --- Lookups -----------------------------------------------------------------------------------


def _collections(user: Any, root: str) -> QuerySet[Collection]:
    """The collections of an API root that ``user`` may read."""
    readable = Collection.objects.readable_by(user)
    if root == GROUPS_ROOT:
        return readable.filter(network__isnull=True)
    return readable.filter(network__slug=root, network__is_active=True)


def _collection_pk(collection_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(collection_id)
    except ValueError:
        raise not_found() from None


def _root_lookups(root: str) -> dict[str, Any]:
    """What a collection of this API root is: a sharing group's, or an active network's."""
    if root == GROUPS_ROOT:
        return {"network__isnull": True}
    return {"network__slug": root, "network__is_active": True}


def _collection(user: Any, root: str, collection_id: str) -> Collection:
    pk = _collection_pk(collection_id)
    # One statement for the row and the roles that may read it, compiled once per collection
    # and root (cicte.core.statements), and the read right decided in Python from the user's
    # grants (the same rule as ``Collection.objects.readable_by``, see is_readable_by): every
    # TAXII request comes through here.
    collection = Collection.load_with_read_roles(
        ("taxii.collection", root, pk),
        lambda: Collection.objects.filter(pk=pk, is_active=True, **_root_lookups(root)),
    )
    if collection is None or not collection.is_readable_by(user):
        raise not_found()
    return collection


def _root_url(request: HttpRequest, root: str) -> str:
    return request.build_absolute_uri(f"/taxii2/{root}/")


def _collection_resource(collection: Collection, can_write: bool) -> dict[str, Any]:
    resource: dict[str, Any] = {"id": str(collection.pk), "title": collection.title}
    if collection.description:
        resource["description"] = collection.description
    if collection.alias:
        resource["alias"] = collection.alias
    resource.update(can_read=True, can_write=can_write, media_types=[STIX_MEDIA_TYPE])
    return resource


def _envelope(page: query.Page) -> bytes:
    """The envelope of a page of objects, spliced from each row's stored JSON text."""
    parts = ['{"more":', "true" if page.more else "false"]
    if page.next:
        parts += [',"next":', json.dumps(page.next)]
    parts += [',"objects":[', ",".join(row[2] for row in page.rows), "]}"]
    return "".join(parts).encode()


def _listing(page: query.Page, key: str, items: list[Any]) -> dict[str, Any]:
    resource: dict[str, Any] = {"more": page.more}
    if page.next:
        resource["next"] = page.next
    resource[key] = items
    return resource


def status_resource(ingest: Ingest) -> dict[str, Any]:
    """An ingest as TAXII's status resource (section 4.3.1)."""
    resource: dict[str, Any] = {
        "id": str(ingest.pk),
        "status": ingest.status,
        "request_timestamp": query.timestamp(ingest.requested_at),
        "total_count": ingest.total_count,
        "success_count": ingest.success_count,
        "successes": ingest.successes,
        "failure_count": ingest.failure_count,
        "failures": ingest.failures,
        "pending_count": ingest.pending_count,
    }
    if ingest.pending_count:
        pendings = [
            {"id": obj["id"], "version": obj.get("modified") or obj.get("created") or ""}
            for obj in json.loads(ingest.payload or "[]")
            if isinstance(obj, dict) and isinstance(obj.get("id"), str)
        ]
        if len(pendings) == ingest.pending_count:
            resource["pendings"] = pendings
    return resource


# --- Discovery and API roots -------------------------------------------------------------------


@taxii_view("GET")
def discovery(request: HttpRequest) -> HttpResponse:
    user = request.user
    slugs = (
        Collection.objects.readable_by(user)
        .filter(network__isnull=False, network__is_active=True)
        .order_by("network__slug")
        .values_list("network__slug", flat=True)
        .distinct()
    )
    roots = [_root_url(request, slug) for slug in slugs]
    roots.append(_root_url(request, GROUPS_ROOT))
    resource: dict[str, Any] = {
        "title": _("CICTE Platform TAXII 2.1 server"),
        "description": _(
            "Threat intelligence shared by the national CSIRTs of the Americas, under TLP 2.0. "
            "One API root per network, and one for sharing groups."
        ),
    }
    if settings.TAXII_CONTACT:
        resource["contact"] = settings.TAXII_CONTACT
    resource["default"] = roots[0]
    resource["api_roots"] = roots
    return taxii_response(resource)


@taxii_view("GET")
def api_root(request: HttpRequest, root: str) -> HttpResponse:
    if root == GROUPS_ROOT:
        title = _("Sharing groups")
        description = _("Collections shared by named organisations, outside any network.")
    else:
        network = Network.objects.visible_to(request.user).filter(slug=root, is_active=True).first()
        if network is None:
            raise not_found()
        title, description = network.localized_name, network.description
    resource: dict[str, Any] = {"title": title}
    if description:
        resource["description"] = description
    resource["versions"] = [TAXII_MEDIA_TYPE]
    resource["max_content_length"] = settings.TAXII_MAX_CONTENT_LENGTH
    return taxii_response(resource)


@taxii_view("GET")
def status(request: HttpRequest, root: str, status_id: str) -> HttpResponse:
    try:
        pk = uuid.UUID(status_id)
    except ValueError:
        raise not_found() from None
    user: Any = request.user
    ingests = Ingest.objects.filter(pk=pk, requested_by=user)
    if root == GROUPS_ROOT:
        ingests = ingests.filter(collection__network__isnull=True)
    else:
        ingests = ingests.filter(collection__network__slug=root)
    ingest = ingests.first()
    if ingest is None:
        raise not_found()
    return taxii_response(status_resource(ingest))


# --- Collections -------------------------------------------------------------------------------


@taxii_view("GET")
def collections(request: HttpRequest, root: str) -> HttpResponse:
    user = request.user
    readable = list(_collections(user, root).order_by("title", "pk"))
    writable = set(
        Collection.objects.writable_by(user)
        .filter(pk__in=[c.pk for c in readable])
        .values_list("pk", flat=True)
    )
    items = [_collection_resource(c, c.pk in writable) for c in readable]
    return taxii_response({"collections": items} if items else {})


@taxii_view("GET")
def collection(request: HttpRequest, root: str, collection_id: str) -> HttpResponse:
    user: Any = request.user
    target = _collection(user, root, collection_id)
    return taxii_response(_collection_resource(target, services.may_write(user, target)))


# --- Objects -----------------------------------------------------------------------------------


def _readable(user: Any, target: Collection) -> QuerySet[StixObject]:
    return StixObject.objects.readable_in(user, target)


@taxii_view("GET", "POST")
def objects(request: HttpRequest, root: str, collection_id: str) -> HttpResponse:
    user = request.user
    target = _collection(user, root, collection_id)
    if request.method == "POST":
        return _add_objects(request, target)
    filters = query.parse(request, user, query.OBJECTS)
    page = query.select(query.readable_in(user, target), filters, user, "raw")
    return taxii_response(_envelope(page), headers=page.headers())


def _add_objects(request: HttpRequest, target: Collection) -> HttpResponse:
    user: Any = request.user
    if not services.may_write(user, target):
        raise forbidden(_("You may read this collection but not add objects to it."))
    content_type = request.headers.get("Content-Type", "")
    if not is_taxii_content(content_type):
        raise TaxiiError(
            415,
            _("Unsupported media type"),
            _("Send the envelope as {media_type}.").format(media_type=TAXII_MEDIA_TYPE),
        )
    limit = settings.TAXII_MAX_CONTENT_LENGTH
    too_large = TaxiiError(
        413,
        _("Request too large"),
        _("This API root takes at most {limit} bytes per request.").format(limit=limit),
    )
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        raise bad_request(_("The Content-Length header is not a number.")) from None
    if declared > limit:
        raise too_large
    # Read the stream directly, at most one byte over the limit (request.body would apply
    # Django's form-upload limit instead of the API root's).
    body = request.read(limit + 1)
    if len(body) > limit:
        raise too_large
    try:
        envelope = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise bad_request(_("The request body is not valid JSON.")) from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("objects"), list):
        raise TaxiiError(
            422,
            _("Not a TAXII envelope"),
            _('Send a JSON object whose "objects" member is a list of STIX 2.1 objects.'),
        )
    ingest = services.submit(actor=user, collection=target, objects=envelope["objects"])
    # The worker may already have stored the objects (it runs after the commit).
    ingest.refresh_from_db()
    return taxii_response(status_resource(ingest), status=202)


@taxii_view("GET", "DELETE")
def object_detail(
    request: HttpRequest, root: str, collection_id: str, object_id: str
) -> HttpResponse:
    user: Any = request.user
    target = _collection(user, root, collection_id)
    versions = _readable(user, target).filter(stix_id=object_id)
    if not versions.exists():
        raise not_found()
    if request.method == "DELETE":
        return _delete_object(request, target, object_id, versions)
    filters = query.parse(request, user, query.OBJECT)
    page = query.select(versions, filters, user, "raw")
    return taxii_response(_envelope(page), headers=page.headers())


def _delete_object(
    request: HttpRequest, target: Collection, object_id: str, versions: QuerySet[StixObject]
) -> HttpResponse:
    user: Any = request.user
    if not services.may_write(user, target):
        raise forbidden(_("You may read this collection but not delete objects from it."))
    filters = query.parse(request, user, query.DELETE, default_version="all")
    chosen = list(query.apply(versions, filters, user).values_list("pk", "owner_organization_id"))
    if not chosen:
        raise not_found(_("No version of this object matches the filters."))
    if any(owner != user.organization_id for _pk, owner in chosen):
        # All or nothing: a request that names others' versions deletes none.
        raise forbidden(_("You may delete only the versions your organisation added."))
    services.delete_versions(
        actor=user, collection=target, stix_id=object_id, versions=[pk for pk, _o in chosen]
    )
    return taxii_response(None)


@taxii_view("GET")
def versions(request: HttpRequest, root: str, collection_id: str, object_id: str) -> HttpResponse:
    user = request.user
    target = _collection(user, root, collection_id)
    readable = _readable(user, target).filter(stix_id=object_id)
    if not readable.exists():
        raise not_found()
    filters = query.parse(request, user, query.VERSIONS)
    page = query.page(query.apply(readable, filters, user), filters, "version")
    items = [row[2] for row in page.rows]
    return taxii_response(_listing(page, "versions", items), headers=page.headers())


@taxii_view("GET")
def manifest(request: HttpRequest, root: str, collection_id: str) -> HttpResponse:
    user = request.user
    target = _collection(user, root, collection_id)
    filters = query.parse(request, user, query.OBJECTS)
    page = query.select(query.readable_in(user, target), filters, user, "stix_id", "version")
    items = [
        {
            "id": stix_id,
            "date_added": query.timestamp(added),
            "version": version,
            "media_type": STIX_MEDIA_TYPE,
        }
        for _pk, added, stix_id, version in page.rows
    ]
    return taxii_response(_listing(page, "objects", items), headers=page.headers())


@taxii_view("GET", "POST", "DELETE")
def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other address under /taxii2/: TAXII's 404 (after authentication)."""
    raise not_found()
