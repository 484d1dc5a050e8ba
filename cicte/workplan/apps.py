from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkplanConfig(AppConfig):
    """The Committee's work plan: programs, activities, events, participants, requests for
    assistance, results and reports (issue 7)."""

    name = "cicte.workplan"
    label = "workplan"
    verbose_name = _("Work plan")

    def ready(self) -> None:
        from cicte.accounts.signals import email_verified
        from cicte.workplan.services_people import on_email_verified

        # A verified address links the participants registered with it (their certificates).
        email_verified.connect(on_email_verified, dispatch_uid="workplan.link_verified_account")
