"""The form of a reporting entity's subscription to the sanctions lists (the checks themselves
are the service's: :func:`cicte.sanctions.services.create_subscription`)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cicte.accounts.models import Organization
from cicte.sanctions.models import SanctionsList
from cicte.sanctions.services import SubscriptionValues

SEPARATORS = re.compile(r"[\s,;]+")


class ListSubscriptionForm(forms.Form):
    organization: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=Organization.objects.none(),  # those the person manages (set in __init__)
        label=_("Organisation"),
        help_text=_("The reporting entity told of each change."),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What it is for, for example Compliance desk."),
    )
    lists = forms.ModelMultipleChoiceField(
        queryset=SanctionsList.objects.none(),
        label=_("Lists"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None: every list, domestic lists added later included."),
    )
    emails = forms.CharField(
        label=_("Email addresses"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One or more addresses (a compliance mailbox, for example), separated by commas "
            "or new lines: one email per change, with the changed entries."
        ),
    )
    language = forms.ChoiceField(label=_("Language of the emails"), choices=settings.LANGUAGES)
    webhook_url = forms.CharField(
        label=_("Webhook URL"),
        required=False,
        max_length=500,
        help_text=_(
            "Optional: an https:// address that receives each change as a signed "
            "sanctions.list.changed event. A new address gets a new signing secret, shown once."
        ),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, actor: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organization: Any = self.fields["organization"]
        if organizations is None:  # editing: the organisation does not change
            del self.fields["organization"]
        else:
            organization.queryset = organizations
        lists: Any = self.fields["lists"]
        lists.queryset = SanctionsList.objects.visible_to(actor)

    def values(self) -> SubscriptionValues:
        """What the service takes (:func:`cicte.sanctions.services.save_subscription`)."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "lists": list(data["lists"]),
            "emails": data["emails"],
            "language": data["language"],
            "webhook_url": data["webhook_url"],
            "is_active": data["is_active"],
        }

    def clean_emails(self) -> list[str]:
        text = self.cleaned_data.get("emails") or ""
        return [part for part in SEPARATORS.split(text) if part]
