"""The form of a remote source (for the Secretariat). Its secret is write-only: never put back
into the page; left blank, the stored one is kept."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from cicte.accounts.models import User
from cicte.intel.models import Collection
from cicte.sources.models import MAX_INTERVAL_MINUTES, MIN_INTERVAL_MINUTES, RemoteSource


class RemoteSourceForm(forms.ModelForm):
    """Name, kind, address, authentication, target collection and schedule of a source."""

    url = forms.URLField(
        label=RemoteSource._meta.get_field("url").verbose_name,
        max_length=500,
        assume_scheme="https",
        help_text=RemoteSource._meta.get_field("url").help_text,
    )

    secret = forms.CharField(
        label=_("Password, token or key"),
        required=False,
        strip=False,
        max_length=4000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted; never shown again."),
    )
    reset_cursor = forms.BooleanField(
        label=_("Read everything again at the next poll"),
        required=False,
        help_text=_(
            "What is already stored is not stored twice. Use it after a change of rights, "
            "or to recover objects deleted here."
        ),
    )

    class Meta:
        model = RemoteSource
        fields = [
            "name",
            "kind",
            "url",
            "auth_scheme",
            "username",
            "collection",
            "interval_minutes",
            "is_enabled",
        ]
        widgets = {"username": forms.TextInput(attrs={"autocomplete": "off"})}

    field_order = [
        "name",
        "kind",
        "url",
        "auth_scheme",
        "username",
        "secret",
        "collection",
        "interval_minutes",
        "is_enabled",
        "reset_cursor",
    ]

    def __init__(self, *args: Any, owner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        collection: Any = self.fields["collection"]
        # The collections the owner (as whom objects are stored) may write; a source keeps its
        # collection in the list even when that right was lost (to disable it, say).
        condition = Q(pk__in=Collection.objects.writable_by(owner).values("pk"))
        if self.instance.pk:
            condition |= Q(pk=self.instance.collection_id)
        collection.queryset = (
            Collection.objects.filter(condition).select_related("network").order_by("title")
        )
        collection.help_text = _(
            "Where the objects are stored, as {user}: the collections they may write."
        ).format(user=escape(owner.get_username()))  # help texts are rendered as HTML
        self.fields["url"].widget.attrs["placeholder"] = "https://"
        interval: Any = self.fields["interval_minutes"]
        interval.widget.attrs.update(min=MIN_INTERVAL_MINUTES, max=MAX_INTERVAL_MINUTES)
        if self.instance.pk:
            if self.instance.has_secret:
                self.fields["secret"].help_text = _(
                    "A secret is stored (encrypted). Leave this blank to keep it; choosing no "
                    "authentication removes it."
                )
        else:
            del self.fields["reset_cursor"]

    def clean_username(self) -> str:
        return (self.cleaned_data.get("username") or "").strip()
