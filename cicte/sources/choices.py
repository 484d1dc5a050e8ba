"""Choices of the sources app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    """What a remote source is: a TAXII 2.1 collection, or a MISP feed."""

    TAXII = "taxii21", _("TAXII 2.1 collection")
    MISP_FEED = "misp_feed", _("MISP feed")


class AuthScheme(models.TextChoices):
    """How the platform authenticates to a remote source."""

    NONE = "none", _("None")
    BASIC = "basic", _("HTTP Basic (username and password)")
    TOKEN = "token", _("Authorization: Token (this platform's API tokens)")
    BEARER = "bearer", _("Authorization: Bearer (a bearer token)")
    KEY = "key", _("Authorization: the key alone (a MISP API key)")


class PollStatus(models.TextChoices):
    """The outcome of one poll."""

    SUCCESS = "success", _("Success")
    # Read and stored, but some objects were refused (each is listed with its reason).
    PARTIAL = "partial", _("Some objects refused")
    ERROR = "error", _("Error")


class PollTrigger(models.TextChoices):
    """What started a poll."""

    SCHEDULE = "schedule", _("Schedule")
    MANUAL = "manual", _("Poll now")
    COMMAND = "command", _("Command line")
