"""Forms of the work plan pages; they build plain values that ``services`` validates and
writes."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cicte.accounts.models import MemberState, Network, User
from cicte.workplan.choices import PartnerRole
from cicte.workplan.models import (
    Activity,
    AssistanceRequest,
    Event,
    Indicator,
    Partner,
    Program,
)
from cicte.workplan.services import EVENT_EDITABLE

LANGUAGE_CHOICES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("fr", _("French")),
    ("pt", _("Portuguese")),
]
TRANSLATION_LANGUAGES = LANGUAGE_CHOICES[1:]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _activity_choices() -> Any:
    return Activity.objects.select_related("program").order_by("program__order", "order")


class EventForm(forms.ModelForm):
    """An event; its dates are typed in the event's own time zone."""

    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeInput())
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partners"), queryset=Partner.objects.none(), required=False
    )
    donors = forms.ModelMultipleChoiceField(
        label=_("Donors"), queryset=Partner.objects.none(), required=False
    )

    class Meta:
        model = Event
        fields = list(EVENT_EDITABLE)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = _activity_choices()  # type: ignore[attr-defined]
        self.fields["networks"].queryset = Network.objects.visible_to(actor)  # type: ignore[attr-defined]
        self.fields["target_states"].queryset = MemberState.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["organisers"].queryset = User.objects.visible_to(actor).filter(  # type: ignore[attr-defined]
            is_active=True
        )
        partners = Partner.objects.visible_to(actor)
        self.fields["partners"].queryset = partners  # type: ignore[attr-defined]
        self.fields["donors"].queryset = partners  # type: ignore[attr-defined]
        for name in ("networks", "target_states", "organisers", "partners", "donors"):
            self.fields[name].widget.attrs["size"] = 6
        if self.instance.pk:
            tz = zoneinfo.ZoneInfo(self.instance.time_zone)
            self.initial["starts_at"] = timezone.localtime(self.instance.starts_at, tz).replace(
                tzinfo=None
            )
            self.initial["ends_at"] = timezone.localtime(self.instance.ends_at, tz).replace(
                tzinfo=None
            )
            roles = list(self.instance.event_partners.values_list("partner_id", "role"))
            self.initial["partners"] = [p for p, r in roles if r == PartnerRole.PARTNER]
            self.initial["donors"] = [p for p, r in roles if r == PartnerRole.DONOR]

    def clean_time_zone(self) -> str:
        name = self.cleaned_data["time_zone"]
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError(
                _("Unknown time zone: give an IANA name such as America/Bogota.")
            ) from None
        return str(name)

    def clean_country(self) -> str:
        return str(self.cleaned_data.get("country") or "").upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name = data.get("time_zone")
        if name:
            tz = zoneinfo.ZoneInfo(name)
            for key in ("starts_at", "ends_at"):
                value = data.get(key)
                if isinstance(value, datetime.datetime):
                    data[key] = value.replace(tzinfo=None).replace(tzinfo=tz)
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] < data["starts_at"]:
            self.add_error("ends_at", _("An event ends after it starts."))
        return data

    def _post_clean(self) -> None:
        # The service validates the model; the form only builds the values.
        pass

    @property
    def payload(self) -> dict[str, Any]:
        data = {k: self.cleaned_data[k] for k in self.Meta.fields if k in self.cleaned_data}
        data["networks"] = list(data.get("networks") or [])
        data["target_states"] = list(data.get("target_states") or [])
        data["organisers"] = list(data.get("organisers") or [])
        data["languages"] = list(data.get("languages") or [])
        data["partners"] = [(p, PartnerRole.PARTNER) for p in self.cleaned_data["partners"]] + [
            (p, PartnerRole.DONOR) for p in self.cleaned_data["donors"]
        ]
        return data


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = ["name", "iati_ref", "country"]

    def _post_clean(self) -> None:
        # The service validates and writes: the instance must stay as it is in the database
        # until then (else the service would see no change).
        pass


class AttachPartnerForm(forms.Form):
    """Name a partner or donor on an event."""

    event = forms.ModelChoiceField(label=_("Event"), queryset=Event.objects.none())
    role = forms.ChoiceField(label=_("As"), choices=PartnerRole.choices)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = Event.objects.visible_to(actor).order_by("-starts_at")  # type: ignore[attr-defined]


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["gender_marker", "networks"]


def translation_form(obj: Any, fields: tuple[str, ...], data: Any = None) -> forms.Form:
    """One text box per language (es, fr, pt) and translatable field, with the English text of
    record as help."""
    form = forms.Form(data)
    for language, language_name in TRANSLATION_LANGUAGES:
        for field in fields:
            model_field = obj._meta.get_field(field)
            long = isinstance(model_field, models.TextField)
            form.fields[f"{language}__{field}"] = forms.CharField(
                label=f"{model_field.verbose_name.capitalize()} ({language_name})",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}) if long else forms.TextInput(),
                initial=(obj.translations.get(language) or {}).get(field, ""),
            )
    return form


def translations_of(form: forms.Form) -> dict[str, dict[str, str]]:
    result: dict[str, dict[str, str]] = {}
    for key, value in form.cleaned_data.items():
        language, field = key.split("__", 1)
        result.setdefault(language, {})[field] = value
    return result


class RequestForm(forms.ModelForm):
    member_state = forms.ModelChoiceField(
        label=_("Member state"), queryset=MemberState.objects.none()
    )

    class Meta:
        model = AssistanceRequest
        fields = [
            "member_state",
            "title",
            "description",
            "note_verbale",
            "received_on",
            "program",
            "activity",
        ]
        widgets = {"received_on": DateInput()}

    def __init__(self, *args: Any, states: list[MemberState], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member_state"].queryset = MemberState.objects.filter(  # type: ignore[attr-defined]
            pk__in=[s.pk for s in states]
        ).order_by("name")
        if len(states) == 1:
            self.initial.setdefault("member_state", states[0].pk)
        self.fields["program"].queryset = Program.objects.order_by("order")  # type: ignore[attr-defined]
        self.fields["activity"].queryset = _activity_choices()  # type: ignore[attr-defined]
        self.fields["received_on"].initial = timezone.localdate()
        if self.instance.pk:
            del self.fields["member_state"]

    def _post_clean(self) -> None:
        pass

    @property
    def payload(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "member_state"}


class TriageForm(forms.Form):
    note = forms.CharField(label=_("Assessment"), widget=forms.Textarea(attrs={"rows": 4}))
    program = forms.ModelChoiceField(
        label=_("Program"), queryset=Program.objects.order_by("order"), required=False
    )
    activity = forms.ModelChoiceField(
        label=_("Activity"), queryset=Activity.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = _activity_choices()  # type: ignore[attr-defined]


class DeclineForm(forms.Form):
    note = forms.CharField(label=_("Why it is declined"), widget=forms.Textarea(attrs={"rows": 3}))


class PlanForm(forms.Form):
    events = forms.ModelMultipleChoiceField(
        label=_("Events that deliver it"), queryset=Event.objects.none()
    )

    def __init__(self, *args: Any, actor: User, request_pk: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.db.models import Q

        self.fields["events"].queryset = (  # type: ignore[attr-defined]
            Event.objects.visible_to(actor)
            .filter(Q(request__isnull=True) | Q(request_id=request_pk))
            .order_by("-starts_at")
        )
        self.fields["events"].widget.attrs["size"] = 8


class DeliverForm(forms.Form):
    delivered_on = forms.DateField(
        label=_("Delivered on"), widget=DateInput(), initial=timezone.localdate
    )


class FeedbackForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction (1 to 5)"),
        coerce=int,
        choices=[(i, str(i)) for i in range(1, 6)],
        widget=forms.RadioSelect,
    )
    feedback = forms.CharField(
        label=_("The state's feedback"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class CloseForm(forms.Form):
    closed_on = forms.DateField(
        label=_("Closed on"), widget=DateInput(), initial=timezone.localdate
    )
    no_feedback = forms.BooleanField(
        label=_("Close without the state's feedback (no feedback within the time allowed)"),
        required=False,
    )


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["program", "activity", "title", "unit", "source", "baseline"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.order_by("order")  # type: ignore[attr-defined]
        self.fields["activity"].queryset = _activity_choices()  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        pass


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To"), widget=DateInput())
    target = forms.DecimalField(label=_("Target"), max_digits=14, decimal_places=2, required=False)
    actual = forms.DecimalField(
        label=_("Actual"),
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text=_("Reported indicators only: counted ones come from the participant registry."),
    )

    def __init__(self, *args: Any, manual: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not manual:
            del self.fields["actual"]
