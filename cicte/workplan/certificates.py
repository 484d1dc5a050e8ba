"""Certificates of participation: the PDF (WeasyPrint, from the template
``workplan/people/certificate_pdf.html``) and the reading of verification codes.

The PDF carries the holder's name, the event, its dates, its hours when known, the verification
code and the verification address as text, as a link and as a QR code (segno). WeasyPrint
fetches nothing: every resource is inline (the QR code is a data: URI) and any other URL is
refused, so a name or a title can never make the server fetch an address.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from cicte.workplan.models import Certificate

STYLESHEET = Path(__file__).resolve().parent / "pdf" / "certificate.css"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# What people mistype when they copy a code by hand (Crockford base32 reads them as digits).
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_CODE = re.compile(rf"^[{CROCKFORD}]{{16}}$")


def normalise_code(raw: str) -> str | None:
    """The canonical form of a code typed or scanned ("abcd efgh-...", O for 0...), or None when
    it cannot be one."""
    compact = re.sub(r"[\s\-]", "", (raw or "")).upper().translate(_CONFUSABLE)
    if not _CODE.match(compact):
        return None
    return "-".join(compact[i : i + 4] for i in range(0, 16, 4))


def verification_url(certificate: Certificate) -> str:
    return settings.BASE_URL + reverse("certificates:verify", args=[certificate.code])


def event_hours(event: Any) -> Any:
    """The event's hours when the plan records them (a field a later version may add)."""
    return getattr(event, "hours", None) or None


def render_pdf(certificate: Certificate, *, language: str | None = None) -> bytes:
    """The certificate as a tagged PDF, in ``language`` (default: the active one)."""
    import segno
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    # Only inline (data:) resources: a certificate never makes the server fetch an address.
    fetcher = URLFetcher(allowed_protocols={"data"})

    registration = certificate.registration
    event = registration.event
    url = verification_url(certificate)
    qr = segno.make(url, error="m")
    with translation.override(language or translation.get_language() or "en"):
        html = render_to_string(
            "workplan/people/certificate_pdf.html",
            {
                "certificate": certificate,
                "person": registration.person,
                "event": event,
                "event_title": event.translated("title"),
                "hours": event_hours(event),
                "url": url,
                "qr": qr.svg_data_uri(scale=4, border=2),
                "language": translation.get_language(),
            },
        )
    document = HTML(string=html, url_fetcher=fetcher, base_url=None)
    # Uncompressed: the code and the address stay readable in the file (metadata and link)
    # for search and archiving tools; a certificate is one page.
    stylesheet = CSS(filename=str(STYLESHEET), url_fetcher=fetcher)
    return bytes(document.write_pdf(stylesheets=[stylesheet], uncompressed_pdf=True, pdf_tags=True))
