"""What a retro-hunt accepts, and how it arrives: streamed to disk in chunks (never read whole
into memory), refused beyond ``HUNT_MAX_UPLOAD_BYTES``, and looked at (its first bytes) so that
what is not text (an archive, a document, UTF-16) is refused with a message saying what to send.

- A form or API ``multipart/form-data`` upload: :func:`guard_multipart` runs before anything
  parses the body. A declared ``Content-Length`` beyond the limit (plus room for the form's
  other fields) is refused without reading the body; otherwise :class:`SizeLimitUploadHandler`
  goes first among Django's upload handlers (which write big files to a temporary file in
  chunks) and stops the upload as soon as the file passes the limit.
- A raw API body (``text/plain``, ``text/csv``, ``application/x-ndjson``,
  ``application/gzip``): :func:`body_to_file` copies it in chunks to a temporary file.
"""

from __future__ import annotations

import zlib
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

CHUNK = 64 * 1024
# Room for the multipart framing and the form's other fields (the CSRF token, the checkbox...).
MULTIPART_OVERHEAD = 1024 * 1024
# How much of an upload is looked at to tell text from the rest.
SNIFF = 64 * 1024
GZIP_MAGIC = b"\x1f\x8b"

# Raw API bodies: media type -> whether it is gzip (gzip is recognised by its magic bytes
# anyway, whatever the type says).
RAW_MEDIA_TYPES = {
    "text/plain": False,
    "text/csv": False,
    "application/x-ndjson": False,
    "application/jsonl": False,
    "application/gzip": True,
    "application/x-gzip": True,
}
MULTIPART = "multipart/form-data"

# Formats people may try to upload, that the hunt does not read: named in the refusal.
_COMPRESSED = (
    (b"PK\x03\x04", "zip"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)


class UploadTooLarge(Exception):
    """An upload beyond ``HUNT_MAX_UPLOAD_BYTES``."""

    def __init__(self) -> None:
        super().__init__(too_large_message())


def max_bytes() -> int:
    return int(settings.HUNT_MAX_UPLOAD_BYTES)


def too_large_message() -> str:
    return _(
        "The upload is larger than the limit of {limit}. Compress it with gzip, or split it "
        "into several uploads."
    ).format(limit=filesizeformat(max_bytes()))


def content_length(request: HttpRequest) -> int:
    """The request's declared body length (0 when absent or malformed)."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


class SizeLimitUploadHandler(FileUploadHandler):
    """The first upload handler of a retro-hunt request: counts each file's bytes as they
    arrive and stops the upload when one passes the limit (the rest of the body, at most
    :data:`MULTIPART_OVERHEAD` bytes given the declared length, is read and dropped, so that
    the refusal reaches the browser). The file is then absent and ``exceeded`` says why."""

    def __init__(self, request: HttpRequest | None, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def guard_multipart(request: HttpRequest) -> SizeLimitUploadHandler:
    """Call before anything reads ``request.POST`` or ``request.FILES``: :class:`UploadTooLarge`
    when the declared length is already beyond the limit (the body is not read), otherwise the
    handler now first in ``request.upload_handlers``."""
    if content_length(request) > max_bytes() + MULTIPART_OVERHEAD:
        raise UploadTooLarge
    handler = SizeLimitUploadHandler(request, max_bytes())
    handlers: Any = request.upload_handlers  # a list until the body is parsed
    handlers.insert(0, handler)
    return handler


def media_type(request: Any) -> str:
    return str(request.META.get("CONTENT_TYPE", "")).split(";", 1)[0].strip().lower()


def body_to_file(request: HttpRequest, *, name: str, content_type: str) -> TemporaryUploadedFile:
    """The request's body, copied in chunks to a temporary file. ``ValidationError`` when it is
    empty or shorter than declared, :class:`UploadTooLarge` beyond the limit (not read)."""
    length = content_length(request)
    if not length:
        raise ValidationError(
            _("Send the logs or observables in the request body, with a Content-Length."),
            code="empty",
        )
    if length > max_bytes():
        raise UploadTooLarge
    upload = TemporaryUploadedFile(name or "body", content_type, 0, None)
    remaining = length
    try:
        while remaining:
            chunk = request.read(min(CHUNK, remaining))
            if not chunk:
                break
            upload.write(chunk)
            remaining -= len(chunk)
    except BaseException:
        upload.close()
        raise
    if remaining:
        upload.close()
        raise ValidationError(
            _("The request body ended before the length its Content-Length announced."),
            code="incomplete",
        )
    upload.size = length
    upload.seek(0)
    return upload


def inspect(upload: Any) -> bool:
    """Whether ``upload`` (a file open for reading) is gzip; ``ValidationError`` when it is
    empty or not text (code ``unsupported``: an archive, another compression, a binary file,
    UTF-16). Only its first bytes are read."""
    upload.seek(0)
    head = upload.read(SNIFF)
    upload.seek(0)
    if not head:
        raise ValidationError(_("The file is empty."), code="empty")
    compressed = head[:2] == GZIP_MAGIC
    text = head
    if compressed:
        try:
            text = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS).decompress(head, SNIFF)
        except zlib.error as exc:
            raise ValidationError(
                _("The file starts like gzip but is not valid gzip."), code="unsupported"
            ) from exc
        if not text and len(head) < SNIFF:
            raise ValidationError(_("The file is empty once decompressed."), code="empty")
    for magic, label in _COMPRESSED:
        if text.startswith(magic):
            raise ValidationError(
                _(
                    "This is a {format} archive, which the retro-hunt does not read: extract it, "
                    "then upload the text files (gzip-compressed if you like)."
                ).format(format=label),
                code="unsupported",
            )
    if text[:3] == b"BZh" and text[4:10] == b"1AY&SY":
        raise ValidationError(
            _("This file is compressed with bzip2: decompress it, or compress it with gzip."),
            code="unsupported",
        )
    if text[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ValidationError(
            _("This text is encoded in UTF-16: save it as UTF-8 and upload it again."),
            code="unsupported",
        )
    if b"\x00" in text:
        raise ValidationError(
            _(
                "This is not a text file. Upload logs or observables as plain text, CSV or JSON "
                "lines, optionally gzip-compressed."
            ),
            code="unsupported",
        )
    return compressed
