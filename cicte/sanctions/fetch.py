"""The scheduled fetch of the official lists from their configured URLs (``SANCTIONS_SOURCES``).

Each file is asked for conditionally (If-None-Match / If-Modified-Since with what the server
sent last time); when every file of a list answers 304, or the files' SHA-256 fingerprint is the
one of the last import, nothing is done. A changed list is imported: a new version with its diff.
The outcome (imported, unchanged, error with its message) is kept on the list and shown."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings

from cicte.sanctions import loading, services
from cicte.sanctions.choices import FetchStatus
from cicte.sanctions.sources import ListFormatError

logger = logging.getLogger(__name__)


class FetchError(Exception):
    """A download failed; the message says which URL and why."""


@dataclass(frozen=True)
class FetchOutcome:
    key: str
    status: str
    message: str = ""
    version: int | None = None


def _download(
    session: requests.Session, url: str, validators: dict[str, str] | None
) -> tuple[bytes | None, dict[str, str]]:
    """(content, validators) for ``url``; content ``None`` when the server says 304."""
    headers = {}
    if validators:
        if validators.get("etag"):
            headers["If-None-Match"] = validators["etag"]
        if validators.get("last_modified"):
            headers["If-Modified-Since"] = validators["last_modified"]
    limit = settings.SANCTIONS_MAX_DOWNLOAD_BYTES
    try:
        with session.get(
            url, headers=headers, timeout=settings.SANCTIONS_HTTP_TIMEOUT, stream=True
        ) as response:
            if response.status_code == 304:
                return None, dict(validators or {})
            response.raise_for_status()
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise FetchError(
                        f"{url}: larger than {limit} bytes (SANCTIONS_MAX_DOWNLOAD_BYTES)"
                    )
                chunks.append(chunk)
            seen = {
                "etag": response.headers.get("ETag", ""),
                "last_modified": response.headers.get("Last-Modified", ""),
            }
            return b"".join(chunks), {k: v for k, v in seen.items() if v}
    except requests.Timeout as exc:
        raise FetchError(f"{url}: no answer within {settings.SANCTIONS_HTTP_TIMEOUT} s") from exc
    except requests.HTTPError as exc:
        raise FetchError(
            f"{url}: HTTP {exc.response.status_code if exc.response is not None else '?'}"
        ) from exc
    except requests.RequestException as exc:
        raise FetchError(f"{url}: {exc.__class__.__name__}: {exc}") from exc


def configured_urls(key: str) -> dict[str, str]:
    """The non-empty URLs configured for list ``key``, by file name."""
    return {name: url for name, url in (settings.SANCTIONS_SOURCES.get(key) or {}).items() if url}


def fetch_list(key: str, *, session: requests.Session | None = None) -> FetchOutcome:
    """Fetch list ``key`` from its configured URLs and import it if it changed."""
    urls = configured_urls(key)
    if key not in loading.LIST_FILES:
        return FetchOutcome(key, "skipped", "no parser for this list (un and ofac only)")
    sanctions_list = services.ensure_official_list(key)
    required = [
        n for n in loading.LIST_FILES.get(key, ()) if (key, n) not in loading.OPTIONAL_FILES
    ]
    if not urls or any(n not in urls for n in required):
        return FetchOutcome(key, "skipped", "no URL configured")
    session = session or requests.Session()
    stored: dict[str, Any] = dict(sanctions_list.fetch_validators or {})
    try:
        files: dict[str, bytes | None] = {}
        validators: dict[str, dict[str, str]] = {}
        for name, url in urls.items():
            files[name], validators[url] = _download(session, url, stored.get(url))
        if all(content is None for content in files.values()):
            services.record_fetch(
                actor=None, sanctions_list=sanctions_list, status=FetchStatus.UNCHANGED
            )
            return FetchOutcome(key, FetchStatus.UNCHANGED, "not modified (HTTP 304)")
        for name, content in list(files.items()):
            if content is None:  # one file unchanged, another changed: all are needed to parse
                files[name], validators[urls[name]] = _download(session, urls[name], None)
        contents = {n: c for n, c in files.items() if c is not None}
        loaded = loading.load(
            key, contents, {n: urls[n] for n in contents}, source_url=next(iter(urls.values()))
        )
    except (FetchError, ListFormatError) as exc:
        logger.warning("Sanctions list %s: fetch failed: %s", key, exc)
        services.record_fetch(
            actor=None, sanctions_list=sanctions_list, status=FetchStatus.ERROR, error=str(exc)
        )
        return FetchOutcome(key, FetchStatus.ERROR, str(exc))
    if loaded.sha256 == sanctions_list.last_source_sha256:
        services.record_fetch(
            actor=None,
            sanctions_list=sanctions_list,
            status=FetchStatus.UNCHANGED,
            validators=validators,
        )
        return FetchOutcome(key, FetchStatus.UNCHANGED, "same SHA-256 as the last import")
    result = services.import_list(
        actor=None,
        parsed=loaded.parsed,
        source_name=loaded.source_name,
        source_bytes_sha256=loaded.sha256,
        actor_label="scheduler",
    )
    status = FetchStatus.IMPORTED if result.version else FetchStatus.UNCHANGED
    services.record_fetch(
        actor=None, sanctions_list=sanctions_list, status=status, validators=validators
    )
    return FetchOutcome(key, status, version=result.version.number if result.version else None)


def fetch_all(*, session: requests.Session | None = None) -> list[FetchOutcome]:
    """Fetch every configured list (one failing does not stop the others)."""
    return [fetch_list(key, session=session) for key in settings.SANCTIONS_SOURCES]
