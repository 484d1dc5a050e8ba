"""The FilterSets of the designations, shared by the pages and the REST API. They filter
querysets that already went through ``visible_to``."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cicte.designations.choices import (
    ActionKind,
    ActionStatus,
    DesignationStatus,
    FreezeStatus,
    SubjectKind,
)
from cicte.designations.models import Action, Designation


class DesignationFilterSet(django_filters.FilterSet):
    """Designations by name or reference, status, kind and freeze."""

    q = django_filters.CharFilter(method="search", label=_("Name or reference"))
    status = django_filters.ChoiceFilter(choices=DesignationStatus.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=SubjectKind.choices, label=_("Kind"))
    freeze_status = django_filters.ChoiceFilter(
        choices=[c for c in FreezeStatus.choices if c[0]], label=_("Freeze")
    )

    class Meta:
        model = Designation
        fields = ["q", "status", "kind", "freeze_status"]

    def search(
        self, queryset: QuerySet[Designation], name: str, value: str
    ) -> QuerySet[Designation]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(reference__iexact=value))


class ActionFilterSet(django_filters.FilterSet):
    """Actions by kind and status."""

    kind = django_filters.ChoiceFilter(choices=ActionKind.choices, label=_("Action"))
    status = django_filters.ChoiceFilter(choices=ActionStatus.choices, label=_("Status"))

    class Meta:
        model = Action
        fields = ["kind", "status"]
