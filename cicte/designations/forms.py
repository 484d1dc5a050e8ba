"""Forms of the designation pages.

Repeatable details are textareas, one item per line, parts separated by ``|``:

- aliases: ``name | quality`` (quality ``good``, ``low``, ``former`` or ``original_script``;
  ``good`` when left out);
- documents: ``type | number | issuing country | note`` (type ``passport``, ``national_id``,
  ``tax_number``, ``registration`` or ``other``);
- addresses: ``street | city | region | postal code | country``;
- dates of birth: one per line, ``YYYY-MM-DD`` or a year; nationalities: ISO codes separated by
  commas.

The form only turns the lines into the plain dict that :mod:`cicte.designations.details`
validates (the API sends that dict as JSON): one validation for both.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cicte.designations import details as payloads
from cicte.designations.choices import SubjectKind, UnfreezeScope

DOCUMENT_PARTS = ("type", "number", "country", "note")
ALIAS_PARTS = ("name", "quality")


def _lines(text: str, parts: tuple[str, ...], label: str) -> list[dict[str, str]]:
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        values = [value.strip() for value in line.split("|")]
        if len(values) > len(parts):
            raise ValidationError(
                gettext("Line {number} has more than {count} parts: {parts}.").format(
                    number=number, count=len(parts), parts=label
                )
            )
        values += [""] * (len(parts) - len(values))
        items.append(dict(zip(parts, values, strict=True)))
    return items


def _format(items: list[dict[str, Any]], parts: tuple[str, ...]) -> str:
    return "\n".join(
        " | ".join(str(item.get(part, "") or "") for part in parts).rstrip(" |") for item in items
    )


class DesignationForm(forms.Form):
    """A proposed designation (or amendment): identifying details and case."""

    kind = forms.ChoiceField(
        label=_("Designated party"), choices=SubjectKind.choices, widget=forms.RadioSelect
    )
    name = forms.CharField(
        label=_("Primary name"),
        max_length=payloads.MAX_NAME,
        required=False,
        help_text=_(
            "As written in the documents; for a person, left empty, the name parts joined."
        ),
    )
    first_name = forms.CharField(label=_("First name (people)"), max_length=100, required=False)
    second_name = forms.CharField(label=_("Second name (people)"), max_length=100, required=False)
    third_name = forms.CharField(label=_("Third name (people)"), max_length=100, required=False)
    fourth_name = forms.CharField(label=_("Fourth name (people)"), max_length=100, required=False)
    aliases = forms.CharField(
        label=_("Aliases"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line: name | quality (good, low, former or original_script; good when "
            "left out). Names in their original script with the quality original_script."
        ),
    )
    gender = forms.ChoiceField(
        label=_("Gender (people)"),
        required=False,
        choices=[("", "—"), ("male", _("Male")), ("female", _("Female")), ("other", _("Other"))],
    )
    dates_of_birth = forms.CharField(
        label=_("Dates of birth (people)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: YYYY-MM-DD, or the year alone when only the year is known."),
    )
    place_of_birth = forms.CharField(
        label=_("Place of birth (people)"), max_length=payloads.MAX_NAME, required=False
    )
    birth_country = forms.CharField(
        label=_("Country of birth (people)"), max_length=100, required=False
    )
    nationalities = forms.CharField(
        label=_("Nationalities (people)"),
        max_length=200,
        required=False,
        help_text=_("ISO 3166-1 alpha-2 codes separated by commas, e.g. CO, VE."),
    )
    legal_form = forms.CharField(
        label=_("Legal form (organisations)"), max_length=payloads.MAX_NAME, required=False
    )
    registration_number = forms.CharField(
        label=_("Registration number (organisations)"), max_length=100, required=False
    )
    jurisdiction = forms.CharField(
        label=_("Jurisdiction (organisations)"), max_length=100, required=False
    )
    documents = forms.CharField(
        label=_("Documents"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line: type | number | issuing country | note; type passport, national_id, "
            "tax_number, registration or other."
        ),
    )
    addresses = forms.CharField(
        label=_("Addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: street | city | region | postal code | country."),
    )
    domestic_law = forms.CharField(
        label=_("Domestic law"),
        max_length=payloads.MAX_NAME,
        help_text=_(
            "The law that implements UNSCR 1373 (2001) and on which the designation rests."
        ),
    )
    article = forms.CharField(label=_("Article"), max_length=100, required=False)
    statement_of_case = forms.CharField(
        label=_("Statement of case (confidential)"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=payloads.MAX_TEXT,
        help_text=_("The facts and evidence: only your state's designation officials see it."),
    )
    public_summary = forms.CharField(
        label=_("Narrative summary (published)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=payloads.MAX_TEXT,
        help_text=_("Published with the listing, as the reason on the domestic list."),
    )

    def _parsed(self, field: str, parts: tuple[str, ...], label: str) -> list[dict[str, str]]:
        try:
            return _lines(self.cleaned_data.get(field, ""), parts, label)
        except ValidationError as exc:
            self.add_error(field, exc)
            return []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        data: dict[str, Any] = {
            key: cleaned.get(key, "")
            for key in (
                "kind",
                "name",
                *payloads.NAME_PARTS,
                "gender",
                "place_of_birth",
                "birth_country",
                "legal_form",
                "registration_number",
                "jurisdiction",
                *payloads.CASE_FIELDS,
            )
        }
        data["aliases"] = self._parsed("aliases", ALIAS_PARTS, "name | quality")
        data["documents"] = self._parsed(
            "documents", DOCUMENT_PARTS, "type | number | issuing country | note"
        )
        data["addresses"] = self._parsed(
            "addresses", payloads.ADDRESS_PARTS, "street | city | region | postal code | country"
        )
        data["dates_of_birth"] = [
            line.strip() for line in cleaned.get("dates_of_birth", "").splitlines() if line.strip()
        ]
        data["nationalities"] = [
            code.strip() for code in cleaned.get("nationalities", "").split(",") if code.strip()
        ]
        if self.errors:
            return cleaned
        try:
            self.payload = payloads.validate_designation(data)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return cleaned

    @classmethod
    def initial_from(cls, designation: Any) -> dict[str, Any]:
        """The form's initial values for an amendment: the designation as it is."""
        d = designation.details
        initial = {k: d.get(k, "") for k in ("kind", "name", *payloads.NAME_PARTS, "gender")}
        initial.update(
            {
                k: d.get(k, "")
                for k in (
                    "place_of_birth",
                    "birth_country",
                    "legal_form",
                    "registration_number",
                    "jurisdiction",
                )
            }
        )
        initial["aliases"] = _format(d.get("aliases", []), ALIAS_PARTS)
        initial["documents"] = _format(d.get("documents", []), DOCUMENT_PARTS)
        initial["addresses"] = _format(d.get("addresses", []), payloads.ADDRESS_PARTS)
        initial["dates_of_birth"] = "\n".join(d.get("dates_of_birth", []))
        initial["nationalities"] = ", ".join(c.upper() for c in d.get("nationalities", []))
        for field in payloads.CASE_FIELDS:
            initial[field] = getattr(designation, field)
        return initial


class DelistForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for delisting"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=payloads.MAX_TEXT,
        help_text=_("Told to the designated party and kept with the designation's history."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            self.payload = payloads.validate_delisting(cleaned)
        return cleaned


class UnfreezeForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Scope"), choices=UnfreezeScope.choices, widget=forms.RadioSelect
    )
    amount = forms.CharField(label=_("Amount released (exemptions)"), max_length=30, required=False)
    currency = forms.CharField(
        label=_("Currency (exemptions)"),
        max_length=3,
        required=False,
        help_text=_("ISO 4217 code, e.g. COP or USD."),
    )
    terms = forms.CharField(
        label=_("Terms (exemptions)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=payloads.MAX_TEXT,
        help_text=_(
            "What the funds are for (food, rent, medicine, legal fees...), how often, until when."
        ),
    )
    subject = forms.CharField(
        label=_("Person or entity confirmed not designated (false positive)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=payloads.MAX_TEXT,
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=payloads.MAX_TEXT
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            self.payload = payloads.validate_unfreezing(cleaned)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return cleaned


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=payloads.MAX_TEXT,
        help_text=_("Required to reject: say why."),
    )
