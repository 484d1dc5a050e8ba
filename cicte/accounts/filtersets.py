"""One FilterSet per model, shared by the UI lists and the REST API (NetBox's pattern)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cicte.accounts import selectors
from cicte.accounts.choices import OrganizationKind
from cicte.accounts.models import (
    MemberState,
    Network,
    Organization,
    OrganizationMembership,
    Role,
    RoleAssignment,
    User,
)


class ActiveFilter(django_filters.BooleanFilter):
    """Active, inactive, or either ("Any" rather than django-filter's "Unknown")."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Active"))
        kwargs.setdefault(
            "widget",
            forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))]),
        )
        super().__init__(**kwargs)


class SearchMixin(django_filters.FilterSet):
    """A free-text ``q`` over the fields named in ``search_fields``; and choices narrowed to what
    the requesting user may see (``scope_filters``), in the UI and the API alike."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None:
            self.scope_filters(user)

    def scope_filters(self, user: Any) -> None:
        """Narrow the querysets of choice filters to what ``user`` may see."""

    search_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(method="search", label=_("Search"))

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)


class MemberStateFilterSet(SearchMixin):
    search_fields = ("name", "name_es", "name_fr", "name_pt", "code", "alpha3")

    class Meta:
        model = MemberState
        fields = ["code"]


class OrganizationFilterSet(SearchMixin):
    search_fields = ("name", "acronym", "slug")
    kind = django_filters.MultipleChoiceFilter(choices=OrganizationKind.choices, label=_("Kind"))
    member_state = django_filters.ModelMultipleChoiceFilter(
        field_name="member_state__code",
        to_field_name="code",
        queryset=MemberState.objects.all(),
        label=_("Member state"),
    )
    network = django_filters.ModelMultipleChoiceFilter(
        field_name="network_memberships__network__slug",
        to_field_name="slug",
        queryset=Network.objects.all(),
        label=_("Network"),
        distinct=True,
    )
    is_active = ActiveFilter()

    def scope_filters(self, user: Any) -> None:
        self.filters["network"].queryset = selectors.networks_with_visible_members(user)

    class Meta:
        model = Organization
        fields = ["kind", "member_state", "network", "is_active"]


class NetworkFilterSet(SearchMixin):
    search_fields = ("name", "name_es", "name_fr", "name_pt", "acronym", "slug")

    class Meta:
        model = Network
        fields = ["is_active"]


class OrganizationMembershipFilterSet(django_filters.FilterSet):
    network = django_filters.ModelMultipleChoiceFilter(
        field_name="network__slug",
        to_field_name="slug",
        queryset=Network.objects.all(),
        label=_("Network"),
    )
    organization = django_filters.ModelMultipleChoiceFilter(
        field_name="organization__slug",
        to_field_name="slug",
        queryset=Organization.objects.all(),
        label=_("Organisation"),
    )
    role = django_filters.ModelMultipleChoiceFilter(
        field_name="role__slug", to_field_name="slug", queryset=Role.objects.all(), label=_("Role")
    )
    member_state = django_filters.ModelMultipleChoiceFilter(
        field_name="organization__member_state__code",
        to_field_name="code",
        queryset=MemberState.objects.all(),
        label=_("Member state"),
    )

    class Meta:
        model = OrganizationMembership
        fields = ["network", "organization", "role", "member_state"]


class UserFilterSet(SearchMixin):
    search_fields = ("username", "full_name", "email")
    organization = django_filters.ModelMultipleChoiceFilter(
        field_name="organization__slug",
        to_field_name="slug",
        queryset=Organization.objects.all(),
        label=_("Organisation"),
    )
    member_state = django_filters.ModelMultipleChoiceFilter(
        field_name="organization__member_state__code",
        to_field_name="code",
        queryset=MemberState.objects.all(),
        label=_("Member state"),
    )
    role = django_filters.ModelMultipleChoiceFilter(
        field_name="role_assignments__role__slug",
        to_field_name="slug",
        queryset=Role.objects.all(),
        label=_("Role"),
        distinct=True,
    )
    network = django_filters.ModelMultipleChoiceFilter(
        field_name="role_assignments__network__slug",
        to_field_name="slug",
        queryset=Network.objects.all(),
        label=_("Network"),
        distinct=True,
    )
    is_active = ActiveFilter()

    def scope_filters(self, user: Any) -> None:
        self.filters["organization"].queryset = Organization.objects.visible_to(user)
        self.filters["network"].queryset = selectors.networks_with_visible_members(user)

    class Meta:
        model = User
        fields = ["organization", "member_state", "role", "network", "is_active"]


class RoleAssignmentFilterSet(django_filters.FilterSet):
    user = django_filters.CharFilter(field_name="user__username", label=_("Username"))
    role = django_filters.ModelMultipleChoiceFilter(
        field_name="role__slug", to_field_name="slug", queryset=Role.objects.all(), label=_("Role")
    )
    network = django_filters.ModelMultipleChoiceFilter(
        field_name="network__slug",
        to_field_name="slug",
        queryset=Network.objects.all(),
        label=_("Network"),
    )
    organization = django_filters.ModelMultipleChoiceFilter(
        field_name="organization__slug",
        to_field_name="slug",
        queryset=Organization.objects.all(),
        label=_("Organisation"),
    )

    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "network", "organization"]
