"""The platform's URLs plus one bench-only view, never part of the product: ``/bench/echo/<name>``
answers the bytes of a page of Get Objects saved by the benchmark (a file in
``CICTE_BENCH_ECHO_DIR``), with TAXII's media type, through the same server and middleware, so
that what the TAXII view adds to a request can be told from what the server and the middleware
cost."""

from __future__ import annotations

import os
from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from cicte.urls import urlpatterns as platform

_PAGES: dict[str, bytes] = {}


@login_not_required
def echo(request: HttpRequest, name: str) -> HttpResponse:
    body = _PAGES.get(name)
    if body is None:
        folder = Path(os.environ.get("CICTE_BENCH_ECHO_DIR", "."))
        candidate = folder / Path(name).name
        if not candidate.is_file():
            raise Http404
        body = _PAGES[name] = candidate.read_bytes()
    return HttpResponse(body, content_type="application/taxii+json;version=2.1")


urlpatterns = [path("bench/echo/<str:name>", echo), *platform]
