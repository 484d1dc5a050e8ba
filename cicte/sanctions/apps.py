from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SanctionsConfig(AppConfig):
    """Targeted financial sanctions: lists, their versions and diffs, exports (issue 6)."""

    name = "cicte.sanctions"
    label = "sanctions"
    verbose_name = _("Sanctions")
