"""Forms of the participant pages (the services check everything again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cicte.accounts.models import MemberState
from cicte.workplan.choices import RegistrationStatus, Sex
from cicte.workplan.models import Person
from cicte.workplan.people_import import COLUMNS
from cicte.workplan.services_people import PersonDetails


class PersonForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=200)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    email = forms.EmailField(label=_("Email"), required=False)
    organization_name = forms.CharField(label=_("Organisation"), max_length=300, required=False)
    member_state = forms.ModelChoiceField(
        label=_("Member state"), queryset=MemberState.objects.all(), required=False
    )
    position = forms.CharField(label=_("Role or position"), max_length=200, required=False)

    def __init__(self, *args: Any, person: Person | None = None, **kwargs: Any) -> None:
        if person is not None:
            kwargs.setdefault(
                "initial",
                {
                    "full_name": person.full_name,
                    "sex": person.sex,
                    "email": person.email,
                    "organization_name": person.organization_name,
                    "member_state": person.member_state,
                    "position": person.position,
                },
            )
        super().__init__(*args, **kwargs)

    def details(self) -> PersonDetails:
        data = self.cleaned_data
        return PersonDetails(
            full_name=data["full_name"],
            sex=data["sex"],
            email=data["email"],
            organization_name=data["organization_name"],
            member_state=data["member_state"],
            position=data["position"],
        )


def _score_field(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        required=False,
        help_text=_("0 to 100"),
    )


class RegistrationForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=RegistrationStatus.choices)
    pre_score = _score_field(_("Pre-test score"))
    post_score = _score_field(_("Post-test score"))


class NewParticipantForm(PersonForm, RegistrationForm):
    """A person (found in the registry or added to it) and their registration."""


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("Shown on the public verification page."),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Participant list"),
        help_text=format_lazy(
            _("CSV (UTF-8) or Excel (.xlsx, first sheet) with the header row: {columns}."),
            columns=", ".join(COLUMNS),
        ),
    )


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("Name, email or organisation"), required=False, max_length=200)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", _("Any")), *Sex.choices], required=False)
    member_state = forms.ModelChoiceField(
        label=_("Member state"), queryset=MemberState.objects.all(), required=False
    )


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("Verification code"), max_length=40)


class MergeForm(forms.Form):
    """Which record stays (``keep``) and which one is merged into it (``merge``)."""

    keep = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    merge = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
