"""Choices of the screening app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the worker")
    RUNNING = "running", _("Running")
    COMPLETE = "complete", _("Complete")
    REJECTED = "rejected", _("Rejected: invalid rows")
    FAILED = "failed", _("Failed")


class JobSource(models.TextChoices):
    """How the customer file reached the platform."""

    UPLOAD = "upload", _("Uploaded file")
    API = "api", _("Sent to the API")


class Verdict(models.TextChoices):
    """An analyst's decision on a hit."""

    TRUE_POSITIVE = "true_positive", _("True positive")
    FALSE_POSITIVE = "false_positive", _("False positive")


class HitState(models.TextChoices):
    """The hits of a job as its page and the API filter them."""

    UNDECIDED = "undecided", _("Not decided yet")
    TRUE_POSITIVE = "true_positive", _("True positive")
    FALSE_POSITIVE = "false_positive", _("False positive")
    CLEARED = "cleared", _("Cleared earlier (not raised)")
