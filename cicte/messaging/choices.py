"""Choices of the secure exchange."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageKind(models.TextChoices):
    ALERT = "alert", _("Alert")
    RFI = "rfi", _("Request for information")
    RESPONSE = "response", _("Response")
    NOTICE = "notice", _("Notice")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    PRIORITY = "priority", _("Priority")
    IMMEDIATE = "immediate", _("Immediate")


class EscalationLevel(models.IntegerChoices):
    NONE = 0, _("Not escalated")
    ALTERNATES = 1, _("Alternates and 24/7 contacts")
    DUTY_OFFICER = 2, _("Secretariat duty officer")


# The designation roles told at once when a message reaches a state; the alternates and the
# 24/7 (operational) contacts are the first escalation level.
ESCALATION_ROLES = ("alternate", "operational")

# The permission of the Secretariat's duty officers, whom level-2 escalations reach.
DUTY_PERM = "messaging.take_escalations"
