"""The FilterSet of STIX objects, shared by the intel pages and the REST API.

It filters a queryset that already went through
:meth:`~cicte.intel.models.StixObjectQuerySet.readable_by`; its choices (collections,
organisations) are narrowed to what the requesting person may see, so that naming a hidden
collection answers like naming an absent one. By default only the latest version of each object
is listed (``versions=all`` lists every version).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cicte.accounts.models import Organization
from cicte.core.choices import TLP
from cicte.core.filtersets import YES_NO
from cicte.intel import stix
from cicte.intel.models import REPORTER_HIDDEN, Collection, StixObject

LATEST, ALL = "latest", "all"
VERSION_CHOICES = [(LATEST, _("Latest version only")), (ALL, _("Every version"))]
# The types of STIX 2.1 (domain, relationship, meta and cyber-observable objects) offered in the
# type filter; any other well-formed type (custom x- types) is accepted too.
STIX_TYPES = sorted(
    {
        "attack-pattern",
        "campaign",
        "course-of-action",
        "grouping",
        "identity",
        "incident",
        "indicator",
        "infrastructure",
        "intrusion-set",
        "location",
        "malware",
        "malware-analysis",
        "note",
        "observed-data",
        "opinion",
        "report",
        "threat-actor",
        "tool",
        "vulnerability",
        "relationship",
        "sighting",
        "marking-definition",
        "language-content",
        "extension-definition",
        *stix.SCO_TYPES,
    }
)
TYPE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]$")
# The types searched by indicator value: indicators (their pattern) and observables.
VALUE_TYPES = ("indicator", *sorted(stix.SCO_TYPES))


class TypeField(forms.MultipleChoiceField):
    """STIX types: the standard ones offered, any well-formed type name accepted (custom
    objects); comma-separated values in one parameter are split (``type=indicator,malware``)."""

    def to_python(self, value: Any) -> list[str]:
        values = super().to_python(value)
        return [part.strip() for item in values for part in item.split(",") if part.strip()]

    def valid_value(self, value: Any) -> bool:
        return bool(TYPE_NAME.match(str(value)))


class TypeFilter(django_filters.MultipleChoiceFilter):
    field_class = TypeField


def _json_text(value: str) -> str:
    """``value`` as it appears inside a JSON string of the stored text (quotes and backslashes
    escaped, non-ASCII kept, as the store writes it)."""
    return json.dumps(value, ensure_ascii=False)[1:-1]


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class StixObjectFilterSet(django_filters.FilterSet):
    """STIX objects by collection, type, TLP, author (the STIX ``created_by_ref`` or the
    platform organisation that shared it), date added, revocation, name, and indicator value."""

    q = django_filters.CharFilter(method="filter_name", label=_("Name"))
    value = django_filters.CharFilter(
        method="filter_value",
        label=_("Indicator value"),
        help_text=_("An IP address, domain name, URL or file hash."),
    )
    collection = django_filters.ModelChoiceFilter(
        queryset=Collection.objects.none(), label=_("Collection"), method="filter_collection"
    )
    type = TypeFilter(
        choices=[(name, name) for name in STIX_TYPES], label=_("Type"), distinct=False
    )
    tlp = django_filters.MultipleChoiceFilter(choices=TLP.choices, label=_("TLP"), distinct=False)
    created_by_ref = django_filters.CharFilter(
        label=_("Author (STIX identity)"),
        help_text=_("The identity id in created_by_ref, e.g. identity--…"),
    )
    organization = django_filters.ModelMultipleChoiceFilter(
        field_name="owner_organization",
        to_field_name="slug",
        queryset=Organization.objects.all(),
        label=_("Shared by"),
        method="filter_organizations",
    )
    added_from = django_filters.DateFilter(method="filter_added_from", label=_("Added from"))
    added_to = django_filters.DateFilter(method="filter_added_to", label=_("Added until"))
    revoked = django_filters.BooleanFilter(label=_("Revoked"), widget=forms.Select(choices=YES_NO))
    versions = django_filters.ChoiceFilter(
        choices=VERSION_CHOICES,
        method="filter_versions",
        label=_("Versions"),
        empty_label=None,
        null_label=None,
    )

    class Meta:
        model = StixObject
        fields = ["collection", "type", "tlp", "created_by_ref", "revoked"]

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        # Bound even without parameters, so that the default (latest versions) applies.
        super().__init__({} if data is None else data, *args, **kwargs)
        self.user = getattr(self.request, "user", None)
        if self.user is not None:
            self.filters["collection"].queryset = Collection.objects.readable_by(self.user)
            self.filters["organization"].queryset = Organization.objects.visible_to(self.user)
        queryset: QuerySet[Any] = self.queryset  # type: ignore[has-type]
        self.queryset = queryset.order_by("-date_added", "-pk")

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("versions") != ALL:
            queryset = self.latest_only(queryset)
        return queryset

    def latest_only(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The newest version of each object in each collection, among the versions the person
        may see (a newer version hidden from them does not hide the one they may see)."""
        others = (
            StixObject.objects.readable_by(self.user)
            if self.user is not None
            else StixObject.objects.all()
        )
        newer = others.filter(
            collection_id=OuterRef("collection_id"),
            stix_id=OuterRef("stix_id"),
            version_at__gt=OuterRef("version_at"),
        )
        return queryset.filter(~Exists(newer.order_by()))

    def filter_versions(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset  # applied in filter_queryset, where the default applies too

    def filter_collection(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset.filter(collection_id=value.pk) if value else queryset

    def filter_organizations(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        ids = sorted(item.pk for item in value or [])
        if not ids:
            return queryset
        # Anonymous sightings are never found by who shared them.
        return queryset.filter(owner_organization_id__in=ids).exclude(REPORTER_HIDDEN)

    def filter_added_from(
        self, queryset: QuerySet[Any], name: str, value: dt.date | None
    ) -> QuerySet[Any]:
        return queryset.filter(date_added__gte=_day_start(value)) if value else queryset

    def filter_added_to(
        self, queryset: QuerySet[Any], name: str, value: dt.date | None
    ) -> QuerySet[Any]:
        if not value:
            return queryset
        return queryset.filter(date_added__lt=_day_start(value + dt.timedelta(days=1)))

    def filter_name(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """Objects whose top-level ``name`` contains the text (any case). A first version that
        reads the stored JSON text: a regular expression on the ``"name":"…"`` member (the
        store writes compact JSON), after a cheaper ``icontains`` on the whole text."""
        value = value.strip()
        if not value:
            return queryset
        text = _json_text(value)
        pattern = r'"name":"([^"\\]|\\.)*' + re.escape(text)
        return queryset.filter(raw__icontains=text, raw__iregex=pattern)

    def filter_value(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """Search by indicator value (an IP address, a domain, a URL, a hash): the indicators
        whose pattern contains it and the observables (SCOs) that carry it. A first version, a
        case-insensitive search of the stored JSON text of those types; the retro-hunt (issue
        5) will match patterns and observables properly."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(type__in=VALUE_TYPES, raw__icontains=_json_text(value))
