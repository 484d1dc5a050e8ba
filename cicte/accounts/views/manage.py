"""The directory of the platform's structure and its management: member states, organisations,
networks and their members, people and their roles.

Reads go through ``visible_to``: a record a signed-in user may not see answers 404. Writes go
through :mod:`cicte.accounts.services`, which check the actor's rights again: a refusal answers
403 (the record was visible), a ValidationError is shown on the form. Lists are filtered by the
FilterSets the REST API shares; when the filters change, htmx swaps in only the results, and the
full page works without JavaScript.
"""

from __future__ import annotations

import unicodedata
from typing import Any, cast

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Prefetch, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_GET, require_http_methods

from cicte.accounts import permissions, selectors, services
from cicte.accounts.filtersets import NetworkFilterSet, OrganizationFilterSet, UserFilterSet
from cicte.accounts.forms_manage import (
    MANAGE_ORGANIZATIONS,
    MANAGE_USERS,
    MembershipForm,
    OrganizationForm,
    RoleAssignForm,
    UserCreateForm,
    UserEditForm,
    membership_states,
)
from cicte.accounts.models import (
    MemberState,
    Network,
    Organization,
    OrganizationMembership,
    RoleAssignment,
    TOTPDevice,
    User,
)
from cicte.core import audit
from cicte.core.forms import apply_validation_error
from cicte.core.models import AuditEvent

PAGE_SIZE = 25
RECENT_EVENTS = 10


def _actor(request: HttpRequest) -> User:
    # LoginRequiredMiddleware lets only signed-in people reach these views.
    return cast(User, request.user)


def _results_only(request: HttpRequest) -> bool:
    """Whether htmx asked for the results alone (a filter changed, a page link was followed);
    a history restore or a boosted link gets the whole page."""
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.boosted and not htmx.history_restore_request


def _collation_key(text: str) -> str:
    """Sort names the way readers of any of the four languages expect: accents do not count."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


_networks_with_visible_members = selectors.networks_with_visible_members


def _set_filter_queryset(filterset: django_filters.FilterSet, name: str, queryset: Any) -> None:
    filterset.filters[name].queryset = queryset


class FilteredListView(View):
    """A filtered, paginated list; ``results_template_name`` is what htmx swaps in."""

    template_name: str
    results_template_name: str
    filterset_class: type[django_filters.FilterSet]
    paginate_by = PAGE_SIZE
    paginator_class: type[Paginator] = Paginator
    http_method_names = ["get", "head", "options"]

    def check(self, actor: User) -> None:
        """Raise PermissionDenied when ``actor`` may not use this list at all."""

    def get_queryset(self, actor: User) -> QuerySet[Any]:
        raise NotImplementedError

    def prepare_filterset(self, filterset: django_filters.FilterSet, actor: User) -> None:
        """Narrow the filters' choices to what ``actor`` may see."""

    def decorate(self, rows: list[Any], actor: User) -> None:
        """Attach to each row of the page what the template shows about it."""

    def get_context(self, actor: User) -> dict[str, Any]:
        return {}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        actor = _actor(request)
        self.check(actor)
        filterset = self.filterset_class(
            request.GET or None, queryset=self.get_queryset(actor), request=request
        )
        self.prepare_filterset(filterset, actor)
        form = filterset.form
        if "q" in form.fields:
            form.order_fields(["q"])
            form.fields["q"].widget.input_type = "search"
        for field in form.fields.values():
            if isinstance(field.widget, forms.SelectMultiple):
                # Long lists of states or kinds stay compact in the filter bar.
                field.widget.attrs.setdefault("size", 4)
        page = self.paginator_class(filterset.qs, self.paginate_by).get_page(
            request.GET.get("page")
        )
        rows = list(page.object_list)
        self.decorate(rows, actor)
        context = {
            "filterset": filterset,
            "page_obj": page,
            "rows": rows,
            "list_url": request.path,
            "results_template": self.results_template_name,
            **self.get_context(actor),
        }
        template = self.results_template_name if _results_only(request) else self.template_name
        response = render(request, template, context)
        patch_vary_headers(response, ["HX-Request"])
        return response


# --- Member states ---------------------------------------------------------------------------


@require_GET
def memberstate_list(request: HttpRequest) -> HttpResponse:
    """The 35 member states, named in the reader's language, with how many of their
    organisations the reader can see."""
    actor = _actor(request)
    counts = dict(
        Organization.objects.visible_to(actor)
        .filter(member_state__isnull=False)
        .order_by()
        .values_list("member_state_id")
        .annotate(count=Count("id"))
    )
    states = sorted(MemberState.objects.all(), key=lambda s: _collation_key(s.localized_name))
    for state in states:
        state.organization_count = counts.get(state.pk, 0)  # type: ignore[attr-defined]
    return render(request, "accounts/manage/memberstate_list.html", {"states": states})


# --- Organisations ---------------------------------------------------------------------------


def _may_create_organizations(actor: User) -> bool:
    return permissions.has_global_perm(actor, MANAGE_ORGANIZATIONS) or bool(
        permissions.member_states_with_perm(actor, MANAGE_ORGANIZATIONS)
    )


def _visible_memberships(actor: User, memberships: Any) -> list[OrganizationMembership]:
    """An organisation's memberships in the networks whose members ``actor`` may see."""
    return [m for m in memberships if selectors.can_see_members(actor, m.network)]


class OrganizationListView(FilteredListView):
    """The organisations the reader can see: searched, filtered by kind, member state and
    network, paginated."""

    template_name = "accounts/manage/organization_list.html"
    results_template_name = "accounts/manage/_organization_results.html"
    filterset_class = OrganizationFilterSet

    def get_queryset(self, actor: User) -> QuerySet[Organization]:
        return (
            Organization.objects.visible_to(actor)
            .select_related("member_state")
            .prefetch_related(
                Prefetch(
                    "network_memberships",
                    queryset=OrganizationMembership.objects.select_related("network", "role"),
                )
            )
        )

    def prepare_filterset(self, filterset: django_filters.FilterSet, actor: User) -> None:
        _set_filter_queryset(filterset, "network", _networks_with_visible_members(actor))

    def decorate(self, rows: list[Any], actor: User) -> None:
        for organization in rows:
            organization.shown_memberships = _visible_memberships(
                actor, organization.network_memberships.all()
            )

    def get_context(self, actor: User) -> dict[str, Any]:
        return {"can_create": _may_create_organizations(actor)}


@require_GET
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An organisation: what it is, the networks it belongs to (those whose members the reader
    may see) and its people (those the reader may see)."""
    actor = _actor(request)
    organization = get_object_or_404(
        Organization.objects.visible_to(actor).select_related("member_state"), pk=pk
    )
    memberships = _visible_memberships(
        actor, organization.network_memberships.select_related("network", "role")
    )
    people = list(
        User.objects.visible_to(actor)
        .filter(organization=organization)
        .select_related("organization__member_state")
    )
    for person in people:
        person.manageable = services.may_manage_user(actor, person)
    context = {
        "organization": organization,
        "memberships": memberships,
        "people": people,
        "can_edit": services.may_manage_organization(actor, organization),
        "can_add_people": organization.is_active
        and permissions.can(actor, MANAGE_USERS, organization=organization),
    }
    return render(request, "accounts/manage/organization_detail.html", context)


@require_http_methods(["GET", "POST"])
def organization_create(request: HttpRequest) -> HttpResponse:
    """Register an organisation: the Secretariat any, national coordinators their own state's."""
    actor = _actor(request)
    if not _may_create_organizations(actor):
        raise PermissionDenied
    form = OrganizationForm(request.POST if request.method == "POST" else None, actor=actor)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            organization = services.create_organization(
                actor=actor,
                name=data["name"],
                kind=data["kind"],
                member_state=data["member_state"],
                acronym=data["acronym"],
                website=data["website"],
                description=data["description"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("{organization} is registered.").format(organization=organization),
            )
            return redirect("accounts:organization_detail", pk=organization.pk)
    return render(
        request, "accounts/manage/organization_form.html", {"form": form, "organization": None}
    )


@require_http_methods(["GET", "POST"])
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an organisation's details."""
    actor = _actor(request)
    organization = get_object_or_404(
        Organization.objects.visible_to(actor).select_related("member_state"), pk=pk
    )
    if not services.may_manage_organization(actor, organization):
        raise PermissionDenied
    form = OrganizationForm(
        request.POST if request.method == "POST" else None, actor=actor, instance=organization
    )
    if form.is_bound and form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, _("Nothing was changed."))
            return redirect("accounts:organization_detail", pk=organization.pk)
        try:
            services.update_organization(actor=actor, organization=organization, **changes)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("{organization} is updated.").format(organization=organization)
            )
            return redirect("accounts:organization_detail", pk=organization.pk)
    return render(
        request,
        "accounts/manage/organization_form.html",
        {"form": form, "organization": organization},
    )


# --- Networks and their members --------------------------------------------------------------


class NetworkListView(FilteredListView):
    """The networks of the platform, named in the reader's language."""

    template_name = "accounts/manage/network_list.html"
    results_template_name = "accounts/manage/_network_results.html"
    filterset_class = NetworkFilterSet

    def get_queryset(self, actor: User) -> QuerySet[Network]:
        # Grouped queries ignore Meta.ordering: order by the name in the reader's language.
        language = (get_language() or "en")[:2]
        name = (
            Coalesce(NullIf(f"name_{language}", Value("")), "name")
            if language in ("es", "fr", "pt")
            else F("name")
        )
        return (
            Network.objects.visible_to(actor)
            .annotate(organization_count=Count("organization_memberships"))
            .order_by(name, "pk")
        )

    def decorate(self, rows: list[Any], actor: User) -> None:
        mine = selectors.network_ids_for(actor)
        for network in rows:
            network.is_mine = network.pk in mine
            network.members_visible = selectors.can_see_members(actor, network)


def _visible_network(actor: User, slug: str) -> Network:
    return get_object_or_404(Network.objects.visible_to(actor), slug=slug)


@require_GET
def network_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A network; its member organisations and the people holding roles in it, for those who
    may see who belongs to it."""
    actor = _actor(request)
    network = _visible_network(actor, slug)
    context: dict[str, Any] = {
        "network": network,
        "can_see_members": selectors.can_see_members(actor, network),
        "is_mine": network.pk in selectors.network_ids_for(actor),
    }
    if context["can_see_members"]:
        memberships = list(
            network.organization_memberships.select_related(
                "organization__member_state", "network", "role"
            )
        )
        visible = set(
            Organization.objects.visible_to(actor)
            .filter(pk__in=[m.organization_id for m in memberships])
            .values_list("pk", flat=True)
        )
        for membership in memberships:
            membership.organization_visible = membership.organization_id in visible  # type: ignore[attr-defined]
            membership.manageable = services.may_manage_membership(actor, membership)  # type: ignore[attr-defined]
        holders = list(
            RoleAssignment.objects.filter(network=network, user__is_active=True)
            .select_related("user__organization__member_state", "role")
            .order_by("role__ordering", "user__full_name", "user__username")
        )
        for assignment in holders:
            assignment.user_manageable = services.may_manage_user(actor, assignment.user)  # type: ignore[attr-defined]
        states = membership_states(actor, network)
        context.update(
            memberships=memberships,
            holders=holders,
            membership_form=MembershipForm(actor=actor, network=network)
            if states is None or states
            else None,
        )
    return render(request, "accounts/manage/network_detail.html", context)


@require_http_methods(["GET", "POST"])
def network_membership_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Add an organisation to the network as a member or observer, or change its role there."""
    actor = _actor(request)
    network = _visible_network(actor, slug)
    states = membership_states(actor, network)
    if states is not None and not states:
        raise PermissionDenied
    form = MembershipForm(
        request.POST if request.method == "POST" else None, actor=actor, network=network
    )
    if form.is_bound and form.is_valid():
        organization = form.cleaned_data["organization"]
        role = form.cleaned_data["role"]
        try:
            services.add_organization_to_network(
                actor=actor, organization=organization, network=network, role=role
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("{organization} belongs to {network} as {role}.").format(
                    organization=organization,
                    network=network.localized_name,
                    role=role.localized_name,
                ),
            )
            return redirect("accounts:network_detail", slug=network.slug)
    return render(
        request, "accounts/manage/membership_form.html", {"form": form, "network": network}
    )


@require_http_methods(["GET", "POST"])
def network_membership_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Take an organisation out of the network (asks first)."""
    actor = _actor(request)
    network = _visible_network(actor, slug)
    if not selectors.can_see_members(actor, network):
        raise Http404
    membership = get_object_or_404(
        OrganizationMembership.objects.select_related(
            "organization__member_state", "network", "role"
        ),
        network=network,
        pk=pk,
    )
    if not services.may_manage_membership(actor, membership):
        raise PermissionDenied
    back = reverse("accounts:network_detail", kwargs={"slug": network.slug})
    if request.method == "POST":
        services.remove_organization_from_network(actor=actor, membership=membership)
        messages.success(
            request,
            _("{organization} no longer belongs to {network}.").format(
                organization=membership.organization, network=network.localized_name
            ),
        )
        return redirect(back)
    return render(
        request,
        "accounts/manage/confirm.html",
        {
            "title": _("Remove {organization} from {network}?").format(
                organization=membership.organization, network=network.localized_name
            ),
            "explanation": _(
                "Its people stop belonging to the network through it; roles they hold in the network themselves stay."
            ),
            "confirm_label": _("Remove from the network"),
            "cancel_url": back,
            "danger": True,
        },
    )


# --- People ----------------------------------------------------------------------------------


def _require_people_manager(actor: User) -> None:
    if MANAGE_USERS not in permissions.all_perms(actor):
        raise PermissionDenied


def _managed_user(request: HttpRequest, pk: int) -> tuple[User, User]:
    """The actor and the account ``pk``: 404 when the actor may not see it, 403 when they see it
    but do not manage it."""
    actor = _actor(request)
    user = get_object_or_404(
        User.objects.visible_to(actor).select_related("organization__member_state"), pk=pk
    )
    if not services.may_manage_user(actor, user):
        raise PermissionDenied
    return actor, user


class UserListView(FilteredListView):
    """The accounts the reader manages: searched, filtered by organisation, member state, role
    and network, paginated."""

    template_name = "accounts/manage/user_list.html"
    results_template_name = "accounts/manage/_user_results.html"
    filterset_class = UserFilterSet

    def check(self, actor: User) -> None:
        _require_people_manager(actor)

    def get_queryset(self, actor: User) -> QuerySet[User]:
        return (
            User.objects.visible_to(actor)
            .select_related("organization__member_state")
            .prefetch_related(
                Prefetch(
                    "role_assignments",
                    queryset=RoleAssignment.objects.select_related(
                        "role", "network", "organization"
                    ),
                )
            )
            .annotate(mfa_on=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
        )

    def prepare_filterset(self, filterset: django_filters.FilterSet, actor: User) -> None:
        _set_filter_queryset(
            filterset, "organization", Organization.objects.visible_to(actor).order_by("name")
        )

    def get_context(self, actor: User) -> dict[str, Any]:
        return {"can_create": True}


@require_GET
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An account as its managers see it: roles, second factor, last sign-in, recent changes."""
    actor, user = _managed_user(request, pk)
    if user.pk != actor.pk:
        # Another person's account is personal data: each look at it is on the record.
        audit.record_view(actor=actor, obj=user)
    assignments = list(
        user.role_assignments.select_related("role", "network", "organization", "granted_by")
    )
    revocable = {role.pk for role in services.assignable_roles(actor)}
    for assignment in assignments:
        assignment.revocable = assignment.role_id in revocable and not (  # type: ignore[attr-defined]
            user.pk == actor.pk and assignment.role.slug == "secretariat_admin"
        )
    context = {
        "person": user,
        "assignments": assignments,
        # Roles held through the organisation's networks, where the manager may see them.
        "organization_memberships": _visible_memberships(
            actor, user.organization.network_memberships.select_related("network", "role")
        )
        if user.organization
        else [],
        "has_mfa": user.has_mfa,
        "is_self": user.pk == actor.pk,
        "role_form": RoleAssignForm(actor=actor, user=user) if revocable else None,
        "events": AuditEvent.objects.visible_to(actor).filter(
            object_type="accounts.user", object_id=str(user.pk)
        )[:RECENT_EVENTS],
    }
    return render(request, "accounts/manage/user_detail.html", context)


@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    """Open an account in an organisation the actor manages; the person is emailed a link to
    choose their password."""
    actor = _actor(request)
    _require_people_manager(actor)
    initial = {}
    if request.GET.get("organization", "").isdigit():
        initial["organization"] = int(request.GET["organization"])
    form = UserCreateForm(
        request.POST if request.method == "POST" else None, actor=actor, initial=initial
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.create_user(
                actor=actor,
                username=data["username"],
                email=data["email"],
                organization=data["organization"],
                full_name=data["full_name"],
                preferred_language=data["preferred_language"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "The account {username} is open; an invitation to choose a password was sent to {email}."
                ).format(username=user.username, email=user.email),
            )
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/manage/user_form.html", {"form": form, "person": None})


@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an account: name, email, organisation, language, or deactivate it."""
    actor, user = _managed_user(request, pk)
    form = UserEditForm(
        request.POST if request.method == "POST" else None, actor=actor, instance=user
    )
    if form.is_bound and form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, _("Nothing was changed."))
            return redirect("accounts:user_detail", pk=user.pk)
        try:
            services.update_user(actor=actor, user=user, **changes)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("The account {username} is updated.").format(username=user.username)
            )
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/manage/user_form.html", {"form": form, "person": user})


@require_http_methods(["GET", "POST"])
def role_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Grant the person a role the actor may grant."""
    actor, user = _managed_user(request, pk)
    form = RoleAssignForm(
        request.POST if request.method == "POST" else None, actor=actor, user=user
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            assignment = services.assign_role(
                actor=actor,
                user=user,
                role=data["role"],
                network=data["network"],
                organization=data["organization"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            where = assignment.network or assignment.organization
            messages.success(
                request,
                _("{person} holds the role {role} ({where}).").format(
                    person=user, role=assignment.role.localized_name, where=where
                )
                if where
                else _("{person} holds the role {role}.").format(
                    person=user, role=assignment.role.localized_name
                ),
            )
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/manage/role_form.html", {"form": form, "person": user})


@require_http_methods(["GET", "POST"])
def role_revoke(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    """Take a role back (asks first)."""
    actor, user = _managed_user(request, pk)
    assignment = get_object_or_404(
        RoleAssignment.objects.select_related("role", "network", "organization", "user"),
        pk=assignment_pk,
        user=user,
    )
    back = reverse("accounts:user_detail", kwargs={"pk": user.pk})
    if request.method == "POST":
        try:
            services.revoke_role(actor=actor, assignment=assignment)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("{person} no longer holds the role {role}.").format(
                    person=user, role=assignment.role.localized_name
                ),
            )
        return redirect(back)
    where = assignment.network or assignment.organization
    return render(
        request,
        "accounts/manage/confirm.html",
        {
            "title": _("Revoke the role {role} from {person}?").format(
                role=assignment.role.localized_name, person=user
            ),
            "explanation": _("In: {where}.").format(where=where) if where else "",
            "confirm_label": _("Revoke the role"),
            "cancel_url": back,
            "danger": True,
        },
    )


@require_http_methods(["GET", "POST"])
def user_mfa_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a person's second factor when they lost their phone (asks first); where their
    role requires one, they set up a new authenticator at their next sign-in."""
    actor, user = _managed_user(request, pk)
    back = reverse("accounts:user_detail", kwargs={"pk": user.pk})
    if not user.has_mfa:
        messages.info(
            request,
            _("{person} has no second factor to reset.").format(person=user),
        )
        return redirect(back)
    if request.method == "POST":
        try:
            services.disable_mfa(actor=actor, user=user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _(
                    "The second factor of {person} is removed; they set up a new one at their next sign-in."
                ).format(person=user)
                if user.requires_mfa
                else _("The second factor of {person} is removed.").format(person=user),
            )
        return redirect(back)
    return render(
        request,
        "accounts/manage/confirm.html",
        {
            "title": _("Reset the two-factor authentication of {person}?").format(person=user),
            "explanation": _(
                "Do this only when you have confirmed who is asking, for example by a call to a known number. Their authenticator app and recovery codes stop working."
            ),
            "confirm_label": _("Reset two-factor authentication"),
            "cancel_url": back,
            "danger": True,
        },
    )
