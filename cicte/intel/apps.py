from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntelConfig(AppConfig):
    """Threat intelligence: the STIX 2.1 store under TLP 2.0 (issue 4; TAXII 2.1 to follow)."""

    name = "cicte.intel"
    label = "intel"
    verbose_name = _("Threat intelligence")
