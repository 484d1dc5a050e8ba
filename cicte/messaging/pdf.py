"""A thread as a PDF for the record (WeasyPrint, from the template ``messaging/thread_pdf.html``):
only the messages the reader may read, each with its TLP label, sender, times and the per-state
delivery record; the file's first line says who exported it and when. WeasyPrint fetches
nothing: every resource is inline, any URL is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

STYLESHEET = Path(__file__).resolve().parent / "pdf.css"


def render_thread(items: list[Any], *, actor: Any, language: str | None = None) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    from cicte.messaging.models import deliveries_by_message

    fetcher = URLFetcher(allowed_protocols={"data"})
    deliveries = deliveries_by_message(items)
    for item in items:
        item.pdf_deliveries = deliveries.get(item.pk, [])
    with translation.override(language or translation.get_language() or "en"):
        html = render_to_string(
            "messaging/thread_pdf.html",
            {
                "items": items,
                "head": items[0] if items else None,
                "actor": actor,
                "exported_at": timezone.now(),
                "language": translation.get_language(),
            },
        )
    document = HTML(string=html, url_fetcher=fetcher, base_url=None)
    stylesheet = CSS(filename=str(STYLESHEET), url_fetcher=fetcher)
    return bytes(document.write_pdf(stylesheets=[stylesheet], pdf_tags=True))
