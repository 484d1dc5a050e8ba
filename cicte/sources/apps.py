from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SourcesConfig(AppConfig):
    """Remote intelligence sources (TAXII 2.1 collections, MISP feeds) polled on a schedule into
    the STIX store (issue 5)."""

    name = "cicte.sources"
    label = "sources"
    verbose_name = _("Remote sources")
