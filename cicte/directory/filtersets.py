"""FilterSets of the directory, shared by the UI, the REST API and the exports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cicte.accounts.filtersets import SearchMixin
from cicte.accounts.models import MemberState, Network, Organization
from cicte.accounts.selectors import network_ids_for
from cicte.directory.choices import (
    Availability,
    CheckStatus,
    DesignationRole,
    DesignationStatus,
)
from cicte.directory.models import (
    CommunicationCheck,
    Contact,
    ContactDesignation,
    ContactEmail,
    ContactLanguage,
    DirectoryPolicy,
)
from cicte.directory.services import LANGUAGE_CODES

YES_NO = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]
# The search's order: network, member state, role, most recent first. By ids rather than names,
# so that finding the first page does not join every match to the networks' and states' names
# before sorting them all (see docs/benchmarks.md): networks come in the order of the work plan,
# member states in the OAS's order (Spanish alphabetical), the order of their ids.
SEARCH_ORDERING = ("network_id", "member_state_id", "role", "-effective_from", "pk")


def stale_condition(now: dt.datetime | None = None) -> Q:
    """Active designations whose verification is overdue, by each network's own cycle."""
    now = now or timezone.now()
    # One term per cycle length rather than per network (most networks share the default), so
    # that the database tests each row against one or two conditions, not one per network.
    networks_by_days: dict[int, list[int]] = {}
    for network_id, days in DirectoryPolicy.objects.values_list("network_id", "verification_days"):
        networks_by_days.setdefault(days, []).append(network_id)
    condition = Q(pk__in=[])
    for days, network_ids in sorted(networks_by_days.items()):
        condition |= Q(
            network_id__in=sorted(network_ids), last_verified_at__lt=now - dt.timedelta(days=days)
        )
    return Q(status=DesignationStatus.ACTIVE) & condition


class ContactDesignationFilterSet(SearchMixin):
    """The directory's search: who is designated where, by state, network, role, organisation,
    language, 24/7 availability and staleness; ``on`` answers who was designated on a past date."""

    # States, networks and organisations are chosen by code or slug, and filtered by id
    # (``filter_ids``): the search then joins no table to filter by them.
    member_state = django_filters.ModelMultipleChoiceFilter(
        field_name="member_state",
        to_field_name="code",
        queryset=MemberState.objects.all(),
        label=_("Member state"),
        method="filter_ids",
    )
    network = django_filters.ModelMultipleChoiceFilter(
        field_name="network",
        to_field_name="slug",
        queryset=Network.objects.all(),
        label=_("Network"),
        method="filter_ids",
    )
    role = django_filters.MultipleChoiceFilter(
        choices=DesignationRole.choices, label=_("Role"), distinct=False
    )
    organization = django_filters.ModelMultipleChoiceFilter(
        field_name="contact__organization",
        to_field_name="slug",
        queryset=Organization.objects.all(),
        label=_("Organisation"),
        method="filter_ids",
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
        choices=DesignationStatus.choices, label=_("Status"), distinct=False
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The search's order, with or without filters.
        queryset: QuerySet[Any] = self.queryset  # type: ignore[has-type]
        self.queryset = queryset.order_by(*SEARCH_ORDERING)

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """Free text in the contact's name, title, organisation (name or acronym) and email
        addresses. Each table is searched once and the designations are then found by contact,
        rather than matching the text against every designation's joined rows in turn (and
        twice: the page and its count), which is several times slower with 50,000 contacts
        (see docs/benchmarks.md)."""
        value = value.strip()
        if not value:
            return queryset
        # The few organisations whose name matches, read first: as plain ids they let an index
        # on each searched column serve the contacts' search.
        organizations = sorted(
            Organization.objects.filter(
                Q(name__icontains=value) | Q(acronym__icontains=value)
            ).values_list("pk", flat=True)
        )
        matches = Q(name__icontains=value) | Q(title__icontains=value)
        if organizations:
            matches |= Q(organization_id__in=organizations)
        contacts = Contact.objects.filter(matches).values("pk")
        emails = ContactEmail.objects.filter(address__icontains=value).values("contact_id")
        return queryset.filter(Q(contact__in=contacts) | Q(contact__in=emails))

    def filter_ids(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        ids = sorted(item.pk for item in value or [])
        return queryset.filter(**{f"{name}__in": ids}) if ids else queryset

    def filter_language(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if not value:
            return queryset
        # An IN over the language's contacts (read once from the (code, contact) index) rather
        # than a correlated EXISTS per designation: the database may start from either side.
        return queryset.filter(
            contact__in=ContactLanguage.objects.filter(code=value).values("contact_id")
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


class CommunicationCheckFilterSet(SearchMixin):
    """Communication checks by network and status (the checks' list and history)."""

    search_fields = ("network__name", "network__name_es", "network__name_fr", "network__name_pt")
    network = django_filters.ModelChoiceFilter(
        to_field_name="slug", queryset=Network.objects.all(), label=_("Network")
    )
    status = django_filters.ChoiceFilter(choices=CheckStatus.choices, label=_("Status"))

    class Meta:
        model = CommunicationCheck
        fields = ["network", "status"]

    def scope_filters(self, user: Any) -> None:
        # Only networks with a check the user sees: the others would reveal nothing but noise.
        visible = CommunicationCheck.objects.visible_to(user).values("network_id")
        self.filters["network"].queryset = Network.objects.filter(pk__in=visible)
