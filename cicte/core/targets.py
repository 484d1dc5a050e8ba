"""Addresses the platform itself calls (webhooks, MISP feeds, remote sources): one check against
server-side request forgery, used by every module that fetches or posts to a URL a person gave."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def check_public_url(url: str) -> None:
    """Refuse an address whose host does not resolve, or resolves to an address that is not
    public (private, loopback, link-local, reserved): ValidationError naming the host. Callers
    skip it where their setting allows private targets (``WEBHOOK_ALLOW_PRIVATE_TARGETS``,
    ``MISP_FEED_ALLOW_PRIVATE_TARGETS``, ``SOURCES_ALLOW_PRIVATE_TARGETS``)."""
    parts = urlsplit(url)
    try:
        infos = socket.getaddrinfo(
            parts.hostname,
            parts.port or (443 if parts.scheme == "https" else 80),
            proto=socket.IPPROTO_TCP,
        )
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise ValidationError(
            _("The host {host} cannot be resolved.").format(host=parts.hostname)
        ) from exc
    if any(not ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_global for info in infos):
        raise ValidationError(
            _("The host {host} resolves to a private or local address.").format(host=parts.hostname)
        )
