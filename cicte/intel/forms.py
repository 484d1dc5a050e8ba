"""Forms of the intel pages: the upload of a STIX bundle (or TAXII envelope) to a collection."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cicte.accounts.models import Organization, Role
from cicte.intel.models import Collection


def envelope_objects(data: Any) -> list[Any]:
    """The objects of a parsed STIX bundle or TAXII envelope; ValidationError when ``data`` is
    neither (a fault of the whole upload, refused before anything is stored). The objects
    themselves are validated one by one by the ingest, which reports each refusal."""
    if not isinstance(data, dict):
        raise ValidationError(
            gettext("The JSON is not a STIX bundle or a TAXII envelope (an object)."),
            code="not_envelope",
        )
    kind = data.get("type")
    if kind is not None and kind != "bundle":
        raise ValidationError(
            gettext("The JSON is a single “{kind}”, not a bundle: wrap it in a bundle.").format(
                kind=str(kind)[:100]
            ),
            code="not_envelope",
        )
    objects = data.get("objects")
    if not isinstance(objects, list):
        raise ValidationError(
            gettext("The bundle or envelope has no list of “objects”."), code="not_envelope"
        )
    if not objects:
        raise ValidationError(gettext("The bundle or envelope has no objects."), code="empty")
    return objects


class BundleUploadForm(forms.Form):
    """A STIX 2.1 bundle (or a TAXII 2.1 envelope) as a file or pasted, for a collection the
    person may write to."""

    collection = forms.ModelChoiceField(
        queryset=Collection.objects.none(),
        label=_("Collection"),
        empty_label=None,
    )
    file = forms.FileField(
        label=_("JSON file"),
        required=False,
        help_text=_("A STIX 2.1 bundle or a TAXII 2.1 envelope, as a .json file."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    text = forms.CharField(
        label=_("Or paste the JSON"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["collection"]
        field.queryset = Collection.objects.writable_by(actor).select_related("network")
        self.objects: list[Any] = []

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload and upload.size and upload.size > settings.MAX_UPLOAD_SIZE:
            raise ValidationError(
                gettext("The file is larger than {size} MB.").format(
                    size=settings.MAX_UPLOAD_SIZE // 1048576
                )
            )
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        text = (cleaned.get("text") or "").strip()
        if self.errors:
            return cleaned
        if upload and text:
            raise ValidationError(gettext("Choose a file or paste JSON, not both."))
        if upload:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise ValidationError(gettext("The file is not UTF-8 text.")) from exc
        if not text:
            raise ValidationError(gettext("Choose a JSON file or paste the JSON."))
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ValidationError(
                gettext("The JSON cannot be read: {reason}").format(reason=str(exc)[:200])
            ) from exc
        self.objects = envelope_objects(data)
        return cleaned


class RecipientsForm(forms.Form):
    """The people a TLP:RED object reaches besides its author, by username."""

    usernames = forms.CharField(
        label=_("Usernames"),
        help_text=_("Separated by commas or spaces. They must be able to read the collection."),
        max_length=2000,
    )

    def clean_usernames(self) -> list[str]:
        text = self.cleaned_data["usernames"]
        return [name for name in text.replace(",", " ").split() if name]


class CollectionForm(forms.ModelForm):
    """A collection of a network, or a sharing group of named organisations, with the roles that
    may read and write it (for the Secretariat)."""

    read_roles = forms.ModelMultipleChoiceField(
        queryset=Role.objects.none(),
        to_field_name="slug",
        label=_("Roles that may read"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("In the collection's network (or, for a sharing group, in any scope)."),
    )
    write_roles = forms.ModelMultipleChoiceField(
        queryset=Role.objects.none(),
        to_field_name="slug",
        label=_("Roles that may write"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Collection
        fields = [
            "title",
            "alias",
            "description",
            "network",
            "organizations",
            "default_tlp",
            "is_active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = Role.objects.exclude(scope="global").order_by("ordering", "slug")
        for name in ("read_roles", "write_roles"):
            field: Any = self.fields[name]
            field.queryset = roles
            if not self.instance._state.adding:
                field.initial = list(getattr(self.instance, name).values_list("slug", flat=True))
        organizations: Any = self.fields["organizations"]
        organizations.queryset = Organization.objects.filter(is_active=True).order_by("name")
        organizations.widget.attrs["size"] = 8
        if not self.instance._state.adding:
            # The network of an existing collection stays (its objects' audience depends on it).
            self.fields["network"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        network, organizations = data.get("network"), data.get("organizations")
        if network is None and not organizations:
            raise ValidationError(
                gettext("Choose a network, or the organisations of a sharing group.")
            )
        if network is not None and organizations:
            raise ValidationError(
                gettext("A network's collection has no sharing group: choose one or the other.")
            )
        return data
