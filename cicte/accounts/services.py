"""Every write of the accounts app: keyword-only, ``actor`` first, atomic, audited.

The UI forms and the REST API call these functions and nothing else.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cicte.accounts import permissions
from cicte.accounts.choices import STATELESS_KINDS, RoleScope
from cicte.accounts.models import (
    ApiToken,
    MemberState,
    Network,
    Organization,
    OrganizationMembership,
    RecoveryCode,
    RecoveryCodeDevice,
    Role,
    RoleAssignment,
    TOTPDevice,
    User,
    token_digest,
)
from cicte.core import audit, statements

ORGANIZATION_FIELDS = (
    "name",
    "acronym",
    "kind",
    "member_state",
    "website",
    "description",
    "is_active",
)
USER_FIELDS = ("email", "full_name", "organization", "preferred_language", "is_active")
NETWORK_FIELDS = ("name", "name_es", "name_fr", "name_pt", "acronym", "description", "is_active")

# Modules that API tokens can be scoped to; later modules add theirs here.
TOKEN_MODULES = {
    "accounts": gettext_lazy("Accounts, organisations and networks"),
    "audit": gettext_lazy("Audit trail"),
    "directory": gettext_lazy("Directory of points of contact"),
    "intel": gettext_lazy("Threat intelligence (REST API and TAXII)"),
    "advisories": gettext_lazy("Advisories"),
    "sanctions": gettext_lazy("Sanctions lists and screening"),
    "workplan": gettext_lazy("Work plan: events and requests for assistance"),
    "exchange": gettext_lazy("Secure exchange between points of contact"),
}
MAX_TOKEN_DAYS = 366
# At most one verification email per account in this interval.
EMAIL_VERIFICATION_INTERVAL = timedelta(minutes=1)


def _require(condition: bool, message: str | None = None) -> None:
    if not condition:
        raise PermissionDenied(message or _("You do not have permission to do this."))


def _full_clean(instance: Any, **kwargs: Any) -> None:
    instance.full_clean(**kwargs)


# --- Organisations -------------------------------------------------------------------------


def _may_manage_organization(actor: User, *, kind: str, member_state: MemberState | None) -> bool:
    perm = "accounts.manage_organizations"
    if permissions.has_global_perm(actor, perm):
        return True
    if kind in STATELESS_KINDS or member_state is None:
        return False
    return permissions.can(actor, perm, member_state_id=member_state.pk)


def _unique_slug(model: Any, base: str, exclude_pk: int | None = None) -> str:
    base = slugify(base)[:70] or "item"
    slug, n = base, 2
    while model.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def create_organization(
    *,
    actor: User,
    name: str,
    kind: str,
    member_state: MemberState | None = None,
    acronym: str = "",
    website: str = "",
    description: str = "",
    slug: str | None = None,
) -> Organization:
    """Register an institution. Secretariat administrators register any; national coordinators
    register their own state's."""
    _require(_may_manage_organization(actor, kind=kind, member_state=member_state))
    organization = Organization(
        name=name.strip(),
        acronym=acronym.strip(),
        kind=kind,
        member_state=member_state,
        website=website,
        description=description,
        slug=slug
        or _unique_slug(
            Organization, f"{acronym or name}-{member_state.code if member_state else ''}"
        ),
    )
    _full_clean(organization)
    organization.save()
    audit.record(
        actor=actor,
        action="accounts.organization.create",
        obj=organization,
        changes={f: [None, audit._jsonable(getattr(organization, f))] for f in ORGANIZATION_FIELDS},
    )
    return organization


@transaction.atomic
def update_organization(*, actor: User, organization: Organization, **changes: Any) -> Organization:
    """Change an organisation's details; moving it to another state needs rights over both."""
    _require(
        _may_manage_organization(
            actor, kind=organization.kind, member_state=organization.member_state
        )
    )
    unknown = set(changes) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise ValueError(f"Unknown organisation fields: {sorted(unknown)}")
    before = audit.snapshot(organization, ORGANIZATION_FIELDS)
    for field, value in changes.items():
        setattr(organization, field, value)
    _require(
        _may_manage_organization(
            actor, kind=organization.kind, member_state=organization.member_state
        )
    )
    _full_clean(organization)
    organization.save()
    audit.record(
        actor=actor,
        action="accounts.organization.update",
        obj=organization,
        changes=audit.diff(organization, before, ORGANIZATION_FIELDS),
    )
    return organization


# --- Networks and memberships --------------------------------------------------------------


@transaction.atomic
def create_network(*, actor: User, slug: str, name: str, **fields: Any) -> Network:
    _require(permissions.has_global_perm(actor, "accounts.manage_networks"))
    network = Network(slug=slug, name=name, **fields)
    _full_clean(network)
    network.save()
    audit.record(actor=actor, action="accounts.network.create", obj=network)
    return network


@transaction.atomic
def update_network(*, actor: User, network: Network, **changes: Any) -> Network:
    _require(permissions.has_global_perm(actor, "accounts.manage_networks"))
    unknown = set(changes) - set(NETWORK_FIELDS)
    if unknown:
        raise ValueError(f"Unknown network fields: {sorted(unknown)}")
    before = audit.snapshot(network, NETWORK_FIELDS)
    for field, value in changes.items():
        setattr(network, field, value)
    _full_clean(network)
    network.save()
    audit.record(
        actor=actor,
        action="accounts.network.update",
        obj=network,
        changes=audit.diff(network, before, NETWORK_FIELDS),
    )
    return network


def _may_manage_membership(actor: User, organization: Organization, network: Network) -> bool:
    perm = "accounts.manage_memberships"
    if permissions.has_global_perm(actor, perm):
        return True
    if organization.member_state_id is None:
        return False
    return permissions.can(
        actor, perm, member_state_id=organization.member_state_id, network_id=network.pk
    )


def _network_role(role: Role) -> Role:
    if role.scope != RoleScope.NETWORK:
        raise ValidationError({"role": _("Choose a role that is held in a network.")})
    return role


@transaction.atomic
def add_organization_to_network(
    *, actor: User, organization: Organization, network: Network, role: Role
) -> OrganizationMembership:
    """Make an organisation a member of a network; its people then belong to the network."""
    _require(_may_manage_membership(actor, organization, network))
    _network_role(role)
    _check_role_network(role, network)
    if role.requires_mfa:
        raise ValidationError({"role": _("This role is held by people, not by organisations.")})
    membership, created = OrganizationMembership.objects.get_or_create(
        organization=organization, network=network, defaults={"role": role}
    )
    if not created and membership.role_id != role.pk:
        old = membership.role.slug
        membership.role = role
        membership.save(update_fields=["role"])
        audit.record(
            actor=actor,
            action="accounts.membership.update",
            obj=membership,
            changes={"role": [old, role.slug]},
        )
    elif created:
        audit.record(
            actor=actor,
            action="accounts.membership.create",
            obj=membership,
            changes={"role": [None, role.slug]},
        )
    return membership


@transaction.atomic
def remove_organization_from_network(*, actor: User, membership: OrganizationMembership) -> None:
    _require(_may_manage_membership(actor, membership.organization, membership.network))
    audit.record(actor=actor, action="accounts.membership.delete", obj=membership)
    membership.delete()


# --- People --------------------------------------------------------------------------------


def _may_manage_user(actor: User, organization: Organization | None) -> bool:
    perm = "accounts.manage_users"
    if permissions.has_global_perm(actor, perm):
        return True
    if organization is None:
        return False
    return permissions.can(actor, perm, organization=organization)


@transaction.atomic
def create_user(
    *,
    actor: User,
    username: str,
    email: str,
    organization: Organization,
    full_name: str = "",
    preferred_language: str = "en",
    password: str | None = None,
    send_invitation: bool = True,
) -> User:
    """Open an account in an organisation the actor manages. Without a password, the person
    receives an email to choose one."""
    _require(_may_manage_user(actor, organization))
    user = User(
        username=username.strip(),
        email=User.objects.normalize_email(email),
        organization=organization,
        full_name=full_name.strip(),
        preferred_language=preferred_language,
    )
    if User.objects.filter(username__iexact=user.username).exists():
        raise ValidationError({"username": _("This username is already taken.")})
    if User.objects.filter(email__iexact=user.email).exists():
        raise ValidationError({"email": _("An account with this email address already exists.")})
    if password:
        from django.contrib.auth.password_validation import validate_password

        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    _full_clean(user, exclude=["password"])
    user.save()
    audit.record(
        actor=actor,
        action="accounts.user.create",
        obj=user,
        changes={f: [None, audit._jsonable(getattr(user, f))] for f in ("username", *USER_FIELDS)},
    )
    if send_invitation and not password:
        from cicte.accounts import tasks

        user_pk = user.pk
        transaction.on_commit(lambda: tasks.send_invitation(user_pk))
    return user


@transaction.atomic
def update_user(*, actor: User, user: User, **changes: Any) -> User:
    """Change an account: its holder changes their name, email and language; managers also the
    organisation and whether the account is active. A new email address (not just a change of
    case) is unverified until its holder follows the link mailed to it; when the holder made
    the change, the mail goes out after commit (:func:`send_email_verification`)."""
    unknown = set(changes) - set(USER_FIELDS)
    if unknown:
        raise ValueError(f"Unknown user fields: {sorted(unknown)}")
    self_service = {"email", "full_name", "preferred_language"}
    if not (actor.pk == user.pk and set(changes) <= self_service):
        _require(_may_manage_user(actor, user.organization))
        if "organization" in changes:
            _require(_may_manage_user(actor, changes["organization"]))
        if actor.pk == user.pk and changes.get("is_active") is False:
            raise ValidationError({"is_active": _("You cannot deactivate your own account.")})
    before = audit.snapshot(user, USER_FIELDS)
    old_email = user.email
    for field, value in changes.items():
        setattr(user, field, value)
    email_changed = False
    if "email" in changes:
        user.email = User.objects.normalize_email(user.email)
        if User.objects.filter(email__iexact=user.email).exclude(pk=user.pk).exists():
            raise ValidationError(
                {"email": _("An account with this email address already exists.")}
            )
        # Addresses compare case-insensitively everywhere on the platform (uniqueness, the
        # work plan's links): a change of case is the same mailbox.
        email_changed = (old_email or "").casefold() != user.email.casefold()
    _full_clean(user, exclude=["password"])
    audit_changes = audit.diff(user, before, USER_FIELDS)
    if email_changed:
        # A new address is unproven, whoever typed it, until its holder follows the link sent
        # to it. Links to the old address (a work plan participant) stay.
        if user.email_verified_at is not None:
            audit_changes["email_verified_at"] = [user.email_verified_at.isoformat(), None]
        user.email_verified_at = None
        if actor.pk == user.pk:
            user.email_verification_sent_at = timezone.now()
    user.save()
    audit.record(
        actor=actor,
        action="accounts.user.update",
        obj=user,
        changes=audit_changes,
    )
    if email_changed and actor.pk == user.pk:
        _queue_verification_email(user)
    if changes.get("is_active") is False:
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    return user


# --- Verified email addresses --------------------------------------------------------------


class VerificationEmailTooSoon(ValidationError):
    """A verification email was sent to this account less than a minute ago."""


def _queue_verification_email(user: User) -> None:
    """Send the verification mail once the transaction has committed (through the worker)."""
    from cicte.accounts import emails

    user_pk, email = user.pk, user.email
    transaction.on_commit(lambda: emails.send_email_verification(user_pk, email))


@transaction.atomic
def send_email_verification(*, actor: User, user: User) -> None:
    """Email the holder, at the account's address, a link that verifies it (valid
    ``ACCOUNTS_EMAIL_VERIFY_HOURS``); at most one a minute per account
    (:class:`VerificationEmailTooSoon` otherwise). Only the holder asks for it."""
    _require(actor.pk == user.pk)
    if user.email_verified_at is not None:
        raise ValidationError(_("Your email address is already verified."))
    now = timezone.now()
    # One conditional UPDATE: two clicks at once send one mail.
    sent = (
        User.objects.filter(pk=user.pk)
        .filter(
            Q(email_verification_sent_at__isnull=True)
            | Q(email_verification_sent_at__lte=now - EMAIL_VERIFICATION_INTERVAL)
        )
        .update(email_verification_sent_at=now)
    )
    if not sent:
        raise VerificationEmailTooSoon(
            _(
                "A verification email was sent less than a minute ago. Check your mailbox, or "
                "wait a minute before asking for another one."
            )
        )
    user.email_verification_sent_at = now
    audit.record(actor=actor, action="accounts.user.email_verification_send", obj=user)
    _queue_verification_email(user)


@transaction.atomic
def verify_email(*, actor: User, user: User, email: str | None = None) -> User:
    """Record that the holder has proven they receive mail at the account's address (they
    followed the invitation, a password reset or a verification link sent to it); ``email``,
    when given, is the address that was proven, refused if the account's address has changed
    since. Audited (``accounts.user.verify_email``); then sends
    :data:`cicte.accounts.signals.email_verified` inside this transaction, so that what its
    receivers write (the work plan's links to certificate holders) commits with it. Only the
    holder verifies their own address; an address already verified is left as it is."""
    from cicte.accounts.signals import email_verified

    _require(actor.pk == user.pk)
    locked = User.objects.select_for_update().get(pk=user.pk)
    if email is not None and locked.email.casefold() != email.strip().casefold():
        raise ValidationError(
            {"email": _("The account's email address has changed since the link was sent.")}
        )
    if locked.email_verified_at is not None:
        user.email_verified_at = locked.email_verified_at
        return user
    now = timezone.now()
    locked.email_verified_at = now
    locked.save(update_fields=["email_verified_at"])
    user.email = locked.email
    user.email_verified_at = now
    audit.record(
        actor=actor,
        action="accounts.user.verify_email",
        obj=user,
        changes={"email": user.email, "email_verified_at": [None, now.isoformat()]},
    )
    email_verified.send(sender=User, user=user, actor=actor)
    return user


@transaction.atomic
def change_password(*, actor: User, user: User, new_password: str) -> None:
    """Record a password change (the form has already checked the old one)."""
    _require(actor.pk == user.pk)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record(actor=actor, action="accounts.password.change", obj=user)


@transaction.atomic
def record_password_reset(*, user: User) -> None:
    """Record a password chosen through an emailed link (the invitation or a reset). The link
    went to the account's address and stops working once that address changes (Django's token
    covers it), so following it also verifies the address."""
    audit.record(actor=user, action="accounts.password.reset", obj=user)
    if user.email_verified_at is None:
        verify_email(actor=user, user=user)


# --- Roles ---------------------------------------------------------------------------------


def assignable_roles(actor: User) -> list[Role]:
    """The roles the actor may grant (somewhere)."""
    held = {g.role for g in permissions.grants_for(actor)}
    return list(
        Role.objects.filter(assignable_by__slug__in=held).distinct().prefetch_related("networks")
    )


def _may_assign(
    actor: User,
    *,
    user: User,
    role: Role,
    network: Network | None,
    organization: Organization | None,
) -> bool:
    granting = set(role.assignable_by.values_list("slug", flat=True))
    for grant in permissions.grants_for(actor):
        if grant.role not in granting:
            continue
        if grant.scope == RoleScope.GLOBAL:
            return True
        state_id = user.organization.member_state_id if user.organization_id else None  # type: ignore[union-attr]
        if grant.scope == RoleScope.NETWORK:
            # A national coordinator grants in their own network, to people of their own state.
            if state_id is None or grant.member_state_id != state_id:
                continue
            if (
                role.scope == RoleScope.NETWORK
                and network is not None
                and network.pk != grant.network_id
            ):
                continue
            if (
                role.scope == RoleScope.ORGANIZATION
                and organization is not None
                and organization.member_state_id != state_id
            ):
                continue
            return True
        if grant.scope == RoleScope.ORGANIZATION:
            # An organisation administrator grants to their own people, in networks their
            # organisation belongs to.
            if user.organization_id != grant.organization_id:
                continue
            if (
                role.scope == RoleScope.ORGANIZATION
                and organization is not None
                and organization.pk != grant.organization_id
            ):
                continue
            if (
                role.scope == RoleScope.NETWORK
                and network is not None
                and not OrganizationMembership.objects.filter(
                    organization_id=grant.organization_id or 0, network=network
                ).exists()
            ):
                continue
            return True
    return False


def _check_role_network(role: Role, network: Network | None) -> None:
    """A role limited to some networks (``Role.networks``) is held in those only: a
    ValidationError on ``network`` naming them otherwise."""
    if role.scope == RoleScope.NETWORK and network is not None and not role.allows_network(network):
        raise ValidationError({"network": role.network_limit_error()})


@transaction.atomic
def assign_role(
    *,
    actor: User,
    user: User,
    role: Role,
    network: Network | None = None,
    organization: Organization | None = None,
) -> RoleAssignment:
    """Grant a role, in the scope the role has (a network role limited to some networks only
    in one of them)."""
    if role.scope == RoleScope.ORGANIZATION and organization is None:
        organization = user.organization
    _check_role_network(role, network)
    _require(_may_assign(actor, user=user, role=role, network=network, organization=organization))
    assignment = RoleAssignment(
        user=user, role=role, network=network, organization=organization, granted_by=actor
    )
    _full_clean(assignment, exclude=["granted_by"], validate_constraints=False)
    existing = RoleAssignment.objects.filter(
        user=user, role=role, network=network, organization=organization
    ).first()
    if existing:
        return existing
    assignment.save()
    permissions.forget(user)
    audit.record(
        actor=actor,
        action="accounts.role.assign",
        obj=assignment,
        changes={
            "role": role.slug,
            "network": network.slug if network else None,
            "organization": organization.slug if organization else None,
        },
        subject_member_state_id=user.organization.member_state_id if user.organization_id else None,  # type: ignore[union-attr]
    )
    return assignment


@transaction.atomic
def revoke_role(*, actor: User, assignment: RoleAssignment) -> None:
    _require(
        _may_assign(
            actor,
            user=assignment.user,
            role=assignment.role,
            network=assignment.network,
            organization=assignment.organization,
        )
    )
    if assignment.user_id == actor.pk and assignment.role.slug == "secretariat_admin":
        raise ValidationError(_("You cannot revoke your own Secretariat administrator role."))
    audit.record(
        actor=actor,
        action="accounts.role.revoke",
        obj=assignment,
        changes={"role": assignment.role.slug},
        subject_member_state_id=assignment.member_state_id,
    )
    assignment.delete()
    permissions.forget(assignment.user)


# --- API tokens ----------------------------------------------------------------------------


def _validate_scopes(scopes: list[str]) -> list[str]:
    valid = {f"{module}:{access}" for module in TOKEN_MODULES for access in ("read", "write")}
    bad = sorted(set(scopes) - valid)
    if bad:
        raise ValidationError(
            {
                "scopes": _("Unknown scopes: {scopes}. Valid scopes: {valid}.").format(
                    scopes=", ".join(bad), valid=", ".join(sorted(valid))
                )
            }
        )
    if not scopes:
        raise ValidationError({"scopes": _("Choose at least one scope.")})
    return sorted(set(scopes))


@transaction.atomic
def create_api_token(
    *, actor: User, name: str, scopes: list[str], expires_in_days: int
) -> tuple[ApiToken, str]:
    """Create a personal token; the secret is returned once and only its digest is kept."""
    if not 1 <= expires_in_days <= MAX_TOKEN_DAYS:
        raise ValidationError(
            {
                "expires_in_days": _("A token expires after 1 to {max} days.").format(
                    max=MAX_TOKEN_DAYS
                )
            }
        )
    if not name.strip():
        raise ValidationError({"name": _("Give the token a name that says what uses it.")})
    secret, prefix, digest = ApiToken.generate()
    token = ApiToken.objects.create(
        user=actor,
        name=name.strip()[:100],
        prefix=prefix,
        digest=digest,
        scopes=_validate_scopes(scopes),
        expires_at=timezone.now() + timedelta(days=expires_in_days),
    )
    audit.record(
        actor=actor,
        action="accounts.token.create",
        obj=token,
        changes={"scopes": token.scopes, "expires_at": token.expires_at.isoformat()},
    )
    return token, secret


@transaction.atomic
def revoke_api_token(*, actor: User, token: ApiToken) -> None:
    _require(token.user_id == actor.pk or _may_manage_user(actor, token.user.organization))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="accounts.token.revoke", obj=token)


def _active_token(digest: str) -> ApiToken | None:
    """The active token of this digest, with its user and the user's organisation: one
    statement, compiled once (every API and TAXII request comes through here)."""
    tokens = statements.instances(
        "accounts.token.active",
        lambda digest, now: (
            ApiToken.objects.active(now)
            .filter(digest=digest)
            .select_related("user", "user__organization")
            .order_by()[:1]
        ),
        digest,
        timezone.now(),
    )
    return tokens[0] if tokens else None


def authenticate_token(secret: str, *, username: str | None = None) -> ApiToken | None:
    """The active token with this secret (of the account ``username``, when given), after noting
    its use: a last-used time, and at most one audit event per token per hour. A refused
    request notes nothing."""
    token = _active_token(token_digest(secret))
    if token is None or not token.user.is_active:
        return None
    if username is not None and token.user.get_username().lower() != username.lower():
        return None
    now = timezone.now()
    updates: dict[str, Any] = {}
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        updates["last_used_at"] = now
    if token.last_audited_at is None or now - token.last_audited_at >= timedelta(hours=1):
        updates["last_audited_at"] = now
    if updates:
        with transaction.atomic():
            ApiToken.objects.filter(pk=token.pk).update(**updates)
            if "last_audited_at" in updates:
                audit.record(actor=token.user, action="accounts.token.use", obj=token)
        for field, value in updates.items():
            setattr(token, field, value)
    return token


# --- Two-factor authentication -------------------------------------------------------------


@transaction.atomic
def start_totp_setup(*, actor: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for the actor (replacing an unconfirmed one)."""
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    return TOTPDevice.objects.create(
        user=actor, name=_("Authenticator app"), key=TOTPDevice.new_key(), confirmed=False
    )


def _new_recovery_codes(user: User) -> list[str]:
    import secrets as _secrets

    device, _created = RecoveryCodeDevice.objects.get_or_create(
        user=user, defaults={"name": "Recovery codes", "confirmed": True}
    )
    device.codes.all().delete()
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = []
    for _i in range(10):
        raw = "".join(_secrets.choice(alphabet) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    RecoveryCode.objects.bulk_create(
        [
            RecoveryCode(device=device, digest=token_digest(RecoveryCodeDevice.normalize(c)))
            for c in codes
        ]
    )
    return codes


@transaction.atomic
def confirm_totp(*, actor: User, device: TOTPDevice, token: str) -> list[str]:
    """Confirm a new authenticator with a code from it; returns fresh recovery codes (shown once).
    Any earlier authenticator is replaced."""
    _require(device.user_id == actor.pk)
    if not device.verify_token(token):
        raise ValidationError(
            {
                "token": _(
                    "That code is not valid. Check your device's clock and enter the current code."
                )
            }
        )
    TOTPDevice.objects.filter(user=actor, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(actor)
    audit.record(actor=actor, action="accounts.mfa.enable", obj=actor)
    return codes


@transaction.atomic
def regenerate_recovery_codes(*, actor: User) -> list[str]:
    _require(actor.has_mfa)
    codes = _new_recovery_codes(actor)
    audit.record(actor=actor, action="accounts.mfa.recovery_codes", obj=actor)
    return codes


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user).count()


@transaction.atomic
def disable_mfa(*, actor: User, user: User) -> None:
    """Remove a person's second factor: by themselves where their roles allow it, or by a
    manager of their account (a lost phone)."""
    if actor.pk == user.pk:
        if user.requires_mfa:
            raise ValidationError(
                _(
                    "Your role requires two-factor authentication; set up a new authenticator instead."
                )
            )
    else:
        _require(_may_manage_user(actor, user.organization))
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCodeDevice.objects.filter(user=user).delete()
    audit.record(actor=actor, action="accounts.mfa.disable", obj=user)


# --- What the UI asks before offering a form (the services above still decide) -------------


def may_manage_organization(actor: User, organization: Organization) -> bool:
    """Whether the actor may change this organisation's details."""
    return _may_manage_organization(
        actor, kind=organization.kind, member_state=organization.member_state
    )


def may_manage_user(actor: User, user: User) -> bool:
    """Whether the actor manages this account (edit, roles, second factor)."""
    return _may_manage_user(actor, user.organization)


def may_manage_membership(actor: User, membership: OrganizationMembership) -> bool:
    """Whether the actor may change or end this organisation's membership of its network."""
    return _may_manage_membership(actor, membership.organization, membership.network)
