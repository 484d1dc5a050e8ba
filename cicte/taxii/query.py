"""TAXII's filters (added_after, limit, next, match[...]) over the STIX store, and its
pagination: an opaque, signed, stateless ``next`` token.

The token carries the position of the last row served (its ``date_added`` and primary key) and
a digest of the user, the endpoint and the filters; it is signed with Django's signing (its own
salt) and expires after ``TAXII_NEXT_MAX_AGE`` seconds. ``date_added`` only increases within a
collection (:func:`cicte.intel.services.store` serialises writes per collection), so a client
that pages by position sees every version exactly once, whatever is posted meanwhile.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from cicte.core import statements
from cicte.core.sharing import rule_key
from cicte.intel import stix
from cicte.intel.models import Collection, StixObject
from cicte.taxii.http import bad_request

NEXT_SALT = "cicte.taxii.next"
VERSION_KEYWORDS = ("first", "last", "all")
# The filters each kind of endpoint takes (others are ignored, as TAXII asks of unknown ones).
OBJECTS = ("added_after", "limit", "next", "id", "type", "version", "spec_version")
OBJECT = ("added_after", "limit", "next", "version", "spec_version")
VERSIONS = ("added_after", "limit", "next", "spec_version")
DELETE = ("version", "spec_version")


@dataclass
class Filters:
    added_after: dt.datetime | None = None
    limit: int = 100
    ids: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    spec_versions: list[str] = field(default_factory=list)
    after: tuple[dt.datetime, int] | None = None
    digest: str = ""


def timestamp(value: dt.datetime) -> str:
    """A date_added as TAXII writes it: UTC, microseconds, ``Z``."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _values(request: HttpRequest, name: str) -> list[str]:
    raw = request.GET.getlist(name)
    return [item.strip() for value in raw for item in value.split(",") if item.strip()]


def _timestamp(value: str, name: str) -> dt.datetime:
    try:
        return stix.parse_timestamp(value)
    except (ValueError, AttributeError) as exc:
        raise bad_request(
            _("{name}: {value} is not a timestamp such as 2026-01-31T12:00:00.000Z.").format(
                name=name, value=value
            )
        ) from exc


def _digest(request: HttpRequest, user: Any) -> str:
    """What a ``next`` token is bound to: the user, the endpoint, the filters (not the limit)."""
    params = sorted(
        (key, value)
        for key in request.GET
        if key not in ("next", "limit")
        for value in request.GET.getlist(key)
    )
    text = json.dumps([user.pk, request.path, params], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def parse(
    request: HttpRequest, user: Any, allowed: tuple[str, ...], default_version: str = "last"
) -> Filters:
    """The filters of a request, or a TAXII 400 naming the first bad one."""
    filters = Filters(digest=_digest(request, user))
    if "added_after" in allowed and request.GET.get("added_after"):
        filters.added_after = _timestamp(request.GET["added_after"].strip(), "added_after")
    if "limit" in allowed:
        filters.limit = min(settings.TAXII_PAGE_SIZE, settings.TAXII_MAX_PAGE_SIZE)
        if request.GET.get("limit"):
            text = request.GET["limit"].strip()
            if not text.isdigit() or int(text) < 1:
                raise bad_request(
                    _("limit must be a whole number of at least 1, not {value}.").format(value=text)
                )
            filters.limit = min(int(text), settings.TAXII_MAX_PAGE_SIZE)
    if "id" in allowed:
        filters.ids = _values(request, "match[id]")
    if "type" in allowed:
        filters.types = _values(request, "match[type]")
    if "spec_version" in allowed:
        filters.spec_versions = _values(request, "match[spec_version]")
    if "version" in allowed:
        filters.versions = _values(request, "match[version]") or [default_version]
        for value in filters.versions:
            if value not in VERSION_KEYWORDS:
                _timestamp(value, "match[version]")
    if "next" in allowed and request.GET.get("next"):
        filters.after = _position(request.GET["next"].strip(), filters.digest)
    return filters


def _position(token: str, digest: str) -> tuple[dt.datetime, int]:
    try:
        data = signing.loads(token, salt=NEXT_SALT, max_age=settings.TAXII_NEXT_MAX_AGE)
        added, pk, bound_to = data
        position = (dt.datetime.fromisoformat(added), int(pk))
    except signing.SignatureExpired as exc:
        raise bad_request(
            _("This next token has expired: start again from the first page.")
        ) from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise bad_request(_("This next token is not one this server issued.")) from exc
    if bound_to != digest:
        raise bad_request(
            _("This next token belongs to another request: send it with the same filters.")
        )
    return position


def next_token(position: tuple[dt.datetime, int], filters: Filters) -> str:
    added, pk = position
    return signing.dumps([added.isoformat(), pk, filters.digest], salt=NEXT_SALT, compress=True)


def _version_condition(user: Any, versions: list[str]) -> Q | None:
    """match[version]: ``first`` and ``last`` are the earliest and latest versions of each
    object *among those the user may see* (a hidden later version changes nothing, and is not
    revealed by it); timestamps select versions by their time."""
    if not versions or "all" in versions:
        return None
    # The outer rows are already readable (right to read their collection checked); for the
    # sibling versions of the same collection, TLP is what remains to check.
    siblings = StixObject.objects.visible_to(user).filter(
        collection_id=OuterRef("collection_id"), stix_id=OuterRef("stix_id")
    )
    condition: Any = Q(pk__in=[])
    for keyword, later in (("last", "gt"), ("first", "lt")):
        if keyword in versions:
            beyond = Q(**{f"version_at__{later}": OuterRef("version_at")}) | Q(
                version_at=OuterRef("version_at"),
                **{f"date_added__{later}": OuterRef("date_added")},
            )
            condition |= ~Exists(siblings.filter(beyond))
    times = [stix.parse_timestamp(v) for v in versions if v not in VERSION_KEYWORDS]
    if times:
        condition |= Q(version_at__in=times)
    return condition


def _narrow(
    queryset: QuerySet[StixObject], filters: Filters, added_after: dt.datetime | None
) -> QuerySet[StixObject]:
    """The filters other than match[version] (``added_after`` given apart: a statement's slot)."""
    if added_after is not None:
        queryset = queryset.filter(date_added__gt=added_after)
    if filters.ids:
        queryset = queryset.filter(stix_id__in=filters.ids)
    if filters.types:
        queryset = queryset.filter(type__in=filters.types)
    if filters.spec_versions:
        queryset = queryset.filter(spec_version__in=filters.spec_versions)
    return queryset


def _apply(
    queryset: QuerySet[StixObject], filters: Filters, user: Any, added_after: dt.datetime | None
) -> QuerySet[StixObject]:
    queryset = _narrow(queryset, filters, added_after)
    condition = _version_condition(user, filters.versions)
    if condition is not None:
        queryset = queryset.filter(condition)
    return queryset


def apply(queryset: QuerySet[StixObject], filters: Filters, user: Any) -> QuerySet[StixObject]:
    """``queryset`` (readable versions) narrowed by the filters; several values of one filter
    are ORed, different filters ANDed."""
    return _apply(queryset, filters, user, filters.added_after)


@dataclass
class Page:
    rows: list[tuple[Any, ...]]
    more: bool
    next: str | None

    def headers(self, added_index: int = 1) -> dict[str, str]:
        if not self.rows:
            return {}
        return {
            "X-TAXII-Date-Added-First": timestamp(self.rows[0][added_index]),
            "X-TAXII-Date-Added-Last": timestamp(self.rows[-1][added_index]),
        }


@dataclass(frozen=True)
class Source:
    """The readable versions a page is read from: a queryset, built on demand, and the key that
    names its SQL when it may be compiled once and run again (:mod:`cicte.core.statements`);
    without a key, it is built and compiled on every request."""

    build: Callable[[], QuerySet[StixObject]]
    key: Hashable | None = None


def readable_in(user: Any, collection: Collection) -> Source:
    """``StixObject.objects.readable_in(user, collection)`` as a source. Its key holds all that
    the queryset reads of the user (the visibility rule's part, and the collection's read right,
    decided again on every request) and the collection."""
    key = (
        "taxii.readable_in",
        rule_key(user),
        collection.pk,
        collection.is_readable_by(user),
    )
    return Source(build=lambda: StixObject.objects.readable_in(user, collection), key=key)


def _source(source: Source | QuerySet[StixObject]) -> Source:
    if isinstance(source, Source):
        return source
    return Source(build=lambda: source)


Refine = Callable[[QuerySet[StixObject], dt.datetime | None], QuerySet[StixObject]]


def _rows(
    source: Source, filters: Filters, kind: str, refine: Refine, *fields: str
) -> list[tuple[Any, ...]]:
    """The first limit + 1 rows after the position, sorted by date_added: ``refine`` (the
    filters, given ``added_after``) over the source."""

    def statement(added_after: dt.datetime | None, after: dt.datetime | None) -> QuerySet[Any]:
        queryset = refine(source.build(), added_after)
        if after is not None:
            # date_added is unique within a collection (a constraint), and every page lies in
            # one collection: the position's date alone is enough, and keeps to the index.
            queryset = queryset.filter(date_added__gt=after)
        return queryset.order_by("date_added", "pk").values_list("pk", "date_added", *fields)[
            : filters.limit + 1
        ]

    after = filters.after[0] if filters.after is not None else None
    if source.key is None:
        return list(statement(filters.added_after, after))
    key = (
        source.key,
        kind,
        fields,
        tuple(filters.ids),
        tuple(filters.types),
        tuple(filters.spec_versions),
        tuple(filters.versions),
        filters.limit,
    )
    # Plain columns (ids, timestamps, the objects' JSON as text, flags): binary on PostgreSQL.
    return statements.rows(key, statement, filters.added_after, after, binary=True)


def page(source: Source | QuerySet[StixObject], filters: Filters, *fields: str) -> Page:
    """One page of ``source`` as it is (the filters other than the position and the limit
    already applied), sorted by date_added: rows of (pk, date_added, *fields), plain values."""
    return _page(_rows(_source(source), filters, "page", lambda qs, _added: qs, *fields), filters)


def select(
    source: Source | QuerySet[StixObject], filters: Filters, user: Any, *fields: str
) -> Page:
    """``page(apply(source, filters, user), filters, *fields)``, the same rows, faster for a
    lone ``first`` or ``last`` (``last`` is the default of Get Objects).

    A version with no later version *at all* in its collection is the latest of those the user
    may see (it is one of them: the rows are readable), whatever the TLP of the others; so a
    first statement reads the page without the version filter, noting for each row whether any
    later (earlier) version exists, which needs no visibility rule. If no row of it has one, the
    version filter would have removed none of them: that is the page. Otherwise the page is
    read again with the exact filter (latest among the *visible* versions), as ``apply`` does.
    """
    source = _source(source)

    def exact(queryset: QuerySet[StixObject], added_after: dt.datetime | None) -> Any:
        return _apply(queryset, filters, user, added_after)

    keyword = filters.versions[0] if len(filters.versions) == 1 else ""
    if keyword not in ("first", "last"):
        return _page(_rows(source, filters, "apply", exact, *fields), filters)
    later = "gt" if keyword == "last" else "lt"

    def flagged(queryset: QuerySet[StixObject], added_after: dt.datetime | None) -> Any:
        beyond = StixObject.objects.filter(
            Q(**{f"version_at__{later}": OuterRef("version_at")})
            | Q(
                version_at=OuterRef("version_at"),
                **{f"date_added__{later}": OuterRef("date_added")},
            ),
            collection_id=OuterRef("collection_id"),
            stix_id=OuterRef("stix_id"),
        )
        return _narrow(queryset, filters, added_after).annotate(has_beyond=Exists(beyond))

    rows = _rows(source, filters, "flagged", flagged, *fields, "has_beyond")
    if any(row[-1] for row in rows):
        return _page(_rows(source, filters, "apply", exact, *fields), filters)
    return _page([row[:-1] for row in rows], filters)


def _page(rows: list[tuple[Any, ...]], filters: Filters) -> Page:
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    token = next_token((rows[-1][1], rows[-1][0]), filters) if more else None
    return Page(rows=rows, more=more, next=token)
