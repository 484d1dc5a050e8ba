from django.db import models
from django.utils.translation import gettext_lazy as _


class SubjectKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANIZATION = "organization", _("Organisation")


class DesignationStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    LISTED = "listed", _("Listed")
    DELISTED = "delisted", _("Delisted")
    # A first proposal that was rejected or withdrawn: it never reached the list.
    NOT_LISTED = "not_listed", _("Not listed (proposal rejected or withdrawn)")


class FreezeStatus(models.TextChoices):
    NONE = "", _("Not frozen yet")
    FROZEN = "frozen", _("Frozen")
    PARTIALLY_UNFROZEN = "partially_unfrozen", _("Partially unfrozen (humanitarian exemption)")
    UNFROZEN = "unfrozen", _("Unfrozen")


class ActionKind(models.TextChoices):
    DESIGNATE = "designate", _("Designate")
    AMEND = "amend", _("Amend")
    DELIST = "delist", _("Delist")
    UNFREEZE = "unfreeze", _("Unfreeze")


class ActionStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class UnfreezeScope(models.TextChoices):
    FULL = "full", _("Full unfreezing after delisting")
    BASIC_EXPENSES = "basic_expenses", _("Partial: basic expenses (UNSCR 1452, para. 1(a))")
    EXTRAORDINARY_EXPENSES = (
        "extraordinary_expenses",
        _("Partial: extraordinary expenses (UNSCR 1452, para. 1(b))"),
    )
    FALSE_POSITIVE = "false_positive", _("Homonym or false positive confirmed")


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("National identity document")
    TAX_NUMBER = "tax_number", _("Tax number")
    REGISTRATION = "registration", _("Company registration number")
    OTHER = "other", _("Other document")


class AliasQuality(models.TextChoices):
    GOOD = "good", _("Good quality alias")
    LOW = "low", _("Low quality alias")
    FORMER = "former", _("Former name")
    ORIGINAL_SCRIPT = "original_script", _("Name in original script")


RESOLUTION = "UNSCR 1373 (2001)"
PROGRAM = "UNSCR 1373"
