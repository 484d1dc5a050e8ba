from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkplanConfig(AppConfig):
    """The Committee's work plan: programs, activities, events, participants, requests for
    assistance, results and reports (issue 7)."""

    name = "cicte.workplan"
    label = "workplan"
    verbose_name = _("Work plan")
