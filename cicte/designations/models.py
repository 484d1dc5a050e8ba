"""Domestic sanctions designations (UNSCR 1373) and the four-eyes actions that change them.

A :class:`Designation` is a person or an organisation that a member state's competent authority
designates, with its identifying details (``details``, validated by
:mod:`cicte.designations.details`), its legal basis, a confidential statement of case and a
public narrative summary. It never changes directly: every change is an :class:`Action`
(designate, amend, delist, unfreeze) that one official proposes and a second one approves; the
approval applies it and publishes the state's domestic list (:mod:`cicte.designations.publication`).

Who sees what (``visible_to``): the state's own officials holding the propose or approve
permission see everything of their state's designations, pending proposals and statements of
case included; every other signed-in person sees listed and delisted designations only, and
only their public fields (the pages and the API show them the public part); anonymous visitors
see nothing. Actions (whose payloads carry the statement of case) are for the state's officials
only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cicte.accounts import permissions
from cicte.designations.choices import (
    ActionKind,
    ActionStatus,
    DesignationStatus,
    FreezeStatus,
    SubjectKind,
)

PROPOSE = "designations.propose_designation"
APPROVE = "designations.approve_designation"
PUBLIC_STATUSES = (DesignationStatus.LISTED, DesignationStatus.DELISTED)


def official_states(user: Any) -> set[int]:
    """The member states for which ``user`` proposes or approves designations."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return permissions.member_states_with_perm(user, PROPOSE) | permissions.member_states_with_perm(
        user, APPROVE
    )


class DesignationQuerySet(models.QuerySet["Designation"]):
    def visible_to(self, user: Any) -> DesignationQuerySet:
        """Everything of the states the person is an official of; listed and delisted
        designations (public fields only, see :meth:`Designation.is_official`) for every other
        signed-in person; nothing for anonymous visitors."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        states = official_states(user)
        return self.filter(Q(member_state_id__in=states) | Q(status__in=PUBLIC_STATUSES))

    def managed_by(self, user: Any) -> DesignationQuerySet:
        """The designations of the states the person is an official of (all fields)."""
        return self.filter(member_state_id__in=official_states(user))


class Designation(models.Model):
    """A member state's designation of a person or an organisation under UNSCR 1373."""

    member_state = models.ForeignKey(
        "accounts.MemberState",
        verbose_name=_("member state"),
        on_delete=models.PROTECT,
        related_name="sanctions_designations",
    )
    reference = models.CharField(_("reference number"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=SubjectKind.choices)
    name = models.CharField(_("name"), max_length=300)
    # Identifying details, as cicte.designations.details validates them (names, aliases, dates
    # and place of birth, nationalities, documents, addresses, legal form...).
    details = models.JSONField(_("identifying details"), default=dict)
    domestic_law = models.CharField(_("domestic law"), max_length=300)
    article = models.CharField(_("article"), max_length=100, blank=True)
    statement_of_case = models.TextField(_("statement of case"))
    public_summary = models.TextField(_("narrative summary"))
    authority = models.CharField(_("competent authority"), max_length=300)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=DesignationStatus.choices,
        default=DesignationStatus.PROPOSED,
    )
    listed_at = models.DateTimeField(_("listed at"), null=True, blank=True)
    delisted_at = models.DateTimeField(_("delisted at"), null=True, blank=True)
    delisting_reason = models.TextField(_("reason for delisting"), blank=True)
    freeze_status = models.CharField(
        _("freeze"), max_length=20, choices=FreezeStatus.choices, blank=True, default=""
    )
    # The humanitarian exemptions granted (approved partial unfreezing actions), in order.
    exemptions = models.JSONField(default=list, blank=True)
    ftm_id = models.CharField(_("FtM id"), max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DesignationQuerySet.as_manager()

    class Meta:
        ordering = ["-reference"]
        verbose_name = _("sanctions designation")
        verbose_name_plural = _("sanctions designations")
        indexes = [models.Index(fields=["member_state", "status"], name="designation_state_status")]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    def is_official(self, user: Any) -> bool:
        """Whether ``user`` is one of the state's officials (sees every field and action)."""
        return self.member_state_id in official_states(user)

    @property
    def list_key(self) -> str:
        return self.member_state.code.lower()


class ActionQuerySet(models.QuerySet["Action"]):
    def visible_to(self, user: Any) -> ActionQuerySet:
        """Only the state's officials see the actions (their payloads hold the statement of
        case); nobody else, signed in or not."""
        return self.filter(designation__member_state_id__in=official_states(user))

    def pending(self) -> ActionQuerySet:
        return self.filter(status=ActionStatus.PENDING)


class Action(models.Model):
    """One change to a designation, through four eyes: proposed by one official, approved (then
    applied and published at once) or rejected by another, or withdrawn by its proposer."""

    designation = models.ForeignKey(
        Designation,
        verbose_name=_("designation"),
        on_delete=models.CASCADE,
        related_name="actions",
    )
    kind = models.CharField(_("action"), max_length=10, choices=ActionKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.PENDING
    )
    # The proposed change, validated (cicte.designations.details): the full details for
    # designate and amend, the reason for delist, the scope and terms for unfreeze.
    payload = models.JSONField(_("proposed change"), default=dict)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)
    # The domestic list version the approval published (none when the list did not change).
    list_version = models.ForeignKey(
        "sanctions.ListVersion",
        verbose_name=_("published version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("designation action")
        verbose_name_plural = _("designation actions")
        constraints = [
            models.UniqueConstraint(
                fields=["designation"],
                condition=Q(status="pending"),
                name="designation_one_pending_action",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False),
                name="designation_action_decided_at",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.designation.reference}: {self.get_kind_display()} ({self.get_status_display()})"
        )

    @property
    def member_state_id(self) -> int:
        return self.designation.member_state_id
