"""The form of a person's webhook endpoint."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

EVENT = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("An https:// address on the internet that accepts POST requests."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.CharField(
        label=_("Events"),
        required=False,
        max_length=1000,
        help_text=_(
            "Separated by commas, for example advisory.published, advisory.updated, "
            "advisory.withdrawn; empty: every event of your subscriptions."
        ),
    )

    def clean_events(self) -> list[str]:
        text = self.cleaned_data.get("events") or ""
        events = [word.strip() for word in text.replace(",", " ").split() if word.strip()]
        wrong = [event for event in events if not EVENT.match(event)]
        if wrong:
            raise ValidationError(
                gettext("{event} is not an event name such as advisory.published.").format(
                    event=wrong[0][:100]
                )
            )
        return events
