"""Choices of the advisories app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AdvisoryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("Awaiting review")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Severity(models.TextChoices):
    """The advisory's severity (in the order of increasing urgency)."""

    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


# Languages an advisory can be written or translated in: the OAS's official languages.
LANGUAGES = [("en", "English"), ("es", "Español"), ("fr", "Français"), ("pt", "Português")]
