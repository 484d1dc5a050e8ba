"""The secure exchange between points of contact (issue 8).

A :class:`Message` is a shareable record (TLP, owner organisation, audience) sent in one network
by a member state (through one of its designated contacts or network members) or by the CICTE
Secretariat, to the whole network or to chosen states: one :class:`Delivery` per addressed state
records when it was notified, read, acknowledged and answered, and how far it was escalated
(:class:`EscalationStep`). Replies form a thread under their root message.

Reads go through ``Message.objects.readable_by(user)``: the TLP rule (``visible_to``) **and**
being part of the conversation (docs/sharing.md, "Secure exchange").
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cicte.core import jobs
from cicte.core.sharing import Shareable, ShareableQuerySet
from cicte.messaging.choices import EscalationLevel, MessageKind, Urgency


def _private_storage() -> FileSystemStorage:
    """Attachments live outside the web root (the platform's private storage, shared with the
    upload jobs) and are served only by an authorised view."""
    return jobs.private_storage()


def represented_states(user: Any) -> dict[int, set[int]]:
    """For each network, the member states ``user`` speaks for in it: the states of their
    designations in force there (their own contact records), and their own state where they hold
    a role in that network (directly or through their organisation's membership). Cached on the
    user object for the request."""
    cached = getattr(user, "_exchange_states", None)
    if cached is not None:
        return cached
    from cicte.accounts import permissions
    from cicte.accounts.choices import RoleScope
    from cicte.directory.models import ContactDesignation

    result: dict[int, set[int]] = defaultdict(set)
    if getattr(user, "is_authenticated", False) and user.is_active:
        for grant in permissions.grants_for(user):
            if grant.scope == RoleScope.NETWORK and grant.network_id and grant.member_state_id:
                result[grant.network_id].add(grant.member_state_id)
        today = timezone.now().date()
        for network_id, state_id in (
            ContactDesignation.objects.current()
            .in_force_on(today)
            .filter(contact__user_id=user.pk, contact__is_active=True)
            .values_list("network_id", "member_state_id")
        ):
            result[network_id].add(state_id)
    user._exchange_states = dict(result)
    return user._exchange_states


def secretariat_networks(user: Any) -> set[int]:
    """The networks in which ``user`` is one of the CICTE Secretariat's members."""
    from cicte.accounts.choices import OrganizationKind
    from cicte.accounts.selectors import network_ids_for

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    organization = user.organization
    if organization is None or organization.kind != OrganizationKind.SECRETARIAT:
        return set()
    return network_ids_for(user)


def forget(user: Any) -> None:
    if hasattr(user, "_exchange_states"):
        del user._exchange_states


class MessageQuerySet(ShareableQuerySet):
    def readable_by(self, user: Any) -> MessageQuerySet:
        """What ``user`` may read: the TLP rule (``visible_to``, never bypassed) and being part of
        the conversation: the author, the sender's organisation, the named people, the people who
        speak for the sending or an addressed state in the message's network, and the
        Secretariat's members of that network. Nobody else, whatever their role."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        condition: Any = Q(created_by_id=user.pk) | self._audience_exists(
            "audience_users", id=user.pk
        )
        if user.organization_id:
            condition |= Q(owner_organization_id=user.organization_id)
        for network_id, states in sorted(represented_states(user).items()):
            state_ids = sorted(states)
            addressed = Exists(
                Delivery.objects.filter(message_id=OuterRef("pk"), member_state_id__in=state_ids)
            )
            condition |= Q(network_id=network_id) & (Q(sender_state_id__in=state_ids) | addressed)
        secretariat = secretariat_networks(user)
        if secretariat:
            condition |= Q(network_id__in=sorted(secretariat))
        return self.visible_to(user).filter(condition)

    def open_requests(self) -> MessageQuerySet:
        return self.filter(kind=MessageKind.RFI, closed_at__isnull=True)


class Message(Shareable):
    """An alert, a request for information, a response or a notice, sent in one network."""

    network = models.ForeignKey(
        "accounts.Network",
        verbose_name=_("network"),
        on_delete=models.PROTECT,
        related_name="exchange_messages",
    )
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    year = models.PositiveSmallIntegerField(editable=False)
    sequence = models.PositiveIntegerField(editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=MessageKind.choices)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("message"))
    language = models.CharField(
        _("language of the content"),
        max_length=12,
        blank=True,
        help_text=_("The language the subject and message are written in (e.g. es, en)."),
    )
    sender_state = models.ForeignKey(
        "accounts.MemberState",
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The member state it is sent for; empty: the CICTE Secretariat."),
    )
    whole_network = models.BooleanField(_("addressed to the whole network"), default=False)
    thread = models.ForeignKey(
        "self",
        verbose_name=_("thread"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="thread_messages",
        help_text=_("The root message of the thread; empty for a root message."),
    )
    in_reply_to = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replies",
    )
    due_at = models.DateTimeField(_("answer by"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = MessageQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        permissions = [
            ("send_message", "Can send messages in the secure exchange"),
            ("take_escalations", "Takes the escalations of unacknowledged messages"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "year", "sequence"], name="message_sequence_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["network", "sent_at"]),
            models.Index(fields=["thread", "sent_at"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def root(self) -> Message:
        return self.thread if self.thread_id else self  # type: ignore[return-value]

    @property
    def root_id(self) -> int:
        return self.thread_id or self.pk

    @property
    def is_open_request(self) -> bool:
        return self.kind == MessageKind.RFI and self.closed_at is None

    @property
    def content_in_email(self) -> bool:
        """Only CLEAR and GREEN content may travel in an email."""
        from cicte.core.choices import TLP

        return self.tlp in (TLP.CLEAR, TLP.GREEN)

    def sender_label(self) -> str:
        return str(self.sender_state) if self.sender_state_id else str(_("CICTE Secretariat"))


class Delivery(models.Model):
    """A message's arrival at one addressed member state: notified, read, acknowledged and
    answered (each once, with the time and who), and how far its escalation went."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    member_state = models.ForeignKey(
        "accounts.MemberState",
        verbose_name=_("member state"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    notified_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    notified_to = models.PositiveSmallIntegerField(_("emails sent"), default=0)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("read by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation"), choices=EscalationLevel.choices, default=EscalationLevel.NONE
    )
    escalated_alternates_at = models.DateTimeField(
        _("escalated to alternates and 24/7"), null=True, blank=True
    )
    escalated_duty_at = models.DateTimeField(
        _("escalated to the duty officer"), null=True, blank=True
    )

    class Meta:
        ordering = ["message", "member_state__name"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["message", "member_state"], name="delivery_unique"),
        ]
        indexes = [
            models.Index(fields=["member_state", "message"]),
            models.Index(fields=["acknowledged_at", "escalation_level"]),
        ]

    def __str__(self) -> str:
        return f"{self.message} → {self.member_state}"

    def time_to_acknowledge(self) -> dt.timedelta | None:
        if self.acknowledged_at is None:
            return None
        return self.acknowledged_at - self.message.sent_at

    def time_to_answer(self) -> dt.timedelta | None:
        if self.answered_at is None:
            return None
        return self.answered_at - self.message.sent_at


class EscalationStep(models.Model):
    """One escalation of an unacknowledged immediate message: when, to which level, whom it went
    to (names and addresses), and why."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField(_("level"), choices=EscalationLevel.choices)
    at = models.DateTimeField(_("at"))
    recipients = models.JSONField(_("sent to"), default=list)
    reason = models.CharField(_("why"), max_length=500)
    # The network's delay that the step followed (steps recorded before it was kept: None).
    after_minutes = models.PositiveIntegerField(_("after (minutes)"), null=True, blank=True)

    class Meta:
        ordering = ["delivery", "level"]
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        constraints = [
            models.UniqueConstraint(fields=["delivery", "level"], name="escalation_step_once"),
        ]

    def __str__(self) -> str:
        return f"{self.delivery} · {self.get_level_display()}"


class Attachment(models.Model):
    """A file sent with a message, stored outside the web root (PRIVATE_MEDIA_ROOT), checked by
    its content against an allow-list, served only to who may read the message."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="exchange/%Y/%m/", storage=_private_storage)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["message", "name"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


def deliveries_by_message(messages: list[Message]) -> dict[int, list[Delivery]]:
    """The deliveries of ``messages`` (already read through ``readable_by``), per message, by
    member state, with the people and escalation steps the thread page and its PDF show."""
    found: dict[int, list[Delivery]] = {}
    for delivery in (
        Delivery.objects.filter(message__in=[m.pk for m in messages])
        .select_related("member_state", "read_by", "acknowledged_by", "answered_by")
        .prefetch_related("escalations")
        .order_by("member_state__name")
    ):
        found.setdefault(delivery.message_id, []).append(delivery)
    return found
