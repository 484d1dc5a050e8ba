"""What batch screening accepts, and how it arrives: a customer file (CSV, UTF-8), streamed to
disk by :mod:`cicte.core.uploads` (the retro-hunt's size-limited handling, :data:`LIMIT`) under
``SCREENING_MAX_UPLOAD_BYTES``, and looked at (its first bytes) so that what is not UTF-8 text
(a spreadsheet, an archive, UTF-16) is refused with a message saying what to send. Row by row
checks come later, on the worker (:mod:`cicte.sanctions.batch`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cicte.core.uploads import UploadLimit

RAW_MEDIA_TYPES = ("text/csv", "text/plain")
LIMIT = UploadLimit(
    setting="SCREENING_MAX_UPLOAD_BYTES",
    raw_media_types=RAW_MEDIA_TYPES,
    too_large_message=lambda limit: _(
        "The file is larger than the limit of {limit}: split it into several files."
    ).format(limit=limit),
    empty_message=lambda: _(
        "Send the customer file (CSV) in the request body, with a Content-Length."
    ),
)
SNIFF = 64 * 1024
# Files people may try to upload instead of CSV: named in the refusal.
_NOT_CSV = (
    (b"PK\x03\x04", "zip (or a spreadsheet: xlsx, ods)"),
    (b"\x1f\x8b", "gzip"),
    (b"\xd0\xcf\x11\xe0", "Excel (xls)"),
    (b"%PDF", "PDF"),
)


def max_rows() -> int:
    return int(settings.SCREENING_MAX_ROWS)


def inspect(upload: Any) -> None:
    """``ValidationError`` (code ``empty`` or ``unsupported``) when ``upload`` is empty or is
    not UTF-8 text; only its first bytes are read."""
    upload.seek(0)
    head = upload.read(SNIFF)
    upload.seek(0)
    if not head:
        raise ValidationError(_("The file is empty."), code="empty")
    for magic, label in _NOT_CSV:
        if head.startswith(magic):
            raise ValidationError(
                _("This is a {format} file: save the customer list as CSV (UTF-8).").format(
                    format=label
                ),
                code="unsupported",
            )
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head:
        raise ValidationError(
            _("This is not UTF-8 text: save the customer list as CSV (UTF-8)."),
            code="unsupported",
        )
