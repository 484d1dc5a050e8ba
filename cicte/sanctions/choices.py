from django.db import models
from django.utils.translation import gettext_lazy as _


class ListKind(models.TextChoices):
    OFFICIAL = "official", _("Official (UN, OFAC)")
    DOMESTIC = "domestic", _("Domestic (UNSCR 1373)")


class ChangeKind(models.TextChoices):
    ADDED = "added", _("Added")
    AMENDED = "amended", _("Amended")
    REMOVED = "removed", _("Removed")


class FetchStatus(models.TextChoices):
    NEVER = "", _("Never fetched")
    IMPORTED = "imported", _("Changed: imported")
    UNCHANGED = "unchanged", _("Unchanged")
    ERROR = "error", _("Error")
