"""Fixtures of the sources tests: a Secretariat administrator who may write the target
collection, and HTTP servers on loopback (a folder served as a MISP feed, a scripted TAXII
server for answers the platform's own server never gives)."""

from __future__ import annotations

import functools
import http.server
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from cicte.accounts.tests import factories as af
from cicte.intel.tests import factories as f
from cicte.sources import services
from cicte.sources.choices import AuthScheme, SourceKind

TAXII = "application/taxii+json;version=2.1"


@pytest.fixture
def admin() -> Any:
    """A Secretariat administrator who is also a member of CSIRTAmericas (so they may write
    its collections whose write roles include ``member``)."""
    user = af.secretariat_admin()
    af.grant(user, "member", network_slug="csirtamericas")
    return user


@pytest.fixture
def target() -> Any:
    return f.collection(title="Mirror", read_roles=f.MEMBER_ROLES)


def signed_in(user: Any) -> Client:
    """A client signed in as ``user`` with a verified second factor (administrators need one)."""
    client = Client()
    client.force_login(user)
    device = af.add_totp(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def make_source(actor: Any, collection: Any, url: str, **kwargs: Any) -> Any:
    values: dict[str, Any] = {
        "name": f"Source {uuid.uuid4().hex[:8]}",
        "kind": SourceKind.TAXII,
        "auth_scheme": AuthScheme.NONE,
    }
    values.update(kwargs)
    return services.create_source(actor=actor, url=url, collection=collection, **values)


@contextmanager
def serve(handler: Callable[..., http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 (a free port) in a thread; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class FeedServer:
    """A folder served over HTTP; ``key``, when set, is the ``Authorization`` value wanted."""

    url: str
    folder: Path
    key: str | None = None
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def feed_server(tmp_path: Path) -> Iterator[FeedServer]:
    folder = tmp_path / "feed"
    folder.mkdir()
    state = FeedServer(url="", folder=folder)

    class Handler(_Quiet):
        def do_GET(self) -> None:
            state.requests.append(self.path)
            if state.key is not None and self.headers.get("Authorization") != state.key:
                self.send_response(401)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            super().do_GET()

    with serve(functools.partial(Handler, directory=str(folder))) as url:
        state.url = url + "/"
        yield state


@dataclass
class ScriptedTaxii:
    """A TAXII 2.1 collection on loopback whose answers a test writes: ``objects`` (an
    envelope, or raw bytes), with a content type, a status, a delay."""

    url: str = ""
    collection_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    envelope: Any = field(default_factory=lambda: {"objects": [], "more": False})
    content_type: str = TAXII
    status: int = 200
    delay: float = 0.0
    redirect_to: str = ""
    date_added_last: str = "2026-11-21T08:30:00.000000Z"
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def scripted_taxii() -> Iterator[ScriptedTaxii]:
    state = ScriptedTaxii()

    class Handler(_Quiet):
        def do_GET(self) -> None:
            state.requests.append(self.path)
            if state.delay:
                time.sleep(state.delay)
            if state.redirect_to:
                self.send_response(302)
                self.send_header("Location", state.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            path = self.path.split("?", 1)[0]
            base = f"/taxii2/root/collections/{state.collection_id}/"
            headers: dict[str, str] = {}
            if path == base:
                body: Any = {
                    "id": state.collection_id,
                    "title": "Scripted",
                    "can_read": True,
                    "can_write": False,
                }
                status = 200
            elif path == base + "objects/":
                body, status = state.envelope, state.status
                if status == 200 and state.date_added_last:
                    headers["X-TAXII-Date-Added-Last"] = state.date_added_last
            else:
                body, status = {"title": "Not found"}, 404
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", state.content_type if status == 200 else TAXII)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

    with serve(Handler) as url:
        state.url = f"{url}/taxii2/root/collections/{state.collection_id}/"
        yield state
