"""Uploads through the page and the API: plain text, gzip, CSV, JSON lines, pasted text; the
size limit (413, a form error), media types (415), what is not text, the jobs one person may
have waiting or running, token scopes. Every job goes through the worker (huey runs at once in
the tests, when the creation commits)."""

from __future__ import annotations

import gzip
import io
from typing import Any

import pytest
from django.test import Client

from cicte.accounts.tests import factories as af
from cicte.hunts.choices import HuntSource, HuntStatus
from cicte.hunts.models import HuntJob
from cicte.hunts.tests.helpers import indicator, share

pytestmark = pytest.mark.django_db

LOG = b"2026-11-23T08:00:00Z query cdn.evil-domain.example.com A\n2026-11-23T08:00:01Z ok\n"
CSV = b"time,client,query\n2026-11-23T08:00:00Z,10.1.2.3,cdn.evil-domain.example.com\n"
JSONL = b'{"q":"www.example.org"}\n{"q":"cdn.evil-domain.example.com"}\n'


@pytest.fixture
def armed(world):
    share(world.other, world.network, indicator("[domain-name:value = 'evil-domain.example.com']"))
    return world


def api(user: Any, *scopes: str) -> Client:
    _token, secret = af.api_token(user, *(scopes or ("intel:write",)))
    return Client(HTTP_AUTHORIZATION=f"Token {secret}")


def named_file(data: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


# --- The page -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "compressed", "line"),
    [
        (LOG, "gateway.log", False, 1),
        (gzip.compress(LOG, mtime=0), "gateway.log.gz", True, 1),
        (CSV, "dns.csv", False, 2),
        (JSONL, "events.jsonl", False, 2),
        (gzip.compress(JSONL, mtime=0), "events.jsonl.gz", True, 2),
    ],
    ids=["text", "gzip", "csv", "jsonl", "jsonl-gzip"],
)
def test_upload_a_file_on_the_page(
    armed, login, django_capture_on_commit_callbacks, data, name, compressed, line
):
    client = login(armed.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/hunts/new/", {"file": named_file(data, name), "text": ""})
    job = HuntJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/hunts/{job.pk}/"
    assert (job.name, job.source, job.size, job.gzip) == (
        name,
        HuntSource.UPLOAD,
        len(data),
        compressed,
    )
    assert job.status == HuntStatus.COMPLETE, job.error
    assert list(job.match_rows.values_list("line", "value")) == [
        (line, "cdn.evil-domain.example.com")
    ]
    # Kept in private storage, as it was sent, under a name that is not the person's.
    assert job.upload.name.startswith("hunts/") and name not in job.upload.name
    with job.upload.open("rb") as stored:
        assert stored.read() == data


def test_paste_observables_on_the_page(armed, login, django_capture_on_commit_callbacks):
    client = login(armed.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/hunts/new/", {"text": "cdn.evil-domain.example.com\n8.8.4.4\n"})
    job = HuntJob.objects.get()
    assert response.status_code == 302
    assert (job.name, job.source, job.display_name) == ("", HuntSource.PASTE, "Pasted text")
    assert job.status == HuntStatus.COMPLETE
    assert job.matches == 1


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"text": "  "}, "Choose a file to upload, or paste observables."),
        (
            {"text": "a.example.com", "file": named_file(LOG, "a.log")},
            "Upload a file or paste observables, not both.",
        ),
        (
            {"file": named_file(b"PK\x03\x04" + b"\x00" * 40, "logs.zip")},
            "This is a zip archive, which the retro-hunt does not read",
        ),
        (
            {"file": named_file(b"\x7fELF\x02\x01\x01\x00\x00\x00", "a.out")},
            "This is not a text file.",
        ),
        (
            {"file": named_file("é.example.com\n".encode("utf-16"), "utf16.txt")},
            "This text is encoded in UTF-16",
        ),
        (
            {"file": named_file(gzip.compress(b"", mtime=0), "empty.gz")},
            "The file is empty once decompressed.",
        ),
        ({"file": named_file(b"\x1f\x8bnot gzip at all", "bad.gz")}, "not valid gzip"),
    ],
    ids=["nothing", "both", "zip", "binary", "utf-16", "empty-gzip", "bad-gzip"],
)
def test_the_form_says_what_to_fix(armed, login, post, message):
    client = login(armed.analyst)
    response = client.post("/hunts/new/", post)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not HuntJob.objects.exists()


def test_too_large_on_the_page(armed, login, settings):
    settings.HUNT_MAX_UPLOAD_BYTES = 100
    client = login(armed.analyst)
    response = client.post("/hunts/new/", {"file": named_file(b"a.example.com\n" * 20, "big.log")})
    assert response.status_code == 413
    assert "The upload is larger than the limit of 100\xa0bytes." in response.content.decode()
    assert not HuntJob.objects.exists()
    # A declared length far beyond the limit is refused before the body is read.
    response = client.post(
        "/hunts/new/",
        {"file": named_file(b"a.example.com\n", "small.log")},
        CONTENT_LENGTH=str(10 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert not HuntJob.objects.exists()


def test_pasted_text_too_large(armed, login, settings, monkeypatch):
    from cicte.hunts import services

    client = login(armed.analyst)
    monkeypatch.setattr(services, "MAX_PASTE_BYTES", 10)
    response = client.post("/hunts/new/", {"text": "evil-domain.example.com"})
    assert response.status_code == 200
    assert (
        "The pasted text is larger than 10\xa0bytes: upload it as a file."
        in response.content.decode()
    )
    # Beyond what Django parses into memory at all.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = client.post("/hunts/new/", {"text": "a.example.com " * 20})
    assert response.status_code == 413
    assert "The pasted text is larger than" in response.content.decode()
    assert not HuntJob.objects.exists()


def test_the_page_checks_the_csrf_token(armed, django_capture_on_commit_callbacks):
    """The view parses the upload itself (with the size limit in place), then checks the token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(armed.analyst)
    response = client.post("/hunts/new/", {"file": named_file(LOG, "gw.log")})
    assert response.status_code == 403
    assert not HuntJob.objects.exists()
    client.get("/hunts/new/")
    token = client.cookies["csrftoken"].value
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/hunts/new/", {"csrfmiddlewaretoken": token, "file": named_file(LOG, "gw.log")}
        )
    assert response.status_code == 302
    assert HuntJob.objects.get().status == HuntStatus.COMPLETE


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in ("/hunts/", "/hunts/new/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = client.post("/hunts/new/", {"text": "a.example.com"})
    assert response.status_code == 302
    assert not HuntJob.objects.exists()


# --- The API --------------------------------------------------------------------------------


def test_api_multipart_upload(armed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(armed.analyst).post("/api/hunts/", {"file": named_file(LOG, "gw.log")})
    assert response.status_code == 202, response.content
    job = HuntJob.objects.get()
    body = response.json()
    assert response["Location"] == f"http://testserver/api/hunts/{job.pk}/"
    assert (body["id"], body["name"], body["source"]) == (str(job.pk), "gw.log", "api")
    assert body["status"] == "pending"  # as it was when the job was accepted
    detail = api(armed.analyst, "intel:read").get(f"/api/hunts/{job.pk}/").json()
    assert detail["status"] == "complete"
    assert detail["progress"] == {
        "characters": len(LOG),
        "lines": 2,
        "values": 1,
        "matches": 1,
        "suppressed": 0,
        "percent": 100,
    }
    assert detail["links"]["matches"] == f"http://testserver/api/hunts/{job.pk}/matches/"
    assert detail["upload_kept"] is True


@pytest.mark.parametrize(
    ("content_type", "data", "compressed", "line"),
    [
        ("text/plain", LOG, False, 1),
        ("text/plain; charset=utf-8", LOG, False, 1),
        ("text/csv", CSV, False, 2),
        ("application/x-ndjson", JSONL, False, 2),
        ("application/gzip", gzip.compress(JSONL, mtime=0), True, 2),
        ("text/plain", gzip.compress(LOG, mtime=0), True, 1),  # gzip is known by its magic bytes
    ],
    ids=["text", "text-charset", "csv", "ndjson", "gzip", "gzip-as-text"],
)
def test_api_raw_body(
    armed, django_capture_on_commit_callbacks, content_type, data, compressed, line
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(armed.analyst).post(
            "/api/hunts/?name=dns-2026-11-23", data=data, content_type=content_type
        )
    assert response.status_code == 202, response.content
    job = HuntJob.objects.get()
    assert (job.name, job.source, job.size, job.gzip) == (
        "dns-2026-11-23",
        "api",
        len(data),
        compressed,
    )
    assert job.status == HuntStatus.COMPLETE, job.error
    assert list(job.match_rows.values_list("line", flat=True)) == [line]


def test_api_too_large_is_413(armed, settings):
    settings.HUNT_MAX_UPLOAD_BYTES = 100
    client = api(armed.analyst)
    big = b"a.example.com\n" * 20
    response = client.post("/api/hunts/", data=big, content_type="text/plain")
    assert response.status_code == 413
    assert response.json() == {
        "error": "The upload is larger than the limit of 100\xa0bytes. Compress it with gzip, "
        "or split it into several uploads.",
        "detail": None,
    }
    response = client.post("/api/hunts/", {"file": named_file(big, "big.log")})
    assert response.status_code == 413
    response = client.post(
        "/api/hunts/",
        {"file": named_file(b"a.example.com\n", "small.log")},
        CONTENT_LENGTH=str(10 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert not HuntJob.objects.exists()


@pytest.mark.parametrize(
    ("content_type", "data", "fragment"),
    [
        ("application/json", b'{"a": 1}', "Send multipart/form-data"),
        ("application/zip", b"PK\x03\x04", "Send multipart/form-data"),
        ("text/plain", b"PK\x03\x04" + b"\x00" * 10, "zip archive"),
        ("application/gzip", gzip.compress(b"\x00\x01\x02binary", mtime=0), "not a text file"),
    ],
    ids=["json", "zip-type", "zip-content", "binary-gzip"],
)
def test_api_unsupported_media_is_415(armed, content_type, data, fragment):
    response = api(armed.analyst).post("/api/hunts/", data=data, content_type=content_type)
    assert response.status_code == 415
    assert fragment in response.json()["error"]
    assert not HuntJob.objects.exists()


def test_api_empty_or_missing_file_is_400(armed):
    client = api(armed.analyst)
    response = client.generic("POST", "/api/hunts/", b"", CONTENT_TYPE="text/plain")
    assert response.status_code == 400
    assert response.json()["detail"] == {
        "non_field_errors": [
            "Send the logs or observables in the request body, with a Content-Length."
        ]
    }
    # Without a media type at all.
    assert client.generic("POST", "/api/hunts/", b"a.example.com").status_code == 415
    response = client.post("/api/hunts/", {"other": "x"})
    assert response.status_code == 400
    assert response.json()["detail"] == {
        "file": ["Send the logs or observables in a “file” field."]
    }


def test_jobs_waiting_or_running_are_limited(armed, settings):
    settings.HUNT_MAX_ACTIVE_JOBS = 2
    client = api(armed.analyst)
    # Not committed in this test's transaction: the jobs stay pending.
    for _ in range(2):
        assert client.post("/api/hunts/", data=LOG, content_type="text/plain").status_code == 202
    response = client.post("/api/hunts/", data=LOG, content_type="text/plain")
    assert response.status_code == 429
    assert "2 hunts waiting or running" in response.json()["error"]
    # Others are not held up by them.
    assert (
        api(armed.colleague).post("/api/hunts/", data=LOG, content_type="text/plain").status_code
        == 202
    )


def test_api_tokens_need_intel_write_to_create(armed):
    reader = api(armed.analyst, "intel:read")
    response = reader.post("/api/hunts/", data=LOG, content_type="text/plain")
    assert response.status_code == 403
    assert reader.get("/api/hunts/").status_code == 200
    other_module = api(armed.analyst, "accounts:write")
    assert other_module.get("/api/hunts/").status_code == 403
    assert Client().get("/api/hunts/").status_code == 401
    assert Client().post("/api/hunts/", data=LOG, content_type="text/plain").status_code == 401
    assert not HuntJob.objects.exists()


def test_api_with_a_session_checks_csrf(armed, django_capture_on_commit_callbacks):
    client = Client(enforce_csrf_checks=True)
    client.force_login(armed.analyst)
    response = client.post("/api/hunts/", {"file": named_file(LOG, "gw.log")})
    assert response.status_code == 403
    assert not HuntJob.objects.exists()
    client.get("/hunts/new/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/hunts/", {"file": named_file(LOG, "gw.log")}, HTTP_X_CSRFTOKEN=token
        )
    assert response.status_code == 202, response.content
