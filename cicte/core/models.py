"""Core models: localised names, the append-only audit trail. The shareable base lives in
:mod:`cicte.core.sharing`."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cicte.core.fields import EncryptedTextField


class LocalizedNameMixin(models.Model):
    """A name in the four official languages of the OAS; English is the reference."""

    name = models.CharField(_("name (English)"), max_length=200)
    name_es = models.CharField(_("name (Spanish)"), max_length=200, blank=True)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    name_pt = models.CharField(_("name (Portuguese)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def localized_name(self) -> str:
        """The name in the active language, falling back to English."""
        lang = (get_language() or "en")[:2]
        if lang != "en":
            value = getattr(self, f"name_{lang}", "")
            if value:
                return str(value)
        return self.name


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("Audit events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Audit events are append-only.")

    def visible_to(self, user: Any) -> AuditEventQuerySet:
        """Secretariat administrators see the whole trail, national coordinators their own
        state's part (what its people did and what was done to its records), everyone their
        own actions."""
        from cicte.accounts import permissions

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if permissions.has_global_perm(user, "core.view_auditevent"):
            return self.all()
        # Their own actions, and sign-in events aimed at their account (failures, lockouts).
        condition = Q(actor_id=user.pk) | Q(
            object_type="accounts.user", object_id=str(user.pk), action__startswith="auth."
        )
        states = permissions.member_states_with_perm(user, "core.view_auditevent")
        if states:
            condition |= Q(member_state_id__in=states) | Q(subject_member_state_id__in=states)
        return self.filter(condition)


class AuditEvent(models.Model):
    """One entry of the tamper-evident, append-only audit trail.

    Each event carries the SHA-256 of the event before it (``prev_hash``) and its own
    (``hash``), computed over its content; `manage.py verify_audit` walks the chain. Database
    triggers refuse UPDATE and DELETE on the table. Write through :func:`cicte.core.audit.record`.
    """

    occurred_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    member_state = models.ForeignKey(
        "accounts.MemberState",
        verbose_name=_("actor's member state"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject_member_state = models.ForeignKey(
        "accounts.MemberState",
        verbose_name=_("record's member state"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=100, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Audit events are append-only.")

    def canonical(self) -> bytes:
        """The bytes the hash covers: every field but the id and the hash itself."""
        data = {
            "occurred_at": self.occurred_at.isoformat(timespec="microseconds"),
            "actor": self.actor_id,
            "actor_label": self.actor_label,
            "organization": self.organization_id,
            "member_state": self.member_state_id,
            "subject_member_state": self.subject_member_state_id,
            "ip_address": self.ip_address,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "changes": self.changes,
            "prev_hash": self.prev_hash,
        }
        return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


# --- Outgoing webhooks (one mechanism for every module: see cicte/core/webhooks.py) -----------


class WebhookEndpointQuerySet(models.QuerySet["WebhookEndpoint"]):
    def visible_to(self, user: Any) -> WebhookEndpointQuerySet:
        """A subscriber's endpoints are theirs alone (their deliveries carry what they may see)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(owner_id=user.pk)


class WebhookEndpoint(models.Model):
    """A URL to which the platform POSTs signed JSON events chosen by its owner."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # The signing secret, encrypted at rest (FIELD_ENCRYPTION_KEY); shown to the owner once.
    secret = EncryptedTextField(_("signing secret"))
    events = models.JSONField(
        _("events"), default=list, blank=True, help_text=_("Empty: every event of the module.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return self.is_active and (not self.events or event in self.events)


class WebhookDelivery(models.Model):
    """One event for one endpoint: the exact body, each attempt, and the outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=100)
    event_id = models.UUIDField(_("event id"))
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # [{"at", "status_code", "error", "ms"}], one entry per attempt.
    attempt_log = models.JSONField(default=list)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"
