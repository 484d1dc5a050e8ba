"""FilterSets of the directory, shared by the UI, the REST API and the exports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cicte.accounts.filtersets import SearchMixin
from cicte.accounts.models import MemberState, Network, Organization
from cicte.accounts.selectors import network_ids_for
from cicte.core.filtersets import YES_NO
from cicte.directory import text_index
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

# The search's order: network, member state, role, most recent first. By ids rather than names,
# so that finding the first page does not join every match to the networks' and states' names
# before sorting them all (see docs/benchmarks.md): networks come in the order of the work plan,
# member states in the OAS's order (Spanish alphabetical), the order of their ids.
# Filters that narrow the search by designation (see ``filter_language``).
NARROWING_FILTERS = ("member_state", "network", "role", "organization", "q")
# Up to this many contacts matched by a free text are passed to the search as ids.
TEXT_MATCH_IDS = 2000
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
        contacts = Contact.objects.filter(matches).order_by().values_list("pk", flat=True)
        emails = (
            ContactEmail.objects.filter(address__icontains=value)
            .order_by()
            .values_list("contact_id", flat=True)
        )
        subqueries = Q(contact__in=contacts) | Q(contact__in=emails)
        if connection.vendor != "sqlite":
            # PostgreSQL: trigram indexes (migration 0003) serve both sub-queries.
            return queryset.filter(subqueries)
        # SQLite: the matching contacts are read once, as ids, from its trigram table (or by a
        # scan when the text is too short for trigrams), rather than matched again by the
        # page's keys and by its count; a text so common that it matches more than
        # TEXT_MATCH_IDS contacts stays a sub-query.
        indexed = text_index.contact_ids(value, limit=TEXT_MATCH_IDS + 1)
        if indexed is None:
            ids = set(contacts[: TEXT_MATCH_IDS + 1]) | set(emails[: TEXT_MATCH_IDS + 1])
        else:
            ids = set(indexed)
            if organizations:
                ids |= set(
                    Contact.objects.filter(organization_id__in=organizations)
                    .order_by()
                    .values_list("pk", flat=True)[: TEXT_MATCH_IDS + 1]
                )
        if len(ids) > TEXT_MATCH_IDS:
            return queryset.filter(subqueries)
        # Their designations by primary key, which SQLite's planner serves from the table
        # itself, where it would otherwise prefer the index of a member's visibility condition
        # (networks and status) and test thousands of rows.
        designations = (
            ContactDesignation.objects.filter(contact_id__in=sorted(ids))
            .order_by()
            .values_list("pk", flat=True)
        )
        return queryset.filter(pk__in=sorted(designations))

    def filter_ids(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        ids = sorted(item.pk for item in value or [])
        return queryset.filter(**{f"{name}__in": ids}) if ids else queryset

    def _by_contacts(self, contacts: QuerySet[Any], column: str) -> Q:
        """Designations whose contact is among ``contacts`` (``column``: the contact's id in
        them). When other filters narrow the designations, each candidate's contact is checked
        (an ``EXISTS`` by key); otherwise the search starts from those contacts (an ``IN``
        served by their index) rather than test every designation. Either way round is several
        times slower in the other case (see docs/benchmarks.md)."""
        contacts = contacts.order_by()
        data = self.form.cleaned_data
        if any(data.get(name) for name in NARROWING_FILTERS):
            return Q(Exists(contacts.filter(**{column: OuterRef("contact_id")})))
        return Q(contact__in=contacts.values(column))

    def filter_language(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if not value:
            return queryset
        speakers = ContactLanguage.objects.filter(code=value)
        return queryset.filter(self._by_contacts(speakers, "contact_id"))

    def filter_always(
        self, queryset: QuerySet[Any], name: str, value: bool | None
    ) -> QuerySet[Any]:
        if value is None:
            return queryset
        # An IN over the contacts available around the clock (their availability index), not a
        # join: with other filters too, it measured faster than checking each candidate.
        condition = Q(
            contact__in=Contact.objects.filter(availability=Availability.ALWAYS)
            .order_by()
            .values("pk")
        )
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
