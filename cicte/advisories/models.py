"""Advisories: a CSIRT's (or the Secretariat's) warning to a network, under TLP 2.0.

An advisory is ``Shareable`` (owner: the author's organisation; audience: its network), written
in one of the four languages with optional translations, reviewed by a second person of the same
organisation before publication where the organisation asks for it (four-eyes), and versioned:
each publication or change of a published advisory keeps a snapshot. When published it is also
a STIX 2.1 report (with its vulnerabilities) in a collection of its network.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cicte.advisories.choices import LANGUAGES, AdvisoryStatus, Severity
from cicte.core.sharing import Shareable


class AdvisoryPolicy(models.Model):
    """An organisation's rule for its advisories: whether a second person reviews each one
    before publication (the default)."""

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.CASCADE, related_name="advisory_policy"
    )
    four_eyes = models.BooleanField(
        _("second person reviews before publication"),
        default=True,
    )

    class Meta:
        verbose_name = _("advisory policy")
        verbose_name_plural = _("advisory policies")

    def __str__(self) -> str:
        return str(self.organization)


class Advisory(Shareable):
    """A security advisory or warning."""

    network = models.ForeignKey(
        "accounts.Network",
        verbose_name=_("network"),
        on_delete=models.PROTECT,
        related_name="advisories",
    )
    collection = models.ForeignKey(
        "intel.Collection",
        verbose_name=_("STIX collection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Where its STIX report goes when it is published."),
    )
    reference = models.CharField(_("reference"), max_length=40, blank=True, db_index=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AdvisoryStatus.choices,
        default=AdvisoryStatus.DRAFT,
        db_index=True,
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES, default="en")
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"))
    recommendations = models.TextField(_("recommendations"), blank=True)
    # [{"cve": "CVE-2026-1234", "vendor": "...", "product": "...", "versions": "..."}]
    affected = models.JSONField(_("affected products"), default=list, blank=True)
    references = models.JSONField(_("references"), default=list, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    stix_id = models.CharField(_("STIX report id"), max_length=80, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=500, blank=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("advisory")
        verbose_name_plural = _("advisories")
        permissions = [("publish_advisories", "Can write and publish advisories")]

    def __str__(self) -> str:
        return self.reference or f"#{self.pk}"

    def in_language(self, language: str | None = None) -> dict[str, Any]:
        """Title, summary and recommendations in ``language`` (the reader's by default) when a
        translation exists, else in the advisory's own language."""
        code = (language or get_language() or "en")[:2]
        text = {
            "language": self.language,
            "title": self.title,
            "summary": self.summary,
            "recommendations": self.recommendations,
        }
        if code != self.language:
            for translation in self.translations.all():
                if translation.language == code:
                    return {
                        "language": code,
                        "title": translation.title,
                        "summary": translation.summary,
                        "recommendations": translation.recommendations,
                    }
        return text


class AdvisoryTranslation(models.Model):
    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"))
    recommendations = models.TextField(_("recommendations"), blank=True)

    class Meta:
        verbose_name = _("advisory translation")
        verbose_name_plural = _("advisory translations")
        constraints = [
            models.UniqueConstraint(
                fields=["advisory", "language"], name="advisory_translation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.advisory} ({self.language})"


class AdvisoryVersion(models.Model):
    """A snapshot of an advisory as published (version 1) or changed after publication."""

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField()
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("advisory version")
        verbose_name_plural = _("advisory versions")
        constraints = [
            models.UniqueConstraint(fields=["advisory", "number"], name="advisory_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.advisory} v{self.number}"


class EmailMode(models.TextChoices):
    NONE = "none", _("No email")
    IMMEDIATE = "immediate", _("At once")
    DIGEST = "digest", _("Daily digest")


class SubscriptionQuerySet(models.QuerySet["Subscription"]):
    def visible_to(self, user: Any) -> SubscriptionQuerySet:
        """A person's subscriptions are theirs alone."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(user_id=user.pk)


class Subscription(models.Model):
    """Which advisories notify a person, and how: networks, severities, products; email at
    once or in a daily digest, and a webhook."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="advisory_subscriptions"
    )
    networks = models.ManyToManyField(
        "accounts.Network",
        verbose_name=_("networks"),
        blank=True,
        related_name="+",
        help_text=_("None: every network whose advisories you may read."),
    )
    severities = models.JSONField(
        _("severities"), default=list, blank=True, help_text=_("None: every severity.")
    )
    products = models.JSONField(
        _("products"),
        default=list,
        blank=True,
        help_text=_("Vendors, products or CVE ids; none: every advisory."),
    )
    email = models.CharField(
        _("email"), max_length=10, choices=EmailMode.choices, default=EmailMode.IMMEDIATE
    )
    webhook = models.ForeignKey(
        "core.WebhookEndpoint",
        verbose_name=_("webhook"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_email_display()}"

    def matches(self, advisory: Advisory) -> bool:
        """Whether ``advisory`` is one this subscription asks for (visibility apart)."""
        network_ids = {network.pk for network in self.networks.all()}
        if network_ids and advisory.network_id not in network_ids:
            return False
        if self.severities and advisory.severity not in self.severities:
            return False
        if self.products:
            haystack = " ".join(
                [
                    advisory.title,
                    *(
                        f"{item.get('cve', '')} {item.get('vendor', '')} {item.get('product', '')}"
                        for item in advisory.affected
                    ),
                ]
            ).casefold()
            if not any(str(word).casefold() in haystack for word in self.products):
                return False
        return True


class DigestEntry(models.Model):
    """An advisory event waiting for its subscriber's daily digest."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="+")
    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.advisory} → {self.subscription}"
