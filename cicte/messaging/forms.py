"""Forms of the secure exchange's pages (the services check everything again)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cicte.accounts.models import MemberState, Network
from cicte.core.choices import TLP
from cicte.messaging import services
from cicte.messaging.choices import MessageKind, Urgency

SECRETARIAT = "secretariat"
ROOT_KINDS = [(k, label) for k, label in MessageKind.choices if k != MessageKind.RESPONSE]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class NetworkField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.localized_name


class StateField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.localized_name


ATTACHMENT_HELP = _(
    "PDF, PNG, JPEG, plain text, CSV, DOCX, XLSX, JSON or STIX; each file up to {limit}."
)


URGENCY_HELP = _(
    "Immediate: if an addressed state does not acknowledge it, it goes to the state's alternates "
    "and 24/7 contacts after {delay}, and as long again later to the Secretariat's duty officers."
)


def urgency_help(networks: list[Network]) -> str:
    """The urgency's help text: when an immediate message escalates, in each network the actor
    sends in (one query)."""
    from cicte.messaging import escalation

    def minutes(count: int) -> str:
        return ngettext("{count} minute", "{count} minutes", count).format(count=count)

    if not networks:
        return ""
    delays = escalation.minutes_by_network(n.pk for n in networks)
    if len(set(delays.values())) == 1:
        delay = minutes(next(iter(delays.values())))
    else:
        delay = "; ".join(
            _("{network}: {delay}").format(network=n.localized_name, delay=minutes(delays[n.pk]))
            for n in networks
        )
    return str(URGENCY_HELP).format(delay=delay)


class ComposeForm(forms.Form):
    network = NetworkField(label=_("Network"), queryset=Network.objects.none())
    sender = forms.ChoiceField(label=_("Send on behalf of"))
    kind = forms.ChoiceField(label=_("Kind"), choices=ROOT_KINDS)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    tlp = forms.ChoiceField(label=_("TLP"), choices=TLP.choices, initial=TLP.AMBER)
    whole_network = forms.BooleanField(label=_("Address the whole network"), required=False)
    states = StateField(
        label=_("Or these member states"),
        queryset=MemberState.objects.all(),
        required=False,
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=services.SUBJECT_MAX,
        help_text=_("Sent by email only at TLP:CLEAR and TLP:GREEN."),
    )
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 10}))
    language = forms.CharField(
        label=_("Language of the content"),
        max_length=12,
        required=False,
        help_text=_("For example es, en, fr, pt."),
    )
    due_at = forms.DateTimeField(
        label=_("Answer by (UTC)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Required for a request for information."),
    )
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        networks = services.sending_networks(actor)
        self.fields["network"].queryset = Network.objects.filter(  # type: ignore[attr-defined]
            pk__in=[n.pk for n in networks]
        )
        choices: list[tuple[str, str]] = []
        states: dict[int, str] = {}
        for network in networks:
            if services.sends_for_secretariat(actor, network):
                choices = [(SECRETARIAT, str(_("CICTE Secretariat")))]
            for state in services.sending_states(actor, network):
                states[state.pk] = state.localized_name
        choices += [(str(pk), name) for pk, name in sorted(states.items(), key=lambda kv: kv[1])]
        sender = self.fields["sender"]
        assert isinstance(sender, forms.ChoiceField)
        sender.choices = choices
        from django.template.defaultfilters import filesizeformat

        from cicte.messaging import attachments

        self.fields["attachments"].help_text = str(ATTACHMENT_HELP).format(
            limit=filesizeformat(attachments.max_bytes())
        )
        self.fields["urgency"].help_text = urgency_help(networks)

    def clean_due_at(self) -> dt.datetime | None:
        value = self.cleaned_data.get("due_at")
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value, dt.UTC)
        return value

    def sender_state(self) -> MemberState | None:
        sender = self.cleaned_data.get("sender")
        if not sender or sender == SECRETARIAT:
            return None
        return MemberState.objects.get(pk=int(sender))


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your response"), widget=forms.Textarea(attrs={"rows": 6}))
    tlp = forms.ChoiceField(label=_("TLP"), choices=TLP.choices)
    language = forms.CharField(label=_("Language of the content"), max_length=12, required=False)
    attachments = MultipleFileField(label=_("Attachments"))


class MetricsForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    network = forms.ModelChoiceField(
        label=_("Network"),
        queryset=Network.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All networks"),
    )
