from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HuntsConfig(AppConfig):
    """Retro-hunt: match uploaded logs against the indicators a person may see (issue 5)."""

    name = "cicte.hunts"
    label = "hunts"
    verbose_name = _("Retro-hunt")
