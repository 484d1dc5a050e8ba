"""Forms of the MISP page (/intel/misp/): the import of MISP events or a MISP feed into a
collection the person may write, and the export of a collection they may read as a MISP feed.

An upload is one MISP JSON document (one event, a list of events, or a MISP API answer
``{"response": [...]}``) or a zip of a MISP feed folder (manifest.json and one
``<uuid>.json`` per event), told apart by their first bytes, not by the file's name. A zip is
read with :mod:`zipfile` into :func:`cicte.intel.misp_engine.read_feed`, one file at a time and
never extracted to disk; it is refused before anything is read when it is not a plain feed:

- more than ``MISP_MAX_UPLOAD_BYTES`` once uncompressed (the sizes its directory declares, which
  bound what :mod:`zipfile` decompresses: a zip bomb is refused unread);
- a name with ``..``, an absolute path, a drive or a backslash (path traversal), a link, an
  encrypted file, a name twice, folders inside folders, or files in more than one folder.

A feed address is fetched by :func:`cicte.intel.misp.read_location` (no redirects followed,
size-limited); it must be http(s), carry no credentials, and, unless
``MISP_FEED_ALLOW_PRIVATE_TARGETS`` is set, resolve only to public addresses (server-side
request forgery).
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from pathlib import PurePosixPath
from typing import IO, Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cicte.core.choices import TLP
from cicte.core.targets import check_public_url
from cicte.intel import misp, misp_engine
from cicte.intel.filtersets import STIX_TYPES
from cicte.intel.misp_engine import MispError
from cicte.intel.models import Collection

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
# Files a feed may hold besides its manifest and events (hashes.csv...), and folders that
# archivers add on their own (macOS), ignored.
IGNORED_FOLDERS = frozenset({"__MACOSX"})
IGNORED_NAMES = frozenset({".DS_Store", "Thumbs.db"})
# Entries an archive may hold: a manifest, hashes.csv, and one file per event.
MAX_ENTRIES = misp_engine.MAX_EVENTS + 10
EXPORT_TLP_CHOICES = [(value, label) for value, label in TLP.choices if value != TLP.RED]


def max_upload_bytes() -> int:
    return int(getattr(settings, "MISP_MAX_UPLOAD_BYTES", 50 * 1024 * 1024))


def _size(size: int) -> str:
    return str(filesizeformat(size)).replace("\xa0", " ")


class CollectionChoiceField(forms.ModelChoiceField):
    """A collection, named with its network (or as a sharing group)."""

    def label_from_instance(self, obj: Any) -> str:
        if obj.network_id:
            return f"{obj.title} ({obj.network.localized_name})"
        return gettext("{title} (sharing group)").format(title=obj.title)


# --- Reading an upload ---------------------------------------------------------------------------


def _refuse(name: str, reason: str) -> MispError:
    return MispError(
        gettext("{name} is not a MISP feed archive that can be imported: {reason}").format(
            name=name, reason=reason
        )
    )


def _entry_parts(name: str, archive_name: str) -> tuple[str, ...]:
    """The parts of an entry's name, or a refusal when it could leave the archive's folder."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        raise _refuse(
            archive_name,
            gettext("the entry “{entry}” has an unsafe name.").format(entry=name[:200]),
        )
    parts = tuple(PurePosixPath(name).parts)
    if any(part == ".." or ":" in part for part in parts):
        raise _refuse(
            archive_name,
            gettext("the entry “{entry}” has an unsafe name.").format(entry=name[:200]),
        )
    return parts


def _is_plain_file(info: zipfile.ZipInfo) -> bool:
    """Whether an entry is a regular file (not a link, device or pipe): Unix archivers keep the
    file's mode in the top 16 bits of ``external_attr``; others leave its type bits 0."""
    return stat.S_IFMT(info.external_attr >> 16) in (0, stat.S_IFREG)


def _feed_entries(archive: zipfile.ZipFile, archive_name: str) -> tuple[str, dict[str, Any]]:
    """The folder of the feed in the archive ("" at the top level) and its files by name,
    after every check that needs no decompression."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise _refuse(
            archive_name,
            gettext("it holds more than {count} files.").format(count=MAX_ENTRIES),
        )
    limit = max_upload_bytes()
    total = 0
    folders: set[str] = set()
    top_level_files = False
    files: dict[str, Any] = {}
    for info in infos:
        parts = _entry_parts(info.filename, archive_name)
        if not parts or parts[0] in IGNORED_FOLDERS:
            continue
        if info.is_dir():
            if len(parts) > 1:
                raise _refuse(archive_name, gettext("it has folders inside folders."))
            folders.add(parts[0])
            continue
        if parts[-1] in IGNORED_NAMES or parts[-1].startswith("._"):
            continue
        if len(parts) > 2:
            raise _refuse(archive_name, gettext("it has folders inside folders."))
        if not _is_plain_file(info):
            raise _refuse(
                archive_name,
                gettext("the entry “{entry}” is a link, not a file.").format(entry=info.filename),
            )
        if info.flag_bits & 0x1:
            raise _refuse(
                archive_name,
                gettext("the entry “{entry}” is encrypted.").format(entry=info.filename),
            )
        if len(parts) == 2:
            folders.add(parts[0])
        else:
            top_level_files = True
        total += info.file_size
        if total > limit:
            raise _refuse(
                archive_name,
                gettext("uncompressed, it is larger than {size}.").format(size=_size(limit)),
            )
        if parts[-1] in files:
            raise _refuse(
                archive_name,
                gettext("the file “{entry}” appears twice.").format(entry=parts[-1]),
            )
        files[parts[-1]] = info
    if len(folders) > 1 or (folders and top_level_files):
        raise _refuse(
            archive_name,
            gettext(
                "its files must all be at the top level or all in one folder (it has {folders})."
            ).format(folders=", ".join(sorted(folders)) or "/"),
        )
    if "manifest.json" not in files:
        raise _refuse(
            archive_name,
            gettext("it has no manifest.json (a MISP feed lists its events in one)."),
        )
    return (next(iter(folders)) if folders else ""), files


def read_archive(handle: IO[bytes], archive_name: str) -> list[dict[str, Any]]:
    """The checked events of a zip of a MISP feed (see the module's docstring)."""
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse(archive_name, gettext("it is not a readable zip archive.")) from exc
    with archive:
        folder, files = _feed_entries(archive, archive_name)

        def fetch(name: str) -> bytes:
            info = files.get(name)
            if info is None:
                raise MispError(
                    gettext("{archive}: cannot read {name} (it is not in the archive).").format(
                        archive=archive_name, name=name
                    )
                )
            try:
                with archive.open(info) as member:
                    data = member.read(info.file_size + 1)
            except (
                zipfile.BadZipFile,
                NotImplementedError,
                RuntimeError,
                OSError,
                EOFError,
                zlib.error,
            ) as exc:
                raise MispError(
                    gettext("{archive}: cannot read {name} ({reason}).").format(
                        archive=archive_name, name=name, reason=str(exc)[:200]
                    )
                ) from exc
            if len(data) > info.file_size:
                raise _refuse(
                    archive_name,
                    gettext("{name} is larger than its entry says.").format(name=name),
                )
            return data

        return misp_engine.read_feed(folder or archive_name, fetch)


def read_upload(upload: UploadedFile) -> list[dict[str, Any]]:
    """The checked events of an uploaded file: a zip of a feed, or one MISP JSON document."""
    name = PurePosixPath(upload.name or "upload").name[:200]
    handle: Any = upload.file
    handle.seek(0)
    head = handle.read(4)
    handle.seek(0)
    if head in ZIP_MAGIC:
        return read_archive(handle, name)
    document = misp_engine.parse_json(handle.read(max_upload_bytes() + 1), what=name)
    return misp_engine.events_of(document, what=name)


# --- A feed's address --------------------------------------------------------------------------


def check_feed_url(url: str) -> None:
    """Refuse an address the platform must not fetch (see the module's docstring)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(gettext("Give an http:// or https:// address."))
    if parts.username or parts.password:
        raise ValidationError(
            gettext("Give the address without a user name or password: it is recorded.")
        )
    if not getattr(settings, "MISP_FEED_ALLOW_PRIVATE_TARGETS", False):
        check_public_url(url)


# --- Forms -------------------------------------------------------------------------------------


class MispImportForm(forms.Form):
    """MISP events or a MISP feed, uploaded or by address, for a collection the person may
    write to."""

    collection = CollectionChoiceField(
        queryset=Collection.objects.none(), label=_("Collection"), empty_label=None
    )
    file = forms.FileField(
        label=_("MISP file"),
        required=False,
        help_text=_(
            "MISP JSON (one event, a list of events, or the answer of MISP's API), or a zip of "
            "a MISP feed folder (manifest.json and one file per event)."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".json,.zip,application/json,application/zip"}
        ),
    )
    url = forms.URLField(
        label=_("Or the address of a MISP feed"),
        required=False,
        assume_scheme="https",
        max_length=2000,
        help_text=_(
            "The feed's base address (where its manifest.json is), or the address of a MISP "
            "JSON document."
        ),
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["collection"]
        field.queryset = (
            Collection.objects.writable_by(actor).select_related("network").order_by("title")
        )
        self.fields["file"].help_text = gettext("{help} At most {size}, uncompressed.").format(
            help=self.fields["file"].help_text, size=_size(max_upload_bytes())
        )

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload and upload.size is not None and upload.size > max_upload_bytes():
            raise ValidationError(
                gettext("The file is larger than {size}.").format(size=_size(max_upload_bytes()))
            )
        return upload

    def clean_url(self) -> str:
        url = (self.cleaned_data.get("url") or "").strip()
        if url:
            check_feed_url(url)
        return url

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        if cleaned.get("file") and cleaned.get("url"):
            raise ValidationError(gettext("Choose a file or give an address, not both."))
        if not cleaned.get("file") and not cleaned.get("url"):
            raise ValidationError(gettext("Choose a MISP file or give the address of a feed."))
        return cleaned

    def read_events(self) -> tuple[list[dict[str, Any]], str]:
        """The checked events, and the source to record (the file's name or the address);
        :class:`MispError` when they cannot be read."""
        upload = self.cleaned_data.get("file")
        if upload:
            return read_upload(upload), PurePosixPath(upload.name or "upload").name[:200]
        url = self.cleaned_data["url"]
        return misp.read_location(url), url


class MispExportForm(forms.Form):
    """A collection the person may read, optionally filtered, to export as a MISP feed."""

    collection = CollectionChoiceField(
        queryset=Collection.objects.none(), label=_("Collection"), empty_label=None
    )
    type = forms.MultipleChoiceField(
        label=_("Types"),
        required=False,
        choices=[(name, name) for name in STIX_TYPES],
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("STIX types to export; none: every type."),
    )
    tlp = forms.MultipleChoiceField(
        label=_("TLP"),
        required=False,
        choices=EXPORT_TLP_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None: every label but TLP:RED, which never leaves the platform."),
    )
    added_from = forms.DateField(
        label=_("Added on or after"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["collection"]
        field.queryset = (
            Collection.objects.readable_by(actor).select_related("network").order_by("title")
        )

    def filters(self) -> dict[str, Any]:
        """The filters of the object list (:class:`StixObjectFilterSet`) the export applies."""
        data = self.cleaned_data
        filters: dict[str, Any] = {}
        if data.get("type"):
            filters["type"] = list(data["type"])
        if data.get("tlp"):
            filters["tlp"] = list(data["tlp"])
        if data.get("added_from"):
            filters["added_from"] = data["added_from"].isoformat()
        return filters
