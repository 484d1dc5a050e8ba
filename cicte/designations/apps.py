from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DesignationsConfig(AppConfig):
    """Domestic sanctions designations (UNSCR 1373, FATF Recommendation 6): the four-eyes
    workflow of a member state's competent authority that publishes its domestic list."""

    name = "cicte.designations"
    label = "designations"
    verbose_name = _("Sanctions designations")
