"""What a retro-hunt accepts, and how it arrives: streamed to disk in chunks (never read whole
into memory), refused beyond ``HUNT_MAX_UPLOAD_BYTES``, and looked at (its first bytes) so that
what is not text (an archive, a document, UTF-16) is refused with a message saying what to send.

- A form or API ``multipart/form-data`` upload: ``LIMIT.guard_multipart`` runs before anything
  parses the body. A declared ``Content-Length`` beyond the limit (plus room for the form's
  other fields) is refused without reading the body; otherwise the size limit goes first among
  Django's upload handlers (which write big files to a temporary file in chunks) and stops the
  upload as soon as the file passes the limit.
- A raw API body (``text/plain``, ``text/csv``, ``application/x-ndjson``,
  ``application/gzip``): ``LIMIT.body_to_file`` copies it in chunks to a temporary file.

The size limit and the chunked copy are :mod:`cicte.core.uploads`, shared with batch screening;
this module gives them the retro-hunt's limit and messages (:data:`LIMIT`), and tells text from
the rest.
"""

from __future__ import annotations

import zlib
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cicte.core.uploads import UploadLimit

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

LIMIT = UploadLimit(
    setting="HUNT_MAX_UPLOAD_BYTES",
    raw_media_types=RAW_MEDIA_TYPES,
    too_large_message=lambda limit: _(
        "The upload is larger than the limit of {limit}. Compress it with gzip, or split it "
        "into several uploads."
    ).format(limit=limit),
    empty_message=lambda: _(
        "Send the logs or observables in the request body, with a Content-Length."
    ),
)

# Formats people may try to upload, that the hunt does not read: named in the refusal.
_COMPRESSED = (
    (b"PK\x03\x04", "zip"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)


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
