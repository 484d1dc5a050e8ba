"""Who people are, which state and organisation they act for, which networks they belong to,
and which roles (carrying permissions) they hold."""

from __future__ import annotations

import datetime
import hashlib
import secrets
import time
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import Permission
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP

from cicte.accounts.choices import (
    STATE_KINDS,
    STATELESS_KINDS,
    Language,
    OrganizationKind,
    RoleScope,
)
from cicte.core.fields import EncryptedTextField
from cicte.core.models import LocalizedNameMixin


class MemberState(LocalizedNameMixin):
    """One of the 35 member states of the OAS; names come from CLDR (Babel), codes from ISO 3166
    (pycountry), loaded by a data migration."""

    code = models.CharField(_("ISO 3166-1 alpha-2 code"), max_length=2, unique=True)
    alpha3 = models.CharField(_("ISO 3166-1 alpha-3 code"), max_length=3, unique=True)
    numeric = models.CharField(_("ISO 3166-1 numeric code"), max_length=3, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("member state")
        verbose_name_plural = _("member states")

    def __str__(self) -> str:
        return self.localized_name


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def visible_to(self, user: Any) -> OrganizationQuerySet:
        """Institutions are not secret among members, but their list is: a user sees their own
        organisation, the Secretariat, the organisations of their own member state, and those
        that share a network with them; Secretariat administrators and coordinators see what
        they manage."""
        from cicte.accounts import permissions
        from cicte.accounts.selectors import network_ids_for

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if permissions.has_global_perm(user, "accounts.manage_organizations"):
            return self.all()
        condition = Q(kind=OrganizationKind.SECRETARIAT)
        if user.organization_id:
            condition |= Q(pk=user.organization_id)
            state_id = user.organization.member_state_id
            if state_id:
                condition |= Q(member_state_id=state_id)
        networks = network_ids_for(user)
        if networks:
            condition |= Q(
                pk__in=OrganizationMembership.objects.filter(network_id__in=networks).values(
                    "organization_id"
                )
            )
        return self.filter(condition)


class Organization(models.Model):
    """An institution of a member state, the CICTE Secretariat, or a partner (an international
    organisation, a bank that screens names...)."""

    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    member_state = models.ForeignKey(
        MemberState,
        verbose_name=_("member state"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        permissions = [("manage_organizations", "Can create and update organisations")]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "member_state"], name="organization_unique_name_per_state"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def clean(self) -> None:
        if self.kind in STATE_KINDS and not self.member_state_id:
            raise ValidationError(
                {"member_state": _("A state institution must name its member state.")}
            )
        if self.kind in STATELESS_KINDS and self.member_state_id:
            raise ValidationError(
                {"member_state": _("This kind of organisation does not belong to a member state.")}
            )


class NetworkQuerySet(models.QuerySet["Network"]):
    def visible_to(self, user: Any) -> NetworkQuerySet:
        """The networks themselves are public knowledge among signed-in users (the work plan
        names them); who belongs to them is shown only to their members, coordinators and the
        Secretariat (see :func:`cicte.accounts.selectors.can_see_members`)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.all()


class Network(LocalizedNameMixin):
    """A network of designated institutions and people: the Inter-American Network against
    Terrorism, CSIRTAmericas, the UNSCR 1540 points of contact..."""

    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = NetworkQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        permissions = [
            ("manage_networks", "Can create and update networks"),
            ("manage_memberships", "Can add and remove network members"),
            ("contribute", "Can contribute content to networks"),
        ]

    def __str__(self) -> str:
        return self.localized_name


class Role(LocalizedNameMixin):
    """A role carries permissions and is stored as data: each module adds its own roles (and
    the roles that may grant them) in a data migration."""

    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    scope = models.CharField(_("scope"), max_length=20, choices=RoleScope.choices)
    requires_mfa = models.BooleanField(
        _("requires two-factor authentication"),
        default=False,
        help_text=_(
            "Holders must set up two-factor authentication before they can use the platform."
        ),
    )
    permissions = models.ManyToManyField(Permission, verbose_name=_("permissions"), blank=True)
    assignable_by = models.ManyToManyField(
        "self",
        verbose_name=_("may be granted by holders of"),
        symmetrical=False,
        blank=True,
        related_name="can_assign",
    )
    ordering = models.PositiveSmallIntegerField(default=100)
    # A network role that only makes sense in some networks (the designation roles in the
    # targeted financial sanctions network) names them; none: any network.
    networks = models.ManyToManyField(
        Network,
        verbose_name=_("held only in the networks"),
        blank=True,
        related_name="limited_roles",
        help_text=_("For network roles: the networks in which it may be held; none: any network."),
    )

    class Meta:
        ordering = ["ordering", "slug"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.localized_name

    def allowed_network_ids(self) -> set[int]:
        """The networks this role may be held in; empty: any network."""
        return {network.pk for network in self.networks.all()}

    def allows_network(self, network: Any) -> bool:
        """Whether the role may be held in ``network`` (always, when it names no network)."""
        allowed = self.allowed_network_ids()
        return not allowed or (network is not None and network.pk in allowed)

    def network_limit_error(self) -> str:
        """What to fix when the role is granted in another network: the networks it is held in."""
        names = ", ".join(sorted(str(network.localized_name) for network in self.networks.all()))
        return _("The role {role} is held only in these networks: {networks}.").format(
            role=self.localized_name, networks=names
        )


class UserQuerySet(models.QuerySet["User"]):
    def visible_to(self, user: Any) -> UserQuerySet:
        """Accounts a user may see: their own and their organisation's; coordinators their
        member state's; organisation administrators their organisation's; Secretariat
        administrators every account."""
        from cicte.accounts import permissions

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if permissions.has_global_perm(user, "accounts.manage_users"):
            return self.all()
        condition = Q(pk=user.pk)
        if user.organization_id:
            condition |= Q(organization_id=user.organization_id)
        states = permissions.member_states_with_perm(user, "accounts.manage_users")
        if states:
            condition |= Q(organization__member_state_id__in=states)
        return self.filter(condition)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    use_in_migrations = True

    def create_user(
        self, username: str, email: str, password: str | None = None, **extra: Any
    ) -> User:
        user = self.model(username=username, email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(
        self, username: str, email: str, password: str | None = None, **extra: Any
    ) -> User:
        """A Secretariat administrator (there is no superuser flag: permissions come from roles)."""
        secretariat = Organization.objects.filter(kind=OrganizationKind.SECRETARIAT).first()
        extra.setdefault("organization", secretariat)
        user = self.create_user(username, email, password, **extra)
        RoleAssignment.objects.create(user=user, role=Role.objects.get(slug="secretariat_admin"))
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(username__iexact=username)


class User(AbstractBaseUser):  # type: ignore[django-manager-missing]
    """A person with an account. Permissions come only from role assignments."""

    username = models.CharField(
        _("username"),
        max_length=150,
        unique=True,
        help_text=_("Letters, digits and @/./+/-/_ only."),
        validators=[UnicodeUsernameValidator()],
    )
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, default=Language.EN
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # When the holder last proved they receive mail at ``email`` (the invitation or a password
    # reset link, or the verification link): null while the address is unproven. A changed
    # address is unproven until its link is followed. Other modules trust only a verified
    # address to say who someone is (the work plan's certificate holders).
    email_verified_at = models.DateTimeField(_("email address verified"), null=True, blank=True)
    # When the last verification email was sent: at most one a minute per account.
    email_verification_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("manage_users", "Can create and update accounts and grant roles")]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.username

    @property
    def member_state(self) -> MemberState | None:
        return self.organization.member_state if self.organization_id else None  # type: ignore[union-attr]

    # Permission methods, answered by the authentication backends (cicte.accounts.backends).
    @property
    def is_staff(self) -> bool:
        return False

    @property
    def is_superuser(self) -> bool:
        return False

    def get_all_permissions(self, obj: Any = None) -> set[str]:
        from django.contrib.auth import get_backends

        perms: set[str] = set()
        for backend in get_backends():
            if hasattr(backend, "get_all_permissions"):
                perms |= backend.get_all_permissions(self, obj)
        return perms

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        if not self.is_active:
            return False
        from django.contrib.auth import get_backends

        return any(
            hasattr(backend, "has_perm") and backend.has_perm(self, perm, obj)
            for backend in get_backends()
        )

    def has_perms(self, perm_list: Any, obj: Any = None) -> bool:
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label: str) -> bool:
        return any(perm.startswith(f"{app_label}.") for perm in self.get_all_permissions())

    @property
    def email_verified(self) -> bool:
        """Whether the holder has proven that they receive mail at the account's address."""
        return self.email_verified_at is not None

    @property
    def requires_mfa(self) -> bool:
        return self.role_assignments.filter(role__requires_mfa=True).exists()

    @property
    def has_mfa(self) -> bool:
        return TOTPDevice.objects.filter(user=self, confirmed=True).exists()


class OrganizationMembership(models.Model):
    """An organisation's membership of a network, with a role that every one of its people
    holds in that network (a national CSIRT in CSIRTAmericas as a member...)."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="network_memberships",
    )
    network = models.ForeignKey(
        Network,
        verbose_name=_("network"),
        on_delete=models.CASCADE,
        related_name="organization_memberships",
    )
    role = models.ForeignKey(
        Role,
        verbose_name=_("role"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"scope": RoleScope.NETWORK},
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        ordering = ["network", "organization"]
        verbose_name = _("organisation membership")
        verbose_name_plural = _("organisation memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "network"], name="organization_membership_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.network} ({self.role})"

    @property
    def member_state_id(self) -> int | None:
        return self.organization.member_state_id


class RoleAssignment(models.Model):
    """A person's role: platform-wide, in one network (for a national coordinator, in that
    network for the member state of their organisation), or in one organisation."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.ForeignKey(
        Role, verbose_name=_("role"), on_delete=models.PROTECT, related_name="assignments"
    )
    network = models.ForeignKey(
        Network,
        verbose_name=_("network"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    granted_by = models.ForeignKey(
        User,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        ordering = ["user", "role"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(network__isnull=True) | Q(organization__isnull=True),
                name="role_assignment_one_scope",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(network__isnull=True, organization__isnull=True),
                name="role_assignment_unique_global",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "network"],
                condition=Q(network__isnull=False),
                name="role_assignment_unique_network",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organization"],
                condition=Q(organization__isnull=False),
                name="role_assignment_unique_organization",
            ),
        ]

    def __str__(self) -> str:
        where = self.network or self.organization
        return f"{self.user} · {self.role}" + (f" · {where}" if where else "")

    @property
    def member_state_id(self) -> int | None:
        return self.user.organization.member_state_id if self.user.organization_id else None  # type: ignore[union-attr]

    def clean(self) -> None:
        scope = self.role.scope
        if scope == RoleScope.GLOBAL and (self.network_id or self.organization_id):
            raise ValidationError(
                _("This role applies platform-wide: choose no network or organisation.")
            )
        if scope == RoleScope.NETWORK and not self.network_id:
            raise ValidationError({"network": _("This role is held in a network: choose one.")})
        if scope == RoleScope.NETWORK and self.organization_id:
            raise ValidationError(
                {"organization": _("This role is held in a network, not an organisation.")}
            )
        if scope == RoleScope.NETWORK and not self.role.allows_network(self.network):
            raise ValidationError({"network": self.role.network_limit_error()})
        if scope == RoleScope.ORGANIZATION and not self.organization_id:
            raise ValidationError(
                {"organization": _("This role is held in an organisation: choose one.")}
            )


def _new_token_secret() -> str:
    return "cicte_" + secrets.token_urlsafe(32)  # 256 bits of randomness


def token_digest(token: str) -> str:
    """Tokens are random and long, so a fast digest is safe and lets every request check them."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self, now: datetime.datetime | None = None) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ApiToken(models.Model):
    """A personal API token: shown once at creation, stored as a SHA-256 digest, scoped per module
    (read or write), with an expiry. Accepted as ``Authorization: Token <token>`` and as the
    password of HTTP Basic."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    last_audited_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate() -> tuple[str, str, str]:
        """A new secret, its display prefix and its digest."""
        secret = _new_token_secret()
        return secret, secret[:12], token_digest(secret)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    def allows(self, module: str, write: bool) -> bool:
        """Whether the token's scopes cover ``module`` for reading (or writing)."""
        wanted = {f"{module}:write"} if write else {f"{module}:read", f"{module}:write"}
        return bool(wanted & set(self.scopes))


class TOTPDevice(ThrottlingMixin, TimestampMixin, Device):
    """A TOTP authenticator (RFC 6238: 30-second steps, 6 digits, one step of drift allowed),
    on django-otp's device framework, with its seed encrypted at rest (django-otp's own TOTP
    device stores the seed in clear). A token is accepted at most once."""

    key = EncryptedTextField(help_text="Hex-encoded secret, encrypted at rest.")
    last_t: models.BigIntegerField = models.BigIntegerField(default=-1)

    STEP = 30
    DIGITS = 6
    TOLERANCE = 1

    class Meta:
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    @staticmethod
    def new_key() -> str:
        return secrets.token_hex(20)

    @property
    def bin_key(self) -> bytes:
        return bytes.fromhex(self.key)

    @property
    def base32_key(self) -> str:
        import base64

        return base64.b32encode(self.bin_key).decode()

    def get_throttle_factor(self) -> int:
        return 1

    def config_url(self) -> str:
        issuer = settings.OTP_TOTP_ISSUER
        label = quote(f"{issuer}:{self.user.get_username()}")
        params = urlencode(
            {
                "secret": self.base32_key,
                "issuer": issuer,
                "digits": self.DIGITS,
                "period": self.STEP,
            }
        )
        return f"otpauth://totp/{label}?{params}"

    def verify_token(self, token: Any) -> bool:
        allowed, _reason = self.verify_is_allowed()
        if not allowed:
            return False
        token = str(token).strip().replace(" ", "")
        verified = False
        if token.isdigit() and len(token) == self.DIGITS:
            totp = TOTP(self.bin_key, self.STEP, 0, self.DIGITS, 0)
            totp.time = time.time()
            verified = totp.verify(int(token), self.TOLERANCE, self.last_t + 1)
            if verified:
                self.last_t = totp.t()
        if verified:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
        else:
            self.throttle_increment(commit=True)
        return verified


class RecoveryCodeDevice(ThrottlingMixin, TimestampMixin, Device):
    """One-time recovery codes for when the authenticator is lost; stored as SHA-256 digests
    (django-otp's static device stores them in clear)."""

    class Meta:
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def get_throttle_factor(self) -> int:
        return 1

    @staticmethod
    def normalize(code: str) -> str:
        return "".join(ch for ch in str(code).lower() if ch.isalnum())

    def verify_token(self, token: Any) -> bool:
        allowed, _reason = self.verify_is_allowed()
        if not allowed:
            return False
        digest = token_digest(self.normalize(token))
        deleted, _ = RecoveryCode.objects.filter(device=self, digest=digest).delete()
        if deleted:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
            return True
        self.throttle_increment(commit=True)
        return False


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "digest"], name="recovery_code_unique")
        ]

    def __str__(self) -> str:
        return f"recovery code {self.pk}"
