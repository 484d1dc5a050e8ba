"""Factories for tests of every app: organisations, people with roles, tokens, TOTP devices."""

from __future__ import annotations

import time
from typing import Any

import factory
from django.utils import timezone
from django_otp.oath import TOTP

from cicte.accounts.choices import OrganizationKind
from cicte.accounts.models import (
    ApiToken,
    MemberState,
    Network,
    Organization,
    OrganizationMembership,
    Role,
    RoleAssignment,
    TOTPDevice,
    User,
)

PASSWORD = "correct-horse-battery-staple-42"


def state(code: str) -> MemberState:
    return MemberState.objects.get(code=code)


def network(slug: str = "csirtamericas") -> Network:
    return Network.objects.get(slug=slug)


def role(slug: str) -> Role:
    return Role.objects.get(slug=slug)


def secretariat() -> Organization:
    return Organization.objects.get(slug="cicte-secretariat")


class OrganizationFactory(factory.django.DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Institution {n}")
    slug = factory.Sequence(lambda n: f"institution-{n}")
    kind = OrganizationKind.MINISTRY
    member_state = factory.LazyFunction(lambda: state("AR"))


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    full_name = factory.LazyAttribute(lambda o: o.username.title())
    organization = factory.SubFactory(OrganizationFactory)
    # Factory-made accounts have proven their address, as accounts in use have; pass
    # ``email_verified_at=None`` for one that has not.
    email_verified_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: Any) -> None:
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


def grant(
    user: User,
    role_slug: str,
    *,
    network_slug: str | None = None,
    organization: Organization | None = None,
) -> RoleAssignment:
    """Give ``user`` a role directly (tests only; the app grants through services)."""
    the_role = role(role_slug)
    if the_role.scope == "organization" and organization is None:
        organization = user.organization
    return RoleAssignment.objects.create(
        user=user,
        role=the_role,
        network=network(network_slug) if network_slug else None,
        organization=organization if the_role.scope == "organization" else None,
    )


def join(
    organization: Organization, network_slug: str, role_slug: str = "member"
) -> OrganizationMembership:
    return OrganizationMembership.objects.create(
        organization=organization, network=network(network_slug), role=role(role_slug)
    )


def add_totp(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(
        user=user, name="phone", key=TOTPDevice.new_key(), confirmed=True
    )


def totp_now(device: TOTPDevice, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, TOTPDevice.STEP, 0, TOTPDevice.DIGITS, 0)
    totp.time = time.time() + offset_steps * TOTPDevice.STEP
    return f"{totp.token():06d}"


def secretariat_admin(**kwargs: Any) -> User:
    user = UserFactory(organization=secretariat(), **kwargs)
    grant(user, "secretariat_admin")
    return user


def national_coordinator(
    state_code: str = "AR", network_slug: str = "csirtamericas", **kwargs: Any
) -> User:
    organization = kwargs.pop("organization", None) or OrganizationFactory(
        member_state=state(state_code)
    )
    user = UserFactory(organization=organization, **kwargs)
    grant(user, "national_coordinator", network_slug=network_slug)
    return user


def api_token(
    user: User, *scopes: str, days: int = 30, name: str = "test token"
) -> tuple[ApiToken, str]:
    """A personal API token of ``user`` (default scope ``accounts:write``) and its secret."""
    from cicte.accounts import services

    return services.create_api_token(
        actor=user, name=name, scopes=list(scopes or ["accounts:write"]), expires_in_days=days
    )
