"""Attachments of the secure exchange: a size limit, and a type check by content (the first
bytes, and for office files and JSON the structure) against an allow-list. A file whose
extension does not match its content is refused with a message saying so."""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# extension -> (kind, media type)
ALLOWED = {
    ".pdf": ("pdf", "application/pdf"),
    ".png": ("png", "image/png"),
    ".jpg": ("jpeg", "image/jpeg"),
    ".jpeg": ("jpeg", "image/jpeg"),
    ".txt": ("text", "text/plain"),
    ".csv": ("text", "text/csv"),
    ".docx": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ".xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".json": ("json", "application/json"),
    ".stix": ("json", "application/stix+json"),
}
KIND_LABELS = {
    "pdf": "PDF",
    "png": "PNG",
    "jpeg": "JPEG",
    "text": "text",
    "docx": "Word (DOCX)",
    "xlsx": "Excel (XLSX)",
    "json": "JSON / STIX",
    "zip": "ZIP",
    "unknown": "unknown",
}
HEAD = 8192


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str


def max_bytes() -> int:
    return int(settings.EXCHANGE_MAX_ATTACHMENT_BYTES)


def _read_all(upload: Any) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return bytes(data)


def _zip_kind(data: bytes) -> str:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return "unknown"
    if "[Content_Types].xml" in names:
        if any(name.startswith("word/") for name in names):
            return "docx"
        if any(name.startswith("xl/") for name in names):
            return "xlsx"
    return "zip"


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def detect(data: bytes) -> str:
    """What the content is, by its bytes alone."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if _is_text(data):
        stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
        if stripped[:1] in (b"{", b"["):
            try:
                json.loads(data.decode("utf-8-sig"))
            except ValueError:
                return "text"
            return "json"
        return "text"
    return "unknown"


def check(upload: Any) -> CheckedFile:
    """The upload, checked: ``ValidationError`` saying what to fix otherwise."""
    name = PurePath(str(upload.name or "")).name[:255]
    suffix = PurePath(name.lower()).suffix
    size = int(upload.size or 0)
    if size > max_bytes():
        raise ValidationError(
            _("{name} is too large: attachments may be up to {limit}.").format(
                name=name, limit=filesizeformat(max_bytes())
            ),
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("{name} is empty.").format(name=name), code="empty")
    if suffix not in ALLOWED:
        raise ValidationError(
            _(
                "{name}: this type of file is not accepted. Accepted: PDF, PNG, JPEG, plain "
                "text, CSV, DOCX, XLSX, JSON or STIX."
            ).format(name=name),
            code="type",
        )
    data = _read_all(upload)
    expected, content_type = ALLOWED[suffix]
    found = detect(data)
    ok = found == expected or (expected == "text" and found == "json")
    if not ok:
        raise ValidationError(
            _(
                "{name}: its name says {expected} but its content is {found}. Rename it or "
                "attach the right file."
            ).format(name=name, expected=KIND_LABELS[expected], found=KIND_LABELS[found]),
            code="mismatch",
        )
    return CheckedFile(
        name=name, content_type=content_type, size=size, sha256=hashlib.sha256(data).hexdigest()
    )
