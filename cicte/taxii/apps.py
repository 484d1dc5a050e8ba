from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaxiiConfig(AppConfig):
    name = "cicte.taxii"
    verbose_name = _("TAXII 2.1")
