"""Choices of the directory."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactKind(models.TextChoices):
    PERSON = "person", _("Person")
    FUNCTIONAL = "functional", _("Functional contact (duty desk, watch office)")


class Availability(models.TextChoices):
    ALWAYS = "24_7", _("24/7")
    OFFICE_HOURS = "office_hours", _("Office hours")


class PhoneKind(models.TextChoices):
    OFFICE = "office", _("Office")
    MOBILE = "mobile", _("Mobile")
    HOTLINE = "24_7", _("24/7 line")


class EmailKind(models.TextChoices):
    INSTITUTIONAL = "institutional", _("Institutional")
    FUNCTIONAL = "functional", _("Functional mailbox")
    PERSONAL = "personal", _("Personal")


class SecureChannelKind(models.TextChoices):
    SIGNAL = "signal", "Signal"
    THREEMA = "threema", "Threema"
    WIRE = "wire", "Wire"
    MATRIX = "matrix", "Matrix"
    SECURE_EMAIL = "secure_email", _("Secure email")
    OTHER = "other", _("Other")


class DesignationRole(models.TextChoices):
    """The role in which a member state designates a contact to a network."""

    NATIONAL_POC = "national_poc", _("National point of contact")
    ALTERNATE = "alternate", _("Alternate point of contact")
    FOCAL_POINT = "focal_point", _("Focal point")
    OPERATIONAL = "operational", _("24/7 operational contact")
    EXPERT = "expert", _("Expert")
    INSTRUCTOR = "instructor", _("Instructor")
    TECHNICAL = "technical", _("Technical contact")


class DesignationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting Secretariat confirmation")
    ACTIVE = "active", _("Active")
    REJECTED = "rejected", _("Rejected")
    REPLACED = "replaced", _("Replaced")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Designations that were in force at some time: the history of who was the contact.
EFFECTIVE_STATUSES = (
    DesignationStatus.ACTIVE,
    DesignationStatus.REPLACED,
    DesignationStatus.WITHDRAWN,
)


class SensitiveFieldsPolicy(models.TextChoices):
    """Who, among those who see a network's directory, also sees its sensitive fields (mobile and
    24/7 phones, personal emails, OpenPGP keys)."""

    MEMBERS = "members", _("Every member of the network")
    SAME_STATE = (
        "same_state",
        _("Members of the designating state, the network's coordinators and the Secretariat"),
    )
    COORDINATORS = "coordinators", _("The network's national coordinators and the Secretariat")


class AttributeType(models.TextChoices):
    TEXT = "text", _("Text")
    LIST = "list", _("List of values")
    DATE = "date", _("Date")
    BOOLEAN = "boolean", _("Yes or no")


class CheckStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
