"""The search of the exchange history, shared by the page and the API: over ``readable_by``
only (the view gives the queryset)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cicte.accounts.models import MemberState, Network
from cicte.core.filtersets import YES_NO
from cicte.messaging.choices import MessageKind, Urgency
from cicte.messaging.models import Delivery, Message


class MessageFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    network = django_filters.ModelChoiceFilter(
        label=_("Network"),
        field_name="network",
        to_field_name="slug",
        queryset=Network.objects.all(),
    )
    kind = django_filters.MultipleChoiceFilter(label=_("Kind"), choices=MessageKind.choices)
    urgency = django_filters.MultipleChoiceFilter(label=_("Urgency"), choices=Urgency.choices)
    state = django_filters.ModelChoiceFilter(
        label=_("Member state"),
        queryset=MemberState.objects.all(),
        to_field_name="code",
        method="by_state",
        help_text=_("Sent by or to this member state."),
    )
    sent_after = django_filters.DateFilter(
        label=_("Sent from"), field_name="sent_at", lookup_expr="date__gte"
    )
    sent_before = django_filters.DateFilter(
        label=_("Sent until"), field_name="sent_at", lookup_expr="date__lte"
    )
    open_requests = django_filters.BooleanFilter(
        label=_("Open requests for information only"),
        method="only_open",
        widget=forms.Select(choices=YES_NO),
    )

    class Meta:
        model = Message
        fields = ["q", "network", "kind", "urgency", "state", "sent_after", "sent_before"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(reference__icontains=value) | Q(subject__icontains=value) | Q(body__icontains=value)
        )

    def by_state(self, queryset: Any, name: str, value: Any) -> Any:
        if value is None:
            return queryset
        to_state = Delivery.objects.filter(member_state=value).values("message_id")
        return queryset.filter(Q(sender_state=value) | Q(pk__in=to_state))

    def only_open(self, queryset: Any, name: str, value: Any) -> Any:
        if value:
            return queryset.filter(kind=MessageKind.RFI, closed_at__isnull=True)
        return queryset
