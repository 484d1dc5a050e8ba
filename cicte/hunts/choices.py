"""Choices of the hunts app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class HuntStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the worker")
    RUNNING = "running", _("Running")
    COMPLETE = "complete", _("Complete")
    FAILED = "failed", _("Failed")


class HuntSource(models.TextChoices):
    """How the observables reached the platform."""

    UPLOAD = "upload", _("Uploaded file")
    PASTE = "paste", _("Pasted text")
    API = "api", _("Sent to the API")


class ValueKind(models.TextChoices):
    """The kinds of values the retro-hunt engine extracts (cicte.intel.hunt.extract)."""

    IPV4 = "ipv4", _("IPv4 address")
    IPV6 = "ipv6", _("IPv6 address")
    CIDR = "cidr", _("CIDR block")
    DOMAIN = "domain", _("Domain")
    URL = "url", _("URL")
    EMAIL = "email", _("Email address")
    MD5 = "md5", _("MD5 hash")
    SHA1 = "sha1", _("SHA-1 hash")
    SHA256 = "sha256", _("SHA-256 hash")


class MatchKind(models.TextChoices):
    """How a value matched an indicator."""

    EXACT = "exact", _("Exact value")
    CIDR = "cidr", _("Inside a CIDR block")
    SUBDOMAIN = "subdomain", _("Subdomain")


class SightingOutcome(models.TextChoices):
    """What became of one matched indicator when the matches were reported as sightings."""

    STORED = "stored", _("Sighting stored")
    NOT_WRITABLE = "not_writable", _("Skipped: you may not write to its collection")
    OBSERVABLE = "observable", _("Skipped: an observable, not an indicator")
    GONE = "gone", _("Skipped: no longer in the store or no longer visible to you")
