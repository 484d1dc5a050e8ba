"""Forms of the advisory pages: writing and changing an advisory, its translations, the reasons
of a send-back or a withdrawal, and a person's subscriptions.

Affected products are a textarea of lines ``CVE | vendor | product | versions`` (any part may be
empty; a line with only a CVE id is enough), parsed into the advisory's list; references are
one URL per line.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cicte.accounts.models import Network
from cicte.accounts.selectors import network_ids_for
from cicte.advisories.choices import LANGUAGES, Severity
from cicte.advisories.models import Advisory, EmailMode
from cicte.core.choices import TLP
from cicte.core.models import WebhookEndpoint
from cicte.intel.models import Collection

AFFECTED_PARTS = ("cve", "vendor", "product", "versions")


def parse_affected(text: str) -> list[dict[str, str]]:
    """Lines ``CVE | vendor | product | versions`` → the advisory's list of affected products."""
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) > len(AFFECTED_PARTS):
            raise ValidationError(
                gettext(
                    "Line {number} has more than four parts: CVE | vendor | product | versions."
                ).format(number=number)
            )
        parts += [""] * (len(AFFECTED_PARTS) - len(parts))
        item = dict(zip(AFFECTED_PARTS, parts, strict=True))
        item["cve"] = item["cve"].upper()
        if not any(item.values()):
            continue
        items.append(item)
    return items


def format_affected(items: list[dict[str, Any]]) -> str:
    return "\n".join(
        " | ".join(str(item.get(part, "") or "") for part in AFFECTED_PARTS).rstrip(" |")
        for item in items
    )


def parse_references(text: str) -> list[str]:
    """One http(s) URL per line."""
    validate = URLValidator(schemes=["http", "https"])
    urls = []
    for number, line in enumerate(text.splitlines(), start=1):
        url = line.strip()
        if not url:
            continue
        try:
            validate(url)
        except ValidationError as exc:
            raise ValidationError(
                gettext("Line {number} is not an http(s) address.").format(number=number)
            ) from exc
        if url not in urls:
            urls.append(url)
    return urls


def publishable_networks(actor: Any) -> Any:
    """The networks in which ``actor`` may write advisories."""
    from cicte.accounts import permissions
    from cicte.advisories.services import PUBLISH

    if permissions.has_global_perm(actor, PUBLISH):
        return Network.objects.all()
    return Network.objects.filter(pk__in=permissions.networks_with_perm(actor, PUBLISH))


class CollectionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        network = obj.network.localized_name if obj.network_id else ""
        return f"{obj.title} ({network})" if network else str(obj.title)


class AdvisoryForm(forms.Form):
    """A new advisory (with its network and collection) or a change of one (without: they stay;
    with a note of what changed once it is published)."""

    network = forms.ModelChoiceField(
        queryset=Network.objects.none(), label=_("Network"), empty_label=None
    )
    collection = CollectionChoiceField(
        queryset=Collection.objects.none(),
        label=_("STIX collection"),
        required=False,
        empty_label=_("None"),
        help_text=_(
            "Where its STIX report goes when it is published: a collection of the same network "
            "that you may write to. Optional."
        ),
    )
    tlp = forms.ChoiceField(label=_("TLP"), choices=TLP.choices, initial=TLP.GREEN)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES, initial="en")
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 6}))
    recommendations = forms.CharField(
        label=_("Recommendations"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    affected = forms.CharField(
        label=_("Affected products"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=_(
            "One per line: CVE | vendor | product | versions, for example "
            "“CVE-2026-12345 | Acme | Gateway | 4.0 to 4.1”. Any part may be left empty."
        ),
    )
    references = forms.CharField(
        label=_("References"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_("One address per line."),
    )
    note = forms.CharField(
        label=_("What changed"),
        max_length=500,
        help_text=_("Subscribers receive the new version with this note."),
    )

    def __init__(
        self, *args: Any, actor: Any, advisory: Advisory | None = None, **kwargs: Any
    ) -> None:
        if advisory is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "tlp": advisory.tlp,
                "severity": advisory.severity,
                "language": advisory.language,
                "title": advisory.title,
                "summary": advisory.summary,
                "recommendations": advisory.recommendations,
                "affected": format_affected(advisory.affected),
                "references": "\n".join(str(url) for url in advisory.references),
            }
        super().__init__(*args, **kwargs)
        self.advisory = advisory
        if advisory is None:
            network_field: Any = self.fields["network"]
            network_field.queryset = publishable_networks(actor)
            collection_field: Any = self.fields["collection"]
            collection_field.queryset = (
                Collection.objects.writable_by(actor)
                .filter(network__isnull=False, is_active=True)
                .select_related("network")
            )
            del self.fields["note"]
        else:
            del self.fields["network"], self.fields["collection"]
            if advisory.status != "published":
                del self.fields["note"]

    def clean_affected(self) -> list[dict[str, str]]:
        return parse_affected(self.cleaned_data.get("affected") or "")

    def clean_references(self) -> list[str]:
        return parse_references(self.cleaned_data.get("references") or "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        network, collection = cleaned.get("network"), cleaned.get("collection")
        if network is not None and collection is not None and collection.network_id != network.pk:
            self.add_error("collection", gettext("Choose a collection of the advisory's network."))
        return cleaned

    def content(self) -> dict[str, Any]:
        """The fields the services take."""
        data = self.cleaned_data
        names = ("tlp", "severity", "language", "recommendations", "affected", "references")
        values = {name: data[name] for name in names}
        values.update(title=data["title"], summary=data["summary"])
        return values


class TranslationForm(forms.Form):
    """The advisory's title, summary and recommendations in another of the four languages."""

    language = forms.ChoiceField(label=_("Language"), choices=())
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 6}))
    recommendations = forms.CharField(
        label=_("Recommendations"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, advisory: Advisory, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["language"]
        field.choices = [(code, name) for code, name in LANGUAGES if code != advisory.language]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class SubscriptionForm(forms.Form):
    """Which advisories notify the person, and how."""

    networks = forms.ModelMultipleChoiceField(
        queryset=Network.objects.none(),
        label=_("Networks"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None: every network whose advisories you may read."),
    )
    severities = forms.MultipleChoiceField(
        label=_("Severities"),
        choices=Severity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None: every severity."),
    )
    products = forms.CharField(
        label=_("Products"),
        required=False,
        max_length=2000,
        help_text=_(
            "Vendors, products or CVE ids, separated by commas; none: every advisory. "
            "A word matches the title and the affected products."
        ),
    )
    email = forms.ChoiceField(label=_("Email"), choices=EmailMode.choices)
    webhook = forms.ModelChoiceField(
        queryset=WebhookEndpoint.objects.none(),
        label=_("Webhook"),
        required=False,
        empty_label=_("None"),
        help_text=_("One of your webhook endpoints, which receives each advisory event."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        networks: Any = self.fields["networks"]
        networks.queryset = Network.objects.filter(pk__in=network_ids_for(actor))
        webhook: Any = self.fields["webhook"]
        webhook.queryset = WebhookEndpoint.objects.visible_to(actor)

    def clean_products(self) -> list[str]:
        text = self.cleaned_data.get("products") or ""
        return [word.strip() for word in text.split(",") if word.strip()]
