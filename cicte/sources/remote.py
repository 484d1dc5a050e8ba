"""Reading remote sources over HTTP, without the database: a TAXII 2.1 collection with the OASIS
client (taxii2-client), a MISP feed with the platform's MISP engine (:mod:`cicte.intel.misp_engine`
checks every file). Every request has a timeout, follows no redirect, and reads at most
``MAX_RESPONSE_BYTES``; every failure is a :class:`RemoteError` whose message says what went
wrong and what to check.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase, HTTPBasicAuth
from taxii2client import exceptions as taxii_errors
from taxii2client.common import _HTTPConnection
from taxii2client.v21 import Collection as TaxiiCollection
from taxii2client.v21 import as_pages

from cicte.core.targets import check_public_url
from cicte.intel import misp_engine, stix
from cicte.sources.choices import AuthScheme, SourceKind

USER_AGENT = "CICTE-Platform-Sources/1"
# The largest answer read (a TAXII page, a MISP manifest or event): the MISP importer's limit.
MAX_RESPONSE_BYTES = misp_engine.MAX_DOCUMENT_BYTES
# Objects asked for per TAXII request (servers may answer with fewer).
TAXII_PAGE_SIZE = 500
DATE_ADDED_LAST = "X-TAXII-Date-Added-Last"
TAXII_COLLECTION_PATH = re.compile(r"/collections/[^/]+/?$")
ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")]+)")


class RemoteError(Exception):
    """A remote source could not be read; the message is shown to the Secretariat."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def timeout_seconds() -> int:
    return int(getattr(settings, "SOURCES_HTTP_TIMEOUT", 30))


# --- Addresses ---------------------------------------------------------------------------------


def normalise_url(kind: str, url: str) -> str:
    """The address as stored: a TAXII collection's or a feed's folder, ending with a slash
    (``…/manifest.json`` given for a feed is its folder)."""
    url = url.strip()
    if kind == SourceKind.MISP_FEED:
        url = url.removesuffix("manifest.json")
    return url if url.endswith("/") else url + "/"


def check_url(kind: str, url: str) -> None:
    """Refuse an address the platform must not call, or that is not of the source's kind:
    ValidationError with what to fix. Plain http and private, loopback or link-local hosts are
    refused unless SOURCES_ALLOW_HTTP / SOURCES_ALLOW_PRIVATE_TARGETS allow them (server-side
    request forgery: the worker would fetch them)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("Give an https:// address."))
    if parts.username or parts.password:
        raise ValidationError(
            _("Give the username and password in their own fields, not in the address.")
        )
    if parts.scheme == "http" and not getattr(settings, "SOURCES_ALLOW_HTTP", False):
        raise ValidationError(
            _("Remote sources are read over https only: give an https:// address.")
        )
    if kind == SourceKind.TAXII and not TAXII_COLLECTION_PATH.search(parts.path):
        raise ValidationError(
            _(
                "Give the address of the TAXII collection itself, ending in "
                "/collections/<collection id>/."
            )
        )
    if not getattr(settings, "SOURCES_ALLOW_PRIVATE_TARGETS", False):
        check_public_url(url)


# --- HTTP --------------------------------------------------------------------------------------


class _HeaderAuth(AuthBase):
    """``Authorization: <value>`` on every request."""

    def __init__(self, value: str) -> None:
        self.value = value

    def __call__(self, request: Any) -> Any:
        request.headers["Authorization"] = self.value
        return request


def auth_for(scheme: str, username: str, secret: str) -> AuthBase | None:
    """The requests authentication of a source."""
    if scheme == AuthScheme.BASIC:
        return HTTPBasicAuth(username, secret)
    if scheme == AuthScheme.TOKEN:
        return _HeaderAuth(f"Token {secret}")
    if scheme == AuthScheme.BEARER:
        return _HeaderAuth(f"Bearer {secret}")
    if scheme == AuthScheme.KEY:
        return _HeaderAuth(secret)
    return None


class _TimeoutAdapter(HTTPAdapter):
    """Every request of the session gets the timeout (taxii2-client passes none)."""

    def __init__(self, timeout: float, **kwargs: Any) -> None:
        self.timeout = timeout
        super().__init__(**kwargs)

    def send(self, request: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


def _read_limited(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
    """A response hook (it runs before requests reads the body): refuse redirects, and read the
    body here, at most MAX_RESPONSE_BYTES of it."""
    if response.is_redirect:
        location = response.headers.get("Location", "")
        response.close()
        raise RemoteError(
            _(
                "{url} redirects to {location}: give the final address (redirects are not "
                "followed)."
            ).format(url=response.url, location=location[:300])
        )
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > MAX_RESPONSE_BYTES:
        response.close()
        raise RemoteError(_too_large(response.url))
    body = bytearray()
    for chunk in response.iter_content(65536):
        body += chunk
        if len(body) > MAX_RESPONSE_BYTES:
            response.close()
            raise RemoteError(_too_large(response.url))
    # What requests itself would have read, kept where it reads it from.
    response._content = bytes(body)
    return response


def _too_large(url: str) -> str:
    return _("{url} answered with more than {size} MB.").format(
        url=url, size=MAX_RESPONSE_BYTES // (1024 * 1024)
    )


def configure(session: requests.Session, *, timeout: float) -> requests.Session:
    """Timeouts, no redirects, a size limit and the platform's User-Agent on ``session``."""
    adapter = _TimeoutAdapter(timeout)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.max_redirects = 0
    session.headers["User-Agent"] = USER_AGENT
    session.hooks["response"] = [_read_limited]
    return session


def describe(exc: BaseException, url: str, *, timeout: float) -> str:
    """A clear message for what went wrong while reading ``url``."""
    host = urlsplit(url).hostname or url
    if isinstance(exc, RemoteError):
        return exc.message
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        status = exc.response.status_code
        where = exc.response.url or url
        if status in (401, 403):
            return _(
                "The server refused the credentials (HTTP {status}) at {url}: check the "
                "username and the password, token or key, and that the account may read it."
            ).format(status=status, url=where)
        if status == 404:
            return _(
                "Nothing at {url} (HTTP 404): check the address, or the account may not read it."
            ).format(url=where)
        return _("The server answered HTTP {status} at {url}.").format(status=status, url=where)
    if isinstance(exc, requests.Timeout):
        return ngettext(
            "{host} did not answer within {seconds} second.",
            "{host} did not answer within {seconds} seconds.",
            int(timeout),
        ).format(host=host, seconds=int(timeout))
    if isinstance(exc, requests.exceptions.SSLError):
        return _("The TLS connection to {host} failed: {reason}").format(
            host=host, reason=_reason(exc)
        )
    if isinstance(exc, requests.ConnectionError):
        return _("Cannot connect to {host}: {reason}.").format(host=host, reason=_reason(exc))
    if isinstance(exc, requests.TooManyRedirects):
        return _("{url} redirects elsewhere: give the final address.").format(url=url)
    if isinstance(exc, (taxii_errors.InvalidJSONError, json.JSONDecodeError)):
        return _("The answer from {url} is not valid JSON.").format(url=url)
    if isinstance(exc, taxii_errors.AccessError):
        return _(
            "The TAXII collection at {url} says this account may not read it (can_read is "
            "false): ask its administrators for read access."
        ).format(url=url)
    if isinstance(exc, taxii_errors.ValidationError):
        return _("The collection at {url} is not a valid TAXII 2.1 collection: {reason}").format(
            url=url, reason=str(exc)[:300]
        )
    if isinstance(exc, taxii_errors.TAXIIServiceException):
        return _("{url} does not answer as a TAXII 2.1 server: {reason}").format(
            url=url, reason=str(exc).splitlines()[0][:300] if str(exc) else exc.__class__.__name__
        )
    if isinstance(exc, requests.RequestException):
        return _("{url} cannot be read: {reason}").format(url=url, reason=exc.__class__.__name__)
    return str(exc)


def _reason(exc: BaseException) -> str:
    """The innermost reason of a connection failure (``Connection refused``...)."""
    found = ERRNO.search(str(exc))
    if found:
        return found.group(1).strip()
    return exc.__class__.__name__


HTTP_FAILURES: tuple[type[BaseException], ...] = (
    RemoteError,
    requests.RequestException,
    taxii_errors.TAXIIServiceException,
    json.JSONDecodeError,
)


# --- TAXII 2.1 ---------------------------------------------------------------------------------


@dataclass
class TaxiiRead:
    """What a poll read from a TAXII collection."""

    objects: list[Any] = field(default_factory=list)
    pages: int = 0
    # The X-TAXII-Date-Added-Last of the last page that had one (the next added_after).
    date_added_last: str = ""
    # Whether the server had more when the poll stopped at its limit.
    more: bool = False


def read_taxii(
    *,
    url: str,
    auth: AuthBase | None,
    added_after: str = "",
    max_objects: int = 10_000,
    timeout: float | None = None,
) -> TaxiiRead:
    """The object versions added to the TAXII 2.1 collection at ``url`` after ``added_after``
    (all when empty), page by page with taxii2-client, up to about ``max_objects`` (whole
    pages)."""
    timeout = timeout or timeout_seconds()
    # taxii2-client's own connection (what its endpoints take as ``conn``), whose session gets
    # the timeout, the size limit and no redirects: the client sets none of them itself.
    connection = _HTTPConnection(user_agent=USER_AGENT, version="2.1", auth=auth)
    configure(connection.session, timeout=timeout)
    headers: dict[str, str] = {}

    def keep_date_added(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        value = response.headers.get(DATE_ADDED_LAST)
        if response.status_code == 200 and value:
            headers["last"] = value

    connection.session.hooks["response"].append(keep_date_added)
    result = TaxiiRead()
    try:
        collection = TaxiiCollection(url, conn=connection)
        # Every version (TAXII's default is the latest only): versions added between two polls
        # are all stored, as on the remote server.
        pages = as_pages(
            collection.get_objects,
            per_request=TAXII_PAGE_SIZE,
            added_after=added_after or None,
            version="all",
        )
        for envelope in pages:
            if not isinstance(envelope, dict):
                raise RemoteError(
                    _("The answer from {url} is not a TAXII envelope.").format(url=url)
                )
            objects = envelope.get("objects", [])
            if not isinstance(objects, list):
                raise RemoteError(
                    _("The envelope from {url} has no list of objects.").format(url=url)
                )
            result.objects.extend(objects)
            result.pages += 1
            last = headers.pop("last", "")
            if last and _is_timestamp(last):
                result.date_added_last = last.strip()
            if len(result.objects) >= max_objects and envelope.get("more"):
                result.more = True
                break
    except HTTP_FAILURES as exc:
        raise RemoteError(describe(exc, url, timeout=timeout)) from exc
    finally:
        # Close the kept-alive connections (taxii2-client keeps them for the next request).
        connection.close()
    return result


def _is_timestamp(value: str) -> bool:
    try:
        stix.parse_timestamp(value)
    except ValueError:
        return False
    return True


# --- MISP feeds --------------------------------------------------------------------------------


@dataclass
class FeedRead:
    """What a poll read from a MISP feed: the checked events newer than those seen, with their
    manifest timestamps."""

    events: list[dict[str, Any]] = field(default_factory=list)
    timestamps: dict[str, int] = field(default_factory=dict)
    # Every event uuid the manifest lists (what is remembered is pruned to these).
    listed: set[str] = field(default_factory=set)
    # Whether newer events were left for the next poll (more than the limit).
    more: bool = False


def read_misp_feed(
    *,
    url: str,
    auth: AuthBase | None,
    seen: dict[str, int],
    max_events: int = 100,
    timeout: float | None = None,
) -> FeedRead:
    """The events of the MISP feed at ``url`` whose manifest timestamp is newer than in
    ``seen`` (all of them the first time), oldest first, at most ``max_events``. Fetched by the
    MISP engine's feed reader (:func:`misp_engine.url_fetcher`, over this module's session:
    authentication, no redirects, the size limit, the timeout) and checked by it
    (:func:`misp_engine.read_manifest`, :func:`misp_engine.read_events`: valid MISP JSON, the
    one event the manifest names, loadable by PyMISP). MispError or RemoteError otherwise."""
    timeout = timeout or timeout_seconds()
    base = url if url.endswith("/") else url + "/"
    with requests.Session() as session:
        configure(session, timeout=timeout)
        if auth is not None:
            session.auth = auth
        fetch = misp_engine.url_fetcher(
            base,
            timeout=timeout,
            session=session,
            on_error=lambda exc, target: RemoteError(describe(exc, target, timeout=timeout)),
        )
        manifest = misp_engine.read_manifest(base, fetch)
        timestamps = misp_engine.manifest_timestamps(manifest, base=base)
        newer = sorted(
            (stamp, key) for key, stamp in timestamps.items() if stamp > seen.get(key, -1)
        )
        batch = newer[:max_events]
        result = FeedRead(listed=set(timestamps), more=len(newer) > len(batch))
        if not batch:
            return result
        # The manifest's own spelling of each uuid: the event file is named after it.
        keys = {key.lower(): key for key in manifest}
        result.events = misp_engine.read_events(base, fetch, [keys[key] for _stamp, key in batch])
        result.timestamps = {key: stamp for stamp, key in batch}
        return result
