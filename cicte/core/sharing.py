"""The one visibility rule: TLP 2.0 as the platform applies it (docs/sharing.md).

Every shareable model inherits :class:`Shareable`; every read of shareable data goes through
``Model.objects.visible_to(user)``: UI lists and details, the REST API, TAXII, exports, search.
The rule is written once, here, as one SQL filter built from EXISTS sub-queries (no joins, so no
duplicates and no DISTINCT, and counts stay exact).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from cicte.core.choices import TLP

if TYPE_CHECKING:
    from cicte.accounts.models import User


@dataclass(frozen=True)
class SharingContext:
    """What the rule needs to know of a user, read once per request."""

    user_id: int
    organization_id: int | None
    network_ids: frozenset[int]


def sharing_context(user: User) -> SharingContext:
    cached = getattr(user, "_sharing_context", None)
    if cached is None:
        from cicte.accounts.selectors import network_ids_for

        cached = SharingContext(
            user_id=user.pk,
            organization_id=user.organization_id,
            network_ids=frozenset(network_ids_for(user)),
        )
        user._sharing_context = cached  # type: ignore[attr-defined]
    return cached


def rule_key(user: Any) -> tuple[Any, ...]:
    """Everything of ``user`` that :meth:`ShareableQuerySet.visible_to` reads, as a hashable
    key: two users with the same key get the same SQL from it. A statement compiled once and
    run again (:mod:`cicte.core.statements`) names it in its key; keep the two together."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ("anonymous",)
    ctx = sharing_context(user)
    return (ctx.user_id, ctx.organization_id, tuple(sorted(ctx.network_ids)))


class ShareableQuerySet(models.QuerySet):
    def _through(self, field_name: str) -> tuple[type[models.Model], str, str]:
        field = self.model._meta.get_field(field_name)
        through = field.remote_field.through
        return through, field.m2m_field_name(), field.m2m_reverse_field_name()

    def _audience_exists(self, field_name: str, **target: Any) -> Exists:
        through, source, reverse = self._through(field_name)
        lookups = {f"{source}_id": OuterRef("pk")}
        lookups.update({f"{reverse}_{key}": value for key, value in target.items()})
        return Exists(through._default_manager.filter(**lookups))

    def visible_to(self, user: Any) -> Self:
        """What ``user`` may see, by TLP 2.0:

        - CLEAR: everyone, signed in or not;
        - GREEN: members of the audience networks (when none are set, of the owner
          organisation's networks), plus the owner and audience organisations;
        - AMBER and AMBER+STRICT: the owner organisation and the audience organisations;
        - RED: the author and the named people only;
        - at every label, the author and the named people.

        No role widens this: Secretariat administrators manage structures, not content.
        """
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.filter(tlp=TLP.CLEAR)
        ctx = sharing_context(user)
        condition: Any = (
            Q(tlp=TLP.CLEAR)
            | Q(created_by_id=ctx.user_id)
            | self._audience_exists("audience_users", id=ctx.user_id)
        )
        if ctx.organization_id is not None:
            condition |= Q(tlp__in=[TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT]) & (
                Q(owner_organization_id=ctx.organization_id)
                | self._audience_exists("audience_organizations", id=ctx.organization_id)
            )
        if ctx.network_ids:
            from cicte.accounts.models import OrganizationMembership

            network_ids = sorted(ctx.network_ids)
            in_audience_network = self._audience_exists("audience_networks", id__in=network_ids)
            no_audience_network = ~self._audience_exists("audience_networks")
            owner_in_network = Exists(
                OrganizationMembership.objects.filter(
                    organization_id=OuterRef("owner_organization_id"), network_id__in=network_ids
                )
            )
            condition |= Q(tlp=TLP.GREEN) & (
                in_audience_network | (no_audience_network & owner_in_network)
            )
        return self.filter(condition)

    def leaving_platform(self) -> Self:
        """What may go into bulk feeds, sync and exports at all: never TLP:RED."""
        return self.exclude(tlp=TLP.RED)


class Shareable(models.Model):
    """Base of everything that can be shared: an owner organisation, a TLP 2.0 label and an
    audience (networks, organisations, named people). Read it only through ``visible_to``."""

    owner_organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("owner organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    tlp = models.CharField(
        _("TLP"), max_length=12, choices=TLP.choices, default=TLP.AMBER, db_index=True
    )
    audience_networks = models.ManyToManyField(
        "accounts.Network",
        verbose_name=_("audience networks"),
        blank=True,
        related_name="+",
    )
    audience_organizations = models.ManyToManyField(
        "accounts.Organization",
        verbose_name=_("audience organisations"),
        blank=True,
        related_name="+",
    )
    audience_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("named recipients"),
        blank=True,
        related_name="+",
    )

    objects = ShareableQuerySet.as_manager()

    class Meta:
        abstract = True
