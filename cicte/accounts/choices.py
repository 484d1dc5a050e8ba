"""Choices of the accounts app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    """What an organisation is; state institutions belong to a member state."""

    SECRETARIAT = "secretariat", _("CICTE Secretariat")
    MINISTRY = "ministry", _("Ministry or government department")
    NATIONAL_CSIRT = "national_csirt", _("National CSIRT")
    SECTOR_CSIRT = "sector_csirt", _("Sectoral or government CSIRT")
    FIU = "fiu", _("Financial intelligence unit")
    CUSTOMS = "customs", _("Customs administration")
    POLICE = "police", _("Police or law enforcement")
    BORDER = "border", _("Border or migration authority")
    AVIATION = "aviation", _("Civil aviation authority")
    PORT = "port", _("Port or maritime authority")
    INTELLIGENCE = "intelligence", _("Intelligence service")
    REGULATOR = "regulator", _("Supervisor or regulator")
    JUDICIARY = "judiciary", _("Prosecutor or judiciary")
    OTHER_STATE = "other_state", _("Other state institution")
    INTERNATIONAL = "international", _("International organisation")
    PRIVATE = "private", _("Private sector")
    ACADEMIA = "academia", _("Academia or civil society")


# Kinds that are institutions of a member state and must name it.
STATE_KINDS = frozenset(
    {
        OrganizationKind.MINISTRY,
        OrganizationKind.NATIONAL_CSIRT,
        OrganizationKind.SECTOR_CSIRT,
        OrganizationKind.FIU,
        OrganizationKind.CUSTOMS,
        OrganizationKind.POLICE,
        OrganizationKind.BORDER,
        OrganizationKind.AVIATION,
        OrganizationKind.PORT,
        OrganizationKind.INTELLIGENCE,
        OrganizationKind.REGULATOR,
        OrganizationKind.JUDICIARY,
        OrganizationKind.OTHER_STATE,
    }
)
# Kinds that never belong to a member state.
STATELESS_KINDS = frozenset({OrganizationKind.SECRETARIAT, OrganizationKind.INTERNATIONAL})


class RoleScope(models.TextChoices):
    """Where a role applies: everywhere, in one network (for the holder's member state), or in one
    organisation."""

    GLOBAL = "global", _("Platform-wide")
    NETWORK = "network", _("In one network")
    ORGANIZATION = "organization", _("In one organisation")


class Language(models.TextChoices):
    EN = "en", _("English")
    ES = "es", _("Spanish")
    FR = "fr", _("French")
    PT = "pt", _("Portuguese")
