"""The FilterSet of advisories, for the REST API (and the pages, when they take filters).

It filters a queryset that already holds only what the person may see
(:func:`cicte.advisories.views_edit.visible_advisories`): network (slug), severity, status and
TLP (each repeatable), a product, vendor or CVE id, and ``updated_since``.
"""

from __future__ import annotations

import json
from typing import Any

import django_filters
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from cicte.accounts.models import Network
from cicte.advisories.choices import AdvisoryStatus, Severity
from cicte.advisories.models import Advisory
from cicte.core.choices import TLP


def _json_forms(value: str) -> list[str]:
    """``value`` as the stored JSON text may hold it: as written (PostgreSQL's jsonb text, and
    ASCII), and with non-ASCII characters escaped (the JSON text SQLite keeps)."""
    escaped = json.dumps(value)[1:-1]
    return sorted({value, escaped})


class AdvisoryFilterSet(django_filters.FilterSet):
    """Advisories by network, severity, status, TLP, affected product or CVE id, and the time of
    their last change."""

    network = django_filters.ModelMultipleChoiceFilter(
        field_name="network__slug",
        to_field_name="slug",
        queryset=Network.objects.all(),
        label=_("Network"),
    )
    severity = django_filters.MultipleChoiceFilter(
        choices=Severity.choices, label=_("Severity"), distinct=False
    )
    status = django_filters.MultipleChoiceFilter(
        choices=AdvisoryStatus.choices, label=_("Status"), distinct=False
    )
    tlp = django_filters.MultipleChoiceFilter(choices=TLP.choices, label=_("TLP"), distinct=False)
    product = django_filters.CharFilter(
        method="filter_product",
        label=_("Product"),
        help_text=_("A vendor, product or CVE id, in the affected products or the title."),
    )
    cve = django_filters.CharFilter(
        method="filter_cve",
        label=_("CVE id"),
        help_text=_("Advisories naming exactly this CVE id among their affected products."),
    )
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_("Changed since"),
        help_text=_(
            "Advisories created, changed, published or withdrawn at or after this time (ISO 8601)."
        ),
    )

    class Meta:
        model = Advisory
        fields = ["network", "severity", "status", "tlp"]

    @staticmethod
    def _affected_text(queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.annotate(affected_text=Cast("affected", output_field=TextField()))

    def filter_product(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        if not value:
            return queryset
        condition = Q(title__icontains=value)
        for form in _json_forms(value):
            condition |= Q(affected_text__icontains=form)
        return self._affected_text(queryset).filter(condition)

    def filter_cve(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip().upper()
        if not value:
            return queryset
        # The id as a whole JSON string (quotes included): CVE-2026-1234 is not CVE-2026-12345.
        return self._affected_text(queryset).filter(affected_text__icontains=json.dumps(value))
