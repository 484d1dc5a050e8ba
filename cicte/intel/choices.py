"""Choices of the intel app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IngestStatus(models.TextChoices):
    """TAXII 2.1's status of a POST: pending until the worker has stored every object."""

    PENDING = "pending", _("Pending")
    COMPLETE = "complete", _("Complete")
