"""Serializers of the accounts API.

Relations travel as natural keys, in requests and responses alike: member states by ISO 3166-1
alpha-2 code (``"AR"``), organisations, networks and roles by slug (``"csirtamericas"``,
``"member"``), people by username. Related records a caller may not see cannot be named: their
fields choose only among ``visible_to(user)`` (see :class:`VisibleSlugRelatedField`), so a hidden
record is reported like an absent one.

Nothing here exposes password hashes, second-factor material or token digests: every serializer
lists its fields explicitly.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cicte.accounts import selectors
from cicte.accounts.api.authentication import token_of
from cicte.accounts.choices import Language, OrganizationKind, RoleScope
from cicte.accounts.models import (
    ApiToken,
    MemberState,
    Network,
    Organization,
    OrganizationMembership,
    Role,
    RoleAssignment,
    User,
)


class VisibleSlugRelatedField(serializers.SlugRelatedField):
    """A relation named by a natural key, chosen only among the records the requesting user may
    see (``Model.objects.visible_to(user)``)."""

    def __init__(self, model: type[Any], slug_field: str = "slug", **kwargs: Any) -> None:
        self.model = model
        if not kwargs.get("read_only"):
            kwargs["queryset"] = model.objects.none()
        super().__init__(slug_field=slug_field, **kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        request = self.context.get("request")
        return self.model.objects.visible_to(getattr(request, "user", None))


def _member_state_code(organization: Organization | None) -> str | None:
    if organization is None or organization.member_state is None:
        return None
    return organization.member_state.code


# --- Member states ---------------------------------------------------------------------------


class MemberStateSerializer(serializers.ModelSerializer[MemberState]):
    display_name = serializers.CharField(
        source="localized_name", read_only=True, help_text="The name in the request's language."
    )

    class Meta:
        model = MemberState
        fields = [
            "code",
            "alpha3",
            "numeric",
            "name",
            "name_es",
            "name_fr",
            "name_pt",
            "display_name",
        ]
        read_only_fields = fields


# --- Organisations ---------------------------------------------------------------------------


class OrganizationSerializer(serializers.ModelSerializer[Organization]):
    """An organisation; ``member_state`` is an ISO code, or null for the Secretariat, international
    organisations and partners without one. The slug is chosen at creation and never changes."""

    member_state = serializers.SlugRelatedField(
        slug_field="code",
        queryset=MemberState.objects.all(),
        allow_null=True,
        required=False,
        help_text="ISO 3166-1 alpha-2 code of the member state, e.g. AR.",
    )
    kind = serializers.ChoiceField(choices=OrganizationKind.choices)

    class Meta:
        model = Organization
        fields = [
            "id",
            "slug",
            "name",
            "acronym",
            "kind",
            "member_state",
            "website",
            "description",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "slug", "created_at", "updated_at"]
        # Uniqueness (slug; name within a state) is checked by the service, on every path.
        validators: list[Any] = []


class OrganizationCreateSerializer(OrganizationSerializer):
    slug = serializers.SlugField(
        max_length=80,
        required=False,
        help_text="Short name used in URLs and payloads; made from the acronym or name if omitted.",
    )

    class Meta(OrganizationSerializer.Meta):
        read_only_fields = ["id", "is_active", "created_at", "updated_at"]


# --- Networks and memberships ----------------------------------------------------------------


class NetworkMemberSerializer(serializers.ModelSerializer[OrganizationMembership]):
    organization: serializers.SlugRelatedField[Organization] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    member_state = serializers.SerializerMethodField()
    role: serializers.SlugRelatedField[Role] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = OrganizationMembership
        fields = ["organization", "organization_name", "member_state", "role", "created_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_member_state(self, obj: OrganizationMembership) -> str | None:
        return _member_state_code(obj.organization)


class NetworkSerializer(serializers.ModelSerializer[Network]):
    """A network. Its member organisations are listed only to those who may see them (its
    members, coordinators and the Secretariat); to anyone else ``members`` is null."""

    display_name = serializers.CharField(source="localized_name", read_only=True)
    members = serializers.SerializerMethodField()

    class Meta:
        model = Network
        fields = [
            "id",
            "slug",
            "name",
            "name_es",
            "name_fr",
            "name_pt",
            "display_name",
            "acronym",
            "description",
            "is_active",
            "created_at",
            "members",
        ]
        read_only_fields = fields

    @extend_schema_field(NetworkMemberSerializer(many=True, allow_null=True))
    def get_members(self, obj: Network) -> Any:
        request = self.context.get("request")
        if request is None or not selectors.can_see_members(request.user, obj):
            return None
        # Prefetched by the view: no query per network.
        memberships = obj.organization_memberships.all()
        return NetworkMemberSerializer(memberships, many=True, context=self.context).data


class OrganizationMembershipSerializer(serializers.ModelSerializer[OrganizationMembership]):
    """An organisation's membership of a network, with the role its people hold there.
    Creating one that exists changes its role."""

    organization = VisibleSlugRelatedField(Organization)
    network = VisibleSlugRelatedField(Network)
    role = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Role.objects.filter(scope=RoleScope.NETWORK),
        help_text="A role held in a network, e.g. member or observer.",
    )
    member_state = serializers.SerializerMethodField()

    class Meta:
        model = OrganizationMembership
        fields = ["id", "organization", "network", "role", "member_state", "created_at"]
        read_only_fields = ["id", "member_state", "created_at"]
        validators: list[Any] = []

    @extend_schema_field(OpenApiTypes.STR)
    def get_member_state(self, obj: OrganizationMembership) -> str | None:
        return _member_state_code(obj.organization)


# --- People and roles ------------------------------------------------------------------------


class UserRoleSerializer(serializers.ModelSerializer[RoleAssignment]):
    role: serializers.SlugRelatedField[Role] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    network: serializers.SlugRelatedField[Network] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    organization: serializers.SlugRelatedField[Organization] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = RoleAssignment
        fields = ["id", "role", "network", "organization"]
        read_only_fields = fields


class UserSerializer(serializers.ModelSerializer[User]):
    """An account. Its holder may change their own name, email and language; managers of its
    organisation may also move it to another organisation they manage and deactivate it."""

    organization = VisibleSlugRelatedField(Organization)
    member_state = serializers.SerializerMethodField()
    preferred_language = serializers.ChoiceField(choices=Language.choices, required=False)
    has_mfa = serializers.SerializerMethodField(
        help_text="Whether the account has a confirmed second factor."
    )
    email_verified = serializers.BooleanField(
        read_only=True,
        help_text="Whether the holder has proven that they receive mail at this address "
        "(changing the address makes it unverified until the link mailed to it is followed).",
    )
    roles = UserRoleSerializer(source="role_assignments", many=True, read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "email_verified",
            "full_name",
            "organization",
            "member_state",
            "preferred_language",
            "is_active",
            "has_mfa",
            "roles",
            "date_joined",
            "last_login",
        ]
        read_only_fields = ["id", "username", "date_joined", "last_login"]
        validators: list[Any] = []
        extra_kwargs: dict[str, dict[str, Any]] = {"email": {"validators": []}}

    @extend_schema_field(OpenApiTypes.STR)
    def get_member_state(self, obj: User) -> str | None:
        return _member_state_code(obj.organization)

    def get_has_mfa(self, obj: User) -> bool:
        annotated = getattr(obj, "mfa_enabled", None)
        return bool(annotated) if annotated is not None else obj.has_mfa


class UserCreateSerializer(UserSerializer):
    """A new account in an organisation the caller manages. Without a password the person is
    emailed an invitation to choose one."""

    username = serializers.CharField(
        max_length=150, help_text="Letters, digits and @/./+/-/_ only."
    )
    password = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        style={"input_type": "password"},
        help_text="Optional; checked against the password rules. Omit it to send an invitation.",
    )
    send_invitation = serializers.BooleanField(
        write_only=True,
        default=True,
        help_text="Email the person a link to choose a password (when no password is given).",
    )

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "password", "send_invitation"]
        read_only_fields = ["id", "is_active", "date_joined", "last_login"]


class RoleAssignmentSerializer(serializers.ModelSerializer[RoleAssignment]):
    """A person's role, in the scope the role has: platform-wide (no network, no organisation),
    in one network, or in one organisation (the person's own when omitted)."""

    user = VisibleSlugRelatedField(User, slug_field="username", help_text="Username.")
    role = serializers.SlugRelatedField(slug_field="slug", queryset=Role.objects.all())
    network = VisibleSlugRelatedField(Network, allow_null=True, required=False)
    organization = VisibleSlugRelatedField(Organization, allow_null=True, required=False)
    scope = serializers.ChoiceField(source="role.scope", choices=RoleScope.choices, read_only=True)

    class Meta:
        model = RoleAssignment
        fields = ["id", "user", "role", "scope", "network", "organization", "created_at"]
        read_only_fields = ["id", "scope", "created_at"]
        validators: list[Any] = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """A role limited to some networks (``Role.networks``) is granted in one of them: a 400
        on ``network`` naming them otherwise (the service refuses it too)."""
        role = attrs.get("role")
        network = attrs.get("network")
        if (
            role is not None
            and role.scope == RoleScope.NETWORK
            and network is not None
            and not role.allows_network(network)
        ):
            raise serializers.ValidationError({"network": [role.network_limit_error()]})
        return attrs


# --- The caller ------------------------------------------------------------------------------


class OrganizationBriefSerializer(serializers.ModelSerializer[Organization]):
    member_state: serializers.SlugRelatedField[MemberState] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Organization
        fields = ["id", "slug", "name", "acronym", "kind", "member_state"]
        read_only_fields = fields


class NetworkBriefSerializer(serializers.ModelSerializer[Network]):
    display_name = serializers.CharField(source="localized_name", read_only=True)

    class Meta:
        model = Network
        fields = ["slug", "name", "display_name", "acronym"]
        read_only_fields = fields


class MeRoleSerializer(UserRoleSerializer):
    name = serializers.CharField(source="role.localized_name", read_only=True)
    scope = serializers.ChoiceField(source="role.scope", choices=RoleScope.choices, read_only=True)

    class Meta(UserRoleSerializer.Meta):
        fields = ["id", "role", "name", "scope", "network", "organization"]
        read_only_fields = fields


class TokenInfoSerializer(serializers.ModelSerializer[ApiToken]):
    """The token a request was made with: its name, display prefix, scopes and expiry (never
    the secret or its digest)."""

    class Meta:
        model = ApiToken
        fields = ["name", "prefix", "scopes", "created_at", "expires_at", "last_used_at"]
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer[User]):
    """The caller: their account, organisation, member state, roles, networks, and the token the
    request was made with (null for a browser session or a password)."""

    organization = OrganizationBriefSerializer(read_only=True, allow_null=True)
    member_state = MemberStateSerializer(read_only=True, allow_null=True)
    roles = MeRoleSerializer(source="role_assignments", many=True, read_only=True)
    networks = serializers.SerializerMethodField()
    has_mfa = serializers.BooleanField(read_only=True)
    requires_mfa = serializers.BooleanField(read_only=True)
    email_verified = serializers.BooleanField(
        read_only=True,
        help_text="Whether the caller has proven that they receive mail at their address.",
    )
    token = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "email_verified",
            "full_name",
            "preferred_language",
            "organization",
            "member_state",
            "roles",
            "networks",
            "has_mfa",
            "requires_mfa",
            "token",
        ]
        read_only_fields = fields

    @extend_schema_field(NetworkBriefSerializer(many=True))
    def get_networks(self, obj: User) -> Any:
        networks = Network.objects.visible_to(obj).filter(pk__in=selectors.network_ids_for(obj))
        return NetworkBriefSerializer(networks, many=True, context=self.context).data

    @extend_schema_field(TokenInfoSerializer(allow_null=True))
    def get_token(self, obj: User) -> Any:
        token = token_of(self.context.get("request"))
        return TokenInfoSerializer(token, context=self.context).data if token else None
