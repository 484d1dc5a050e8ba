"""Size-limited uploads, shared by every module that takes big files (the retro-hunt, batch
screening): streamed to disk in chunks (never read whole into memory) and refused beyond the
module's limit.

- A form or API ``multipart/form-data`` upload: :func:`guard_multipart` runs before anything
  parses the body. A declared ``Content-Length`` beyond the limit (plus room for the form's
  other fields) is refused without reading the body; otherwise :class:`SizeLimitUploadHandler`
  goes first among Django's upload handlers (which write big files to a temporary file in
  chunks) and stops the upload as soon as the file passes the limit.
- A raw API body: :func:`body_to_file` copies it in chunks to a temporary file.

Each module describes its limit and its messages once, as an :class:`UploadLimit`
(``cicte.hunts.uploads.LIMIT``, ``cicte.screening.uploads.LIMIT``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
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
MULTIPART = "multipart/form-data"


class UploadTooLarge(Exception):
    """An upload beyond its module's limit; the message says so and what to do."""


def content_length(request: HttpRequest) -> int:
    """The request's declared body length (0 when absent or malformed)."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def media_type(request: Any) -> str:
    return str(request.META.get("CONTENT_TYPE", "")).split(";", 1)[0].strip().lower()


class SizeLimitUploadHandler(FileUploadHandler):
    """The first upload handler of a request that takes a big file: counts each file's bytes as
    they arrive and stops the upload when one passes the limit (the rest of the body, at most
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


def guard_multipart(
    request: HttpRequest, *, limit: int, too_large: Callable[[], str]
) -> SizeLimitUploadHandler:
    """Call before anything reads ``request.POST`` or ``request.FILES``: :class:`UploadTooLarge`
    (with the message ``too_large()``) when the declared length is already beyond ``limit``
    (the body is not read), otherwise the handler now first in ``request.upload_handlers``."""
    if content_length(request) > limit + MULTIPART_OVERHEAD:
        raise UploadTooLarge(too_large())
    handler = SizeLimitUploadHandler(request, limit)
    handlers: Any = request.upload_handlers  # a list until the body is parsed
    handlers.insert(0, handler)
    return handler


def body_to_file(
    request: HttpRequest,
    *,
    name: str,
    content_type: str,
    limit: int,
    too_large: Callable[[], str],
    empty: str,
) -> TemporaryUploadedFile:
    """The request's body, copied in chunks to a temporary file. ``ValidationError`` when it is
    empty (the message ``empty``) or shorter than declared, :class:`UploadTooLarge` beyond
    ``limit`` (not read)."""
    length = content_length(request)
    if not length:
        raise ValidationError(empty, code="empty")
    if length > limit:
        raise UploadTooLarge(too_large())
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


@dataclass(frozen=True)
class UploadLimit:
    """One module's uploads: the setting that holds their size limit in bytes (read at each
    use), the media types a raw API body may have, and the words of its refusals:
    ``too_large_message(limit)`` (the limit as a size, "1.0 GB") and ``empty_message()`` (for a
    raw body without content), in the current language."""

    setting: str
    raw_media_types: Collection[str]
    too_large_message: Callable[[str], str]
    empty_message: Callable[[], str]

    def max_bytes(self) -> int:
        return int(getattr(settings, self.setting))

    def too_large(self) -> str:
        return self.too_large_message(filesizeformat(self.max_bytes()))

    def check_size(self, upload: Any) -> int:
        """The upload's size; ``ValidationError`` (code ``too_large``) beyond the limit."""
        size = int(upload.size or 0)
        if size > self.max_bytes():
            raise ValidationError(self.too_large(), code="too_large")
        return size

    def guard_multipart(self, request: HttpRequest) -> SizeLimitUploadHandler:
        """:func:`guard_multipart` with this limit."""
        return guard_multipart(request, limit=self.max_bytes(), too_large=self.too_large)

    def body_to_file(
        self, request: HttpRequest, *, name: str, content_type: str
    ) -> TemporaryUploadedFile:
        """:func:`body_to_file` with this limit."""
        return body_to_file(
            request,
            name=name,
            content_type=content_type,
            limit=self.max_bytes(),
            too_large=self.too_large,
            empty=self.empty_message(),
        )
