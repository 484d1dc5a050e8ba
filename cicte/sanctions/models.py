"""Sanctions lists, their versions and the entities they list, as FollowTheMoney entities.

Sanctions lists are public information (the UN and OFAC publish theirs openly): every signed-in,
active person reads them. One rule, :func:`reads_lists` and the querysets' ``visible_to(user)``
(lists, versions, their changes, entries), decides it for the pages, the API, the exports and
screening; the command line reads what is published (``published()``). A domestic list's
entries go through the designation workflow (:mod:`cicte.designations`): only the published
ones are stored here, as ``ListEntity`` rows; a domestic list created but not yet published
(no version) is seen by its state's officials only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from cicte.sanctions.choices import ChangeKind, FetchStatus, ListKind

# The designation workflow's permissions (cicte.designations): their holders for a member state
# are its officials, who see its domestic list before its first publication.
DESIGNATION_PERMS = ("designations.propose_designation", "designations.approve_designation")


def reads_lists(user: Any) -> bool:
    """Whether ``user`` reads the sanctions lists at all: signed in and active. Anonymous
    visitors and inactive accounts read nothing (pages send them to the login page, the API
    answers 401)."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
    )


def _official_states(user: Any) -> set[int]:
    from cicte.accounts import permissions

    states: set[int] = set()
    for perm in DESIGNATION_PERMS:
        states |= permissions.member_states_with_perm(user, perm)
    return states


class SanctionsListQuerySet(models.QuerySet["SanctionsList"]):
    def published(self) -> SanctionsListQuerySet:
        """The lists as published: every official list (UN, OFAC), and each domestic list once
        a version of it is published. What the command line (an operator) reads."""
        return self.filter(
            ~Q(kind=ListKind.DOMESTIC) | Q(pk__in=ListVersion.objects.values("sanctions_list_id"))
        )

    def visible_to(self, user: Any) -> SanctionsListQuerySet:
        """The lists ``user`` reads: the published ones for every signed-in, active person, and
        also their own state's domestic list before its first publication for its officials
        (holders of a designation permission for that member state); nothing for anonymous
        visitors and inactive accounts."""
        if not reads_lists(user):
            return self.none()
        states = _official_states(user)
        published = self.published()
        if not states:
            return published
        return self.filter(
            Q(pk__in=published.values("pk")) | Q(kind=ListKind.DOMESTIC, member_state_id__in=states)
        )


class SanctionsList(models.Model):
    """A sanctions list: the UN consolidated list, OFAC's SDN list, or a member state's own."""

    key = models.SlugField(
        _("key"),
        max_length=8,
        unique=True,
        help_text=_(
            "'un', 'ofac' or, for a domestic list, the member state's lower-case ISO code."
        ),
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=ListKind.choices)
    member_state = models.ForeignKey(
        "accounts.MemberState",
        verbose_name=_("member state"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sanctions_lists",
    )
    # The last scheduled fetch: its time, outcome, and what the server said, to ask next time
    # only for a changed file (ETag/Last-Modified per URL) and to skip an unchanged one (SHA-256).
    last_fetch_at = models.DateTimeField(_("last fetch"), null=True, blank=True)
    last_fetch_status = models.CharField(
        _("last fetch status"), max_length=10, choices=FetchStatus.choices, blank=True
    )
    last_fetch_error = models.TextField(_("last fetch error"), blank=True)
    fetch_validators = models.JSONField(default=dict, blank=True)
    last_source_sha256 = models.CharField(max_length=64, blank=True)

    objects = SanctionsListQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "key"]
        verbose_name = _("sanctions list")
        verbose_name_plural = _("sanctions lists")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="domestic") | models.Q(member_state__isnull=False),
                name="sanctions_domestic_list_has_state",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def current_version(self) -> ListVersion | None:
        return self.versions.order_by("-number").first()


class ListVersionQuerySet(models.QuerySet["ListVersion"]):
    def visible_to(self, user: Any) -> ListVersionQuerySet:
        """The versions of the lists ``user`` reads (:meth:`SanctionsListQuerySet.visible_to`)."""
        if not reads_lists(user):
            return self.none()
        return self.filter(sanctions_list__in=SanctionsList.objects.visible_to(user))


class ListVersion(models.Model):
    """One import of a list: the file it came from and its diff against the previous version."""

    sanctions_list = models.ForeignKey(
        SanctionsList, verbose_name=_("list"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    source_name = models.CharField(_("source file"), max_length=500)
    source_sha256 = models.CharField(_("SHA-256 of the source"), max_length=64)
    entity_count = models.PositiveIntegerField(_("entities"), default=0)
    added_count = models.PositiveIntegerField(_("added"), default=0)
    amended_count = models.PositiveIntegerField(_("amended"), default=0)
    removed_count = models.PositiveIntegerField(_("removed"), default=0)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("imported by"), max_length=150, blank=True)

    objects = ListVersionQuerySet.as_manager()

    class Meta:
        ordering = ["sanctions_list", "-number"]
        verbose_name = _("list version")
        verbose_name_plural = _("list versions")
        constraints = [
            models.UniqueConstraint(
                fields=["sanctions_list", "number"], name="sanctions_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sanctions_list.key} v{self.number}"


class ListEntityQuerySet(models.QuerySet["ListEntity"]):
    def published(self) -> ListEntityQuerySet:
        """The entries of the published lists (:meth:`SanctionsListQuerySet.published`): what
        the command line reads."""
        return self.filter(sanctions_list__in=SanctionsList.objects.published())

    def visible_to(self, user: Any) -> ListEntityQuerySet:
        """The entries of the lists ``user`` reads (:meth:`SanctionsListQuerySet.visible_to`):
        the pages, the API, the exports and screening read entries only through this."""
        if not reads_lists(user):
            return self.none()
        return self.filter(sanctions_list__in=SanctionsList.objects.visible_to(user))

    def current(self) -> ListEntityQuerySet:
        """Entries listed now (delisted ones are kept, marked removed)."""
        return self.filter(removed_in__isnull=True)


class ListEntity(models.Model):
    """One entry of a list, kept across versions: its FtM entity and the entities hanging on it
    (Sanction, Identification/Passport, Address) as ``related``."""

    sanctions_list = models.ForeignKey(
        SanctionsList, verbose_name=_("list"), on_delete=models.CASCADE, related_name="entities"
    )
    source_id = models.CharField(_("list identifier"), max_length=100)
    ftm_id = models.CharField(_("FtM id"), max_length=200)
    schema = models.CharField(_("schema"), max_length=50)
    caption = models.CharField(_("name"), max_length=500)
    properties = models.JSONField(_("properties"), default=dict)
    related = models.JSONField(default=list, blank=True)
    # Lower-case names and aliases, one per line: the list page's simple search.
    names_text = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64)
    first_version = models.ForeignKey(
        ListVersion, on_delete=models.PROTECT, related_name="first_entities"
    )
    last_changed_version = models.ForeignKey(
        ListVersion, on_delete=models.PROTECT, related_name="changed_entities"
    )
    removed_in = models.ForeignKey(
        ListVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="removed_entities",
    )

    objects = ListEntityQuerySet.as_manager()

    class Meta:
        ordering = ["caption"]
        verbose_name = _("list entity")
        verbose_name_plural = _("list entities")
        constraints = [
            models.UniqueConstraint(
                fields=["sanctions_list", "ftm_id"], name="sanctions_entity_ftm_id_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["sanctions_list", "source_id"], name="sanctions_entity_source_idx")
        ]

    def __str__(self) -> str:
        return self.caption

    def ftm_dict(self) -> dict[str, Any]:
        return {"id": self.ftm_id, "schema": self.schema, "properties": self.properties}


class EntityChangeQuerySet(models.QuerySet["EntityChange"]):
    def visible_to(self, user: Any) -> EntityChangeQuerySet:
        """The changes made by the versions ``user`` reads (a version's diff)."""
        if not reads_lists(user):
            return self.none()
        return self.filter(version__sanctions_list__in=SanctionsList.objects.visible_to(user))


class EntityChange(models.Model):
    """What one version did to one entry: added, amended (with the changed properties, before
    and after) or removed (with the properties it had)."""

    version = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="changes")
    entity = models.ForeignKey(ListEntity, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("change"), max_length=10, choices=ChangeKind.choices)
    # Amended: {property: [values before, values after]} for each changed property (a related
    # entity's as "Schema.property"); removed: {property: [values before, []]}; added: {}.
    diff = models.JSONField(default=dict, blank=True)

    objects = EntityChangeQuerySet.as_manager()

    class Meta:
        ordering = ["version", "kind", "entity__caption"]
        verbose_name = _("entity change")
        verbose_name_plural = _("entity changes")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "entity"], name="sanctions_change_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.kind} {self.entity_id}"


# --- Subscriptions of reporting entities and their notifications ---------------------------------

MANAGE_SUBSCRIPTIONS = "sanctions.manage_subscriptions"


def sees_every_notification(user: Any) -> bool:
    """The Secretariat and the financial intelligence units watch every reporting entity's
    notifications (who was told of a change, and how fast)."""
    from cicte.accounts import permissions
    from cicte.accounts.choices import OrganizationKind

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if permissions.has_global_perm(user, MANAGE_SUBSCRIPTIONS):
        return True
    organization = user.organization if user.organization_id else None
    return organization is not None and organization.kind in (
        OrganizationKind.SECRETARIAT,
        OrganizationKind.FIU,
    )


class ListSubscriptionQuerySet(models.QuerySet["ListSubscription"]):
    def visible_to(self, user: Any) -> ListSubscriptionQuerySet:
        """Those who manage them: the Secretariat (every subscription) and the administrators
        of the subscribing organisation (its own)."""
        from cicte.accounts import permissions

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if permissions.has_global_perm(user, MANAGE_SUBSCRIPTIONS):
            return self.all()
        return self.filter(
            organization_id__in=permissions.organizations_with_perm(user, MANAGE_SUBSCRIPTIONS)
        )

    def following(self, sanctions_list: SanctionsList) -> ListSubscriptionQuerySet:
        """Active subscriptions of active organisations to ``sanctions_list`` (those naming no
        list follow every list, domestic lists added later included)."""
        return (
            self.filter(is_active=True, organization__is_active=True)
            .filter(Q(lists__isnull=True) | Q(lists=sanctions_list))
            .distinct()
        )


class ListSubscription(models.Model):
    """A reporting entity (a bank or another obliged entity) told of every change to the lists it
    follows, at once: by email to the addresses given and by a signed webhook."""

    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="sanctions_subscriptions",
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What it is for, for example Compliance desk.")
    )
    lists = models.ManyToManyField(
        SanctionsList,
        verbose_name=_("lists"),
        blank=True,
        related_name="subscriptions",
        help_text=_("None: every list, domestic lists added later included."),
    )
    emails = models.JSONField(_("email addresses"), default=list, blank=True)
    language = models.CharField(_("language of the emails"), max_length=5, default="en")
    webhook = models.ForeignKey(
        "core.WebhookEndpoint",
        verbose_name=_("webhook"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    objects = ListSubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["organization__name", "name", "pk"]
        verbose_name = _("list subscription")
        verbose_name_plural = _("list subscriptions")

    def __str__(self) -> str:
        return f"{self.organization} · {self.name}"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def visible_to(self, user: Any) -> NotificationQuerySet:
        """The Secretariat and the financial intelligence units see every notification; the
        people of a subscribing organisation see their organisation's."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if sees_every_notification(user):
            return self.all()
        if not user.organization_id:
            return self.none()
        return self.filter(organization_id=user.organization_id)


class Notification(models.Model):
    """One list version told to one subscription: when the change was made, when the email left,
    and the webhook delivery (whose attempts say when it was delivered)."""

    version = models.ForeignKey(
        ListVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    subscription = models.ForeignKey(
        ListSubscription,
        verbose_name=_("subscription"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    # Kept when the subscription is deleted: the organisation's record of what it was told.
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"))
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    email_to = models.JSONField(_("email recipients"), default=list, blank=True)
    email_sent_at = models.DateTimeField(_("email sent at"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("email attempts"), default=0)
    email_error = models.TextField(_("email error"), blank=True)
    webhook_delivery = models.ForeignKey(
        "core.WebhookDelivery",
        verbose_name=_("webhook delivery"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "organization__name", "pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "subscription"], name="sanctions_notification_once"
            )
        ]
        indexes = [models.Index(fields=["changed_at"], name="sanctions_notif_changed_idx")]

    def __str__(self) -> str:
        return f"{self.version} → {self.organization}"

    @property
    def email_delay(self) -> dt.timedelta | None:
        """From the change to the email's leaving the platform."""
        if self.email_sent_at is None:
            return None
        return self.email_sent_at - self.changed_at

    @property
    def webhook_delivered_at(self) -> dt.datetime | None:
        """When the receiver answered 2xx: the successful attempt's start plus its duration."""
        delivery = self.webhook_delivery
        if delivery is None or delivery.delivered_at is None:
            return None
        for entry in reversed(delivery.attempt_log):
            if entry.get("error") or not 200 <= (entry.get("status_code") or 0) < 300:
                continue
            at = parse_datetime(str(entry.get("at") or ""))
            if at is not None:
                return at + dt.timedelta(milliseconds=int(entry.get("ms") or 0))
        return delivery.delivered_at

    @property
    def webhook_delay(self) -> dt.timedelta | None:
        """From the change to the webhook's delivery."""
        delivered = self.webhook_delivered_at
        return None if delivered is None else delivered - self.changed_at
