from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    """The secure exchange between points of contact: alerts, requests for information,
    acknowledgment and escalation (issue 8)."""

    name = "cicte.messaging"
    label = "messaging"
    verbose_name = _("Secure exchange")
