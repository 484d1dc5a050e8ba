"""FilterSets of the core app, shared by the UI and (later) the API: the audit trail's."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cicte.accounts.models import MemberState
from cicte.core.models import AuditEvent

# The choices of a yes/no filter shown as a select (BooleanFilter's default widget says "Unknown").
YES_NO = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]


def _start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight of ``day`` in the current time zone, so that a range over ``occurred_at`` stays a
    plain comparison on the indexed column (no date function applied to it)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class IPAddressFilter(django_filters.Filter):
    """An exact IPv4 or IPv6 address; anything else is a form error, never a database error."""

    field_class = forms.GenericIPAddressField


class AuditEventFilterSet(django_filters.FilterSet):
    """Filters of the audit trail. Apply it to ``AuditEvent.objects.visible_to(user)``: it narrows
    what the user may see, never widens it."""

    actor = django_filters.CharFilter(
        field_name="actor_label", lookup_expr="iexact", label=_("Actor (username)")
    )
    action = django_filters.CharFilter(
        field_name="action",
        lookup_expr="startswith",
        label=_("Action starts with"),
        help_text=_("For example accounts. or auth.login"),
    )
    object_type = django_filters.CharFilter(
        field_name="object_type",
        lookup_expr="iexact",
        label=_("Object type"),
        help_text=_("For example accounts.user"),
    )
    object_id = django_filters.CharFilter(field_name="object_id", label=_("Object id"))
    date_from = django_filters.DateFilter(
        method="filter_date_from",
        label=_("From (date)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        method="filter_date_to",
        label=_("To (date, inclusive)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    member_state = django_filters.ModelChoiceFilter(
        queryset=MemberState.objects.all(),
        to_field_name="code",
        method="filter_member_state",
        empty_label=_("Any member state"),
        label=_("Member state"),
        help_text=_("The actor's or the record's member state"),
    )
    ip = IPAddressFilter(field_name="ip_address", label=_("IP address"))

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def filter_date_from(
        self, queryset: QuerySet[AuditEvent], name: str, value: datetime.date
    ) -> QuerySet[AuditEvent]:
        return queryset.filter(occurred_at__gte=_start_of_day(value))

    def filter_date_to(
        self, queryset: QuerySet[AuditEvent], name: str, value: datetime.date
    ) -> QuerySet[AuditEvent]:
        return queryset.filter(occurred_at__lt=_start_of_day(value + datetime.timedelta(days=1)))

    def filter_member_state(
        self, queryset: QuerySet[AuditEvent], name: str, value: MemberState
    ) -> QuerySet[AuditEvent]:
        return queryset.filter(Q(member_state=value) | Q(subject_member_state=value))

    def active_filters(self) -> dict[str, Any]:
        """The filters in use, as plain values (for the export's own audit event)."""
        if not self.is_bound or not self.is_valid():
            return {}
        active = {}
        for name, value in self.form.cleaned_data.items():
            if value in (None, ""):
                continue
            if isinstance(value, MemberState):
                value = value.code
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            active[name] = value
        return active
