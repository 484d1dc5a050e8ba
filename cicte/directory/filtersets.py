"""FilterSets of the directory, shared by the UI, the REST API and the exports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cicte.accounts.filtersets import SearchMixin
from cicte.accounts.models import MemberState, Network, Organization
from cicte.accounts.selectors import network_ids_for
from cicte.directory.choices import Availability, DesignationRole, DesignationStatus
from cicte.directory.models import (
    ContactDesignation,
    ContactEmail,
    ContactLanguage,
    DirectoryPolicy,
)
from cicte.directory.services import LANGUAGE_CODES

YES_NO = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]


def stale_condition(now: dt.datetime | None = None) -> Q:
    """Active designations whose verification is overdue, by each network's own cycle."""
    now = now or timezone.now()
    condition = Q(pk__in=[])
    for network_id, days in DirectoryPolicy.objects.values_list("network_id", "verification_days"):
        condition |= Q(network_id=network_id, last_verified_at__lt=now - dt.timedelta(days=days))
    return Q(status=DesignationStatus.ACTIVE) & condition


class ContactDesignationFilterSet(SearchMixin):
    """The directory's search: who is designated where, by state, network, role, organisation,
    language, 24/7 availability and staleness; ``on`` answers who was designated on a past date."""

    search_fields = (
        "contact__name",
        "contact__title",
        "contact__organization__name",
        "contact__organization__acronym",
    )
    member_state = django_filters.ModelMultipleChoiceFilter(
        field_name="member_state__code",
        to_field_name="code",
        queryset=MemberState.objects.all(),
        label=_("Member state"),
    )
    network = django_filters.ModelMultipleChoiceFilter(
        field_name="network__slug",
        to_field_name="slug",
        queryset=Network.objects.all(),
        label=_("Network"),
    )
    role = django_filters.MultipleChoiceFilter(choices=DesignationRole.choices, label=_("Role"))
    organization = django_filters.ModelMultipleChoiceFilter(
        field_name="contact__organization__slug",
        to_field_name="slug",
        queryset=Organization.objects.all(),
        label=_("Organisation"),
    )
    language = django_filters.ChoiceFilter(
        choices=[(code, code) for code in sorted(LANGUAGE_CODES)],
        method="filter_language",
        label=_("Language"),
    )
    always_available = django_filters.BooleanFilter(
        method="filter_always", label=_("24/7"), widget=forms.Select(choices=YES_NO)
    )
    stale = django_filters.BooleanFilter(
        method="filter_stale", label=_("Verification overdue"), widget=forms.Select(choices=YES_NO)
    )
    status = django_filters.MultipleChoiceFilter(
        choices=DesignationStatus.choices, label=_("Status")
    )
    on = django_filters.DateFilter(method="filter_on", label=_("In force on"))

    class Meta:
        model = ContactDesignation
        fields = ["member_state", "network", "role", "organization", "status"]

    def scope_filters(self, user: Any) -> None:
        from cicte.accounts import permissions

        if not permissions.has_global_perm(user, "directory.view_all_directories"):
            self.filters["network"].queryset = Network.objects.filter(
                pk__in=sorted(network_ids_for(user))
            )
        self.filters["organization"].queryset = Organization.objects.visible_to(user)

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        if not value:
            return queryset
        emails = ContactEmail.objects.filter(
            contact_id=OuterRef("contact_id"), address__icontains=value
        )
        return super().search(queryset, name, value) | queryset.filter(Exists(emails))

    def filter_language(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if not value:
            return queryset
        return queryset.filter(
            Exists(ContactLanguage.objects.filter(contact_id=OuterRef("contact_id"), code=value))
        )

    def filter_always(
        self, queryset: QuerySet[Any], name: str, value: bool | None
    ) -> QuerySet[Any]:
        if value is None:
            return queryset
        condition = Q(contact__availability=Availability.ALWAYS)
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_stale(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        condition = stale_condition()
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_on(self, queryset: QuerySet[Any], name: str, value: dt.date | None) -> QuerySet[Any]:
        return queryset.in_force_on(value) if value else queryset  # type: ignore[attr-defined]
