"""Forms of the screening pages: one name, a customer file, a decision on a hit."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cicte.sanctions.matching import DEFAULT_THRESHOLD
from cicte.sanctions.models import SanctionsList
from cicte.screening import uploads
from cicte.screening.choices import Verdict

ACCEPT = ".csv,.txt,text/csv,text/plain"


class ListsMixin(forms.Form):
    """The lists to screen against (the platform's, all by default) and the threshold (the
    engine's documented default)."""

    lists = forms.MultipleChoiceField(
        label=_("Lists to screen against"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    threshold = forms.FloatField(
        label=_("Threshold"),
        min_value=0,
        max_value=1,
        initial=DEFAULT_THRESHOLD,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        available = list(
            SanctionsList.objects.visible_to(user)
            .order_by("kind", "key")
            .values_list("key", "title")
        )
        lists = self.fields["lists"]
        assert isinstance(lists, forms.MultipleChoiceField)
        lists.choices = [(key, f"{title} ({key})") for key, title in available]
        lists.initial = [key for key, _title in available]
        self.fields["threshold"].help_text = gettext(
            "The lowest score reported, between 0 and 1 (default {default}: the engine's "
            "threshold, at which at most one innocent name in 200 alerts on the benchmark)."
        ).format(default=DEFAULT_THRESHOLD)


class NameScreeningForm(ListsMixin):
    """One name, with what the customer record says of it."""

    name = forms.CharField(label=_("Name"), max_length=500)
    birth_date = forms.CharField(
        label=_("Birth date"),
        required=False,
        max_length=10,
        help_text=_("YYYY, YYYY-MM or YYYY-MM-DD."),
    )
    nationality = forms.CharField(
        label=_("Nationality"),
        required=False,
        max_length=100,
        help_text=_("An ISO 3166-1 alpha-2 code (CO) or a country name."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[
            ("", _("Person or organisation")),
            ("person", _("Person")),
            ("organization", _("Organisation")),
        ],
    )
    documents = forms.CharField(
        label=_("Document numbers"),
        required=False,
        max_length=2000,
        help_text=_(
            "Passport or ID numbers, separated by commas or new lines; an exact match is decisive."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    record_id = forms.CharField(
        label=_("Customer record id"),
        required=False,
        max_length=200,
        help_text=_(
            "Optional: hits your organisation cleared as false positives for this record, with the record and the list entry unchanged, are not raised again."
        ),
    )
    limit = 10

    field_order = [
        "name",
        "birth_date",
        "nationality",
        "kind",
        "documents",
        "record_id",
        "lists",
        "threshold",
    ]

    def clean_documents(self) -> list[str]:
        text = self.cleaned_data.get("documents") or ""
        documents = [part.strip() for part in re.split(r"[,\n]", text) if part.strip()]
        if len(documents) > 20:
            raise ValidationError(gettext("At most 20 document numbers."))
        return documents


class ScreeningJobForm(ListsMixin):
    """A customer file to screen in batch. ``refusal``: a message for an upload stopped before
    the form saw it (too large)."""

    file = forms.FileField(
        label=_("Customer file (CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    field_order = ["file", "lists", "threshold"]

    def __init__(self, *args: Any, refusal: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refusal = refusal
        self.fields["file"].help_text = gettext(
            "UTF-8 CSV with a header: id,name and optionally birth_date (YYYY, YYYY-MM or "
            "YYYY-MM-DD), nationality (ISO code or country name) and kind (person or "
            "organization). Up to {rows} rows and {limit}."
        ).format(rows=f"{uploads.max_rows():,}", limit=filesizeformat(uploads.LIMIT.max_bytes()))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.refusal:
            raise ValidationError({"file": self.refusal})
        return cleaned


class DecisionForm(forms.Form):
    """An analyst's decision on a hit."""

    verdict = forms.ChoiceField(
        label=_("Decision"), choices=Verdict.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Why: what tells the customer and the listed entry apart, or what confirms the match."
        ),
    )
