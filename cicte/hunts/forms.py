"""Forms of the retro-hunt pages: a new job (a file or pasted observables), and the report of a
job's matches as sightings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cicte.hunts import services, uploads

ACCEPT = ".log,.txt,.csv,.json,.jsonl,.ndjson,.gz,text/plain,text/csv,application/gzip"


class HuntJobForm(forms.Form):
    """A log or observables file, or observables pasted. ``refusal``: a message for an upload
    that was stopped before the form saw it (too large)."""

    file = forms.FileField(
        label=_("Log or observables file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    text = forms.CharField(
        label=_("Or paste observables"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, refusal: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refusal = refusal
        self.fields["file"].help_text = gettext(
            "Plain text, CSV or JSON lines, optionally gzip-compressed, up to {limit}. "
            "It is read on the platform's worker, never loaded whole into memory."
        ).format(limit=filesizeformat(uploads.LIMIT.max_bytes()))
        self.fields["text"].help_text = gettext(
            "Any text: IP addresses, CIDR blocks, domains, URLs, email addresses and MD5, "
            "SHA-1 or SHA-256 hashes are found in it. Up to {limit}; upload a file for more."
        ).format(limit=filesizeformat(services.MAX_PASTE_BYTES))

    @staticmethod
    def paste_too_large_message() -> str:
        return gettext("The pasted text is larger than {limit}: upload it as a file.").format(
            limit=filesizeformat(services.MAX_PASTE_BYTES)
        )

    def clean_text(self) -> str:
        text: str = self.cleaned_data.get("text") or ""
        if len(text.encode("utf-8")) > services.MAX_PASTE_BYTES:
            raise ValidationError(self.paste_too_large_message())
        return text

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.refusal:
            raise ValidationError({"file": self.refusal})
        if self.errors:
            return cleaned
        upload = cleaned.get("file")
        text = (cleaned.get("text") or "").strip()
        if upload and text:
            raise ValidationError(gettext("Upload a file or paste observables, not both."))
        if not upload and not text:
            raise ValidationError(gettext("Choose a file to upload, or paste observables."))
        return cleaned


class SightingsForm(forms.Form):
    """Report a job's matches as STIX sightings, naming the organisation or not."""

    anonymous = forms.BooleanField(
        label=_("Report anonymously: the sightings do not name your organisation"),
        required=False,
    )
