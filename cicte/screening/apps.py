from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    """Name screening against the sanctions lists: single names, batch jobs, decisions on hits
    (issue 6)."""

    name = "cicte.screening"
    label = "screening"
    verbose_name = _("Sanctions screening")
