"""Forms of the management pages: organisations, network memberships, people and their roles.

Plain forms rather than ModelForms: a ModelForm writes the submitted values onto the instance
while it validates, before the service has compared old and new values (for the audit trail) and
checked the actor's rights. The services validate the model; their ValidationError is shown on the
form (:func:`cicte.core.forms.apply_validation_error`). Each form offers only the choices its actor may use.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cicte.accounts import permissions, services
from cicte.accounts.choices import STATELESS_KINDS, Language, OrganizationKind, RoleScope
from cicte.accounts.models import (
    MemberState,
    Network,
    Organization,
    OrganizationMembership,
    Role,
    User,
)

MANAGE_ORGANIZATIONS = "accounts.manage_organizations"
MANAGE_USERS = "accounts.manage_users"
MANAGE_MEMBERSHIPS = "accounts.manage_memberships"


# --- Choices an actor may use --------------------------------------------------------------


def member_states_for(actor: User, perm: str) -> QuerySet[MemberState]:
    """The member states where ``actor`` holds ``perm``: all of them for a platform-wide grant."""
    if permissions.has_global_perm(actor, perm):
        return MemberState.objects.all()
    return MemberState.objects.filter(pk__in=permissions.member_states_with_perm(actor, perm))


def organizations_for_people(actor: User, *, include: int | None = None) -> QuerySet[Organization]:
    """The active organisations whose people ``actor`` manages: every one for the Secretariat,
    their own state's for national coordinators, their own for organisation administrators
    (plus ``include``, an organisation already chosen)."""
    condition = Q(is_active=True)
    if include:
        condition |= Q(pk=include)
    if not permissions.has_global_perm(actor, MANAGE_USERS):
        states = permissions.member_states_with_perm(actor, MANAGE_USERS)
        own = permissions.organizations_with_perm(actor, MANAGE_USERS)
        condition &= Q(member_state_id__in=states) | Q(pk__in=own)
    return Organization.objects.select_related("member_state").filter(condition)


def membership_states(actor: User, network: Network) -> set[int] | None:
    """The member states whose organisations ``actor`` may add to ``network`` or remove from it:
    ``None`` for every one (the Secretariat), else those where they coordinate this network."""
    if permissions.has_global_perm(actor, MANAGE_MEMBERSHIPS):
        return None
    return {
        grant.member_state_id
        for grant in permissions.grants_for(actor)
        if grant.scope == RoleScope.NETWORK
        and MANAGE_MEMBERSHIPS in grant.perms
        and grant.network_id == network.pk
        and grant.member_state_id is not None
    }


def organizations_for_network(actor: User, network: Network) -> QuerySet[Organization]:
    """The active organisations ``actor`` may add to ``network``."""
    queryset = Organization.objects.select_related("member_state").filter(is_active=True)
    states = membership_states(actor, network)
    return queryset if states is None else queryset.filter(member_state_id__in=states)


def networks_for_roles(actor: User) -> QuerySet[Network]:
    """The networks in which ``actor`` may grant roles: every one for the Secretariat, those they
    coordinate for national coordinators, their organisation's for organisation administrators."""
    if permissions.has_global_perm(actor, MANAGE_USERS):
        return Network.objects.all()
    grants = permissions.grants_for(actor)
    network_ids = {
        g.network_id
        for g in grants
        if g.scope == RoleScope.NETWORK and MANAGE_USERS in g.perms and g.network_id
    }
    organization_ids = {
        g.organization_id
        for g in grants
        if g.scope == RoleScope.ORGANIZATION and MANAGE_USERS in g.perms and g.organization_id
    }
    return Network.objects.filter(
        Q(pk__in=network_ids)
        | Q(
            pk__in=OrganizationMembership.objects.filter(
                organization_id__in=organization_ids
            ).values("network_id")
        )
    )


# --- Showing a service's ValidationError -----------------------------------------------------


class OrganizationChoiceField(forms.ModelChoiceField):
    """Organisations named with their member state: every state has its ministry of defence."""

    def label_from_instance(self, obj: Any) -> str:
        state = obj.member_state
        return f"{obj} · {state.localized_name}" if state else str(obj)


class ChangesMixin:
    """The cleaned values of the fields the person changed, to pass to an update service."""

    cleaned_data: dict[str, Any]
    changed_data: list[str]

    def changes(self) -> dict[str, Any]:
        return {field: self.cleaned_data[field] for field in self.changed_data}


# --- Organisations ---------------------------------------------------------------------------


class OrganizationForm(ChangesMixin, forms.Form):
    """Register or edit an organisation. National coordinators choose among their own member
    states and state institutions or partners; the Secretariat chooses anything."""

    name = forms.CharField(label=_("Name"), max_length=200)
    acronym = forms.CharField(label=_("Acronym"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganizationKind.choices)
    member_state = forms.ModelChoiceField(
        label=_("Member state"),
        queryset=MemberState.objects.none(),
        required=False,
        help_text=_(
            "Required for state institutions; none for the Secretariat and international organisations."
        ),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("Inactive organisations stay on record but cannot be given new accounts."),
    )

    FIELDS = ("name", "acronym", "kind", "member_state", "website", "description", "is_active")

    def __init__(
        self, *args: Any, actor: User, instance: Organization | None = None, **kwargs: Any
    ) -> None:
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    field: getattr(instance, f"{field}_id" if field == "member_state" else field)
                    for field in self.FIELDS
                },
            )
        super().__init__(*args, **kwargs)
        member_state = self.fields["member_state"]
        assert isinstance(member_state, forms.ModelChoiceField)
        member_state.queryset = member_states_for(actor, MANAGE_ORGANIZATIONS)
        if not permissions.has_global_perm(actor, MANAGE_ORGANIZATIONS):
            member_state.required = True
            member_state.help_text = ""
            kind = self.fields["kind"]
            assert isinstance(kind, forms.ChoiceField)
            kind.choices = [
                (value, label)
                for value, label in OrganizationKind.choices
                if value not in STATELESS_KINDS
            ]
        if instance is None:
            del self.fields["is_active"]


# --- Network memberships ---------------------------------------------------------------------


def membership_roles() -> QuerySet[Role]:
    """The roles an organisation can hold in a network (member, observer...): network roles that
    are not personal (those that require a second factor are held by people)."""
    return Role.objects.filter(scope=RoleScope.NETWORK, requires_mfa=False)


class MembershipForm(forms.Form):
    """Add an organisation to a network, or change the role it holds there."""

    organization = OrganizationChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none()
    )
    role = forms.ModelChoiceField(
        label=_("Role in the network"),
        queryset=Role.objects.none(),
        help_text=_("Every person of the organisation holds this role in the network."),
    )

    def __init__(self, *args: Any, actor: User, network: Network, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "membership_%s")
        super().__init__(*args, **kwargs)
        roles = membership_roles()
        organization = self.fields["organization"]
        role = self.fields["role"]
        assert isinstance(organization, forms.ModelChoiceField)
        assert isinstance(role, forms.ModelChoiceField)
        organization.queryset = organizations_for_network(actor, network)
        role.queryset = roles
        if "role" not in self.initial:
            self.initial["role"] = roles.filter(slug="member").values_list("pk", flat=True).first()


# --- People ----------------------------------------------------------------------------------


class UserCreateForm(forms.Form):
    """Open an account; the person receives an email to choose their password."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @/./+/-/_ only."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("The invitation to choose a password is sent here."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    organization = OrganizationChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none()
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=Language.choices, initial=Language.EN
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organization = self.fields["organization"]
        assert isinstance(organization, forms.ModelChoiceField)
        organization.queryset = organizations_for_people(actor)


class UserEditForm(ChangesMixin, forms.Form):
    """Change an account, or deactivate it (which also revokes its API tokens)."""

    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email address"))
    organization = OrganizationChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none()
    )
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=Language.choices)
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_(
            "A deactivated account cannot sign in, and its API tokens are revoked. Its records stay."
        ),
    )

    FIELDS = services.USER_FIELDS

    def __init__(self, *args: Any, actor: User, instance: User, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                field: getattr(instance, f"{field}_id" if field == "organization" else field)
                for field in self.FIELDS
            },
        )
        super().__init__(*args, **kwargs)
        organization = self.fields["organization"]
        assert isinstance(organization, forms.ModelChoiceField)
        organization.queryset = organizations_for_people(actor, include=instance.organization_id)


class RoleChoiceField(forms.ModelChoiceField):
    """A role as the form offers it, saying which networks it is held in when it is limited
    (``Role.networks``)."""

    def label_from_instance(self, obj: Any) -> str:
        names = sorted(str(network.localized_name) for network in obj.networks.all())
        if obj.scope != RoleScope.NETWORK or not names:
            return str(obj)
        return gettext("{role} (only in: {networks})").format(role=obj, networks=", ".join(names))


class RoleAssignForm(forms.Form):
    """Grant a role: in a network for network roles, in an organisation for organisation roles
    (the person's own unless another is chosen), or platform-wide."""

    role = RoleChoiceField(label=_("Role"), queryset=Role.objects.none())
    network = forms.ModelChoiceField(
        label=_("Network"),
        queryset=Network.objects.none(),
        required=False,
        help_text=_("For roles held in a network."),
    )
    organization = OrganizationChoiceField(
        label=_("Organisation"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("For roles held in an organisation; by default the person's own."),
    )

    def __init__(self, *args: Any, actor: User, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "role_%s")
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        network = self.fields["network"]
        organization = self.fields["organization"]
        assert isinstance(role, forms.ModelChoiceField)
        assert isinstance(network, forms.ModelChoiceField)
        assert isinstance(organization, forms.ModelChoiceField)
        network.queryset = networks_for_roles(actor)
        # A role limited to some networks is offered only where one of them is on offer.
        offered = set(network.queryset.values_list("pk", flat=True))
        role.queryset = Role.objects.filter(
            pk__in=[
                r.pk
                for r in services.assignable_roles(actor)
                if r.scope != RoleScope.NETWORK
                or not r.allowed_network_ids()
                or r.allowed_network_ids() & offered
            ]
        ).prefetch_related("networks")
        organization.queryset = organizations_for_people(actor, include=user.organization_id)

    def clean(self) -> dict[str, Any]:
        """Keep only the place that fits the role's scope: a stray network or organisation left
        selected in the other field is ignored rather than refused."""
        data = super().clean() or {}
        role = data.get("role")
        if role is not None:
            if role.scope != RoleScope.NETWORK:
                data["network"] = None
            if role.scope != RoleScope.ORGANIZATION:
                data["organization"] = None
            limited = list(role.networks.all()) if role.scope == RoleScope.NETWORK else []
            if data.get("network") is None and len(limited) == 1:
                # A role held in one network only: that network, unless another was chosen.
                data["network"] = limited[0]
            if role.scope == RoleScope.NETWORK and data.get("network") is None:
                self.add_error("network", _("This role is held in a network: choose one."))
            elif role.scope == RoleScope.NETWORK and not role.allows_network(data["network"]):
                self.add_error("network", role.network_limit_error())
        return data
