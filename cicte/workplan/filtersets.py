"""The FilterSets of the work plan, shared by the pages and the REST API. They filter querysets
that already went through ``visible_to``."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cicte.accounts.models import MemberState, Network
from cicte.workplan.choices import EventKind, Modality, RequestStatus
from cicte.workplan.models import AssistanceRequest, Event, Program


class EventFilterSet(django_filters.FilterSet):
    """Events by kind, modality, program (sub-programs included), network, targeted state and
    year."""

    q = django_filters.CharFilter(method="search", label=_("Title"))
    kind = django_filters.ChoiceFilter(choices=EventKind.choices, label=_("Kind"))
    modality = django_filters.ChoiceFilter(choices=Modality.choices, label=_("Modality"))
    program = django_filters.ModelChoiceFilter(
        queryset=Program.objects.order_by("order"), method="by_program", label=_("Program")
    )
    network = django_filters.ModelChoiceFilter(
        queryset=Network.objects.all(), field_name="networks", label=_("Network")
    )
    state = django_filters.ModelChoiceFilter(
        queryset=MemberState.objects.order_by("name"),
        field_name="target_states",
        label=_("Member state"),
    )
    year = django_filters.NumberFilter(field_name="starts_at__year", label=_("Year"))

    class Meta:
        model = Event
        fields = ["q", "kind", "modality", "program", "network", "state", "year"]

    def search(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        value = value.strip()
        return queryset.filter(title__icontains=value) if value else queryset

    def by_program(self, queryset: QuerySet[Event], name: str, value: Program) -> QuerySet[Event]:
        if value is None:
            return queryset
        return queryset.filter(Q(activity__program=value) | Q(activity__program__parent=value))


class AssistanceRequestFilterSet(django_filters.FilterSet):
    """Requests by status, member state and program."""

    status = django_filters.ChoiceFilter(choices=RequestStatus.choices, label=_("Status"))
    state = django_filters.ModelChoiceFilter(
        queryset=MemberState.objects.order_by("name"),
        field_name="member_state",
        label=_("Member state"),
    )
    program = django_filters.ModelChoiceFilter(
        queryset=Program.objects.order_by("order"), label=_("Program")
    )

    class Meta:
        model = AssistanceRequest
        fields = ["status", "state", "program"]
