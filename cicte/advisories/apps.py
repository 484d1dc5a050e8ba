from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdvisoriesConfig(AppConfig):
    """Security advisories and warnings of CSIRTs and the Secretariat (issue 5)."""

    name = "cicte.advisories"
    label = "advisories"
    verbose_name = _("Advisories")
