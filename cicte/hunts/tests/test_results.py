"""A job's page and its results: progress polled by htmx while it runs, the matches table (TLP
badge, collection, organisation, link to the object), filters by kind and match kind, paging, the
CSV (its columns, neutralised formulas, an audit event), and the same in the API."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from cicte.accounts.tests import factories as af
from cicte.core.choices import TLP
from cicte.core.models import AuditEvent
from cicte.hunts import services
from cicte.hunts.choices import HuntStatus
from cicte.hunts.exports import CSV_HEADER
from cicte.hunts.tests.helpers import hunt, indicator, share, upload

pytestmark = pytest.mark.django_db

DOMAIN_ID = "indicator--2a000000-0000-4000-8000-000000000001"
NET_ID = "indicator--2a000000-0000-4000-8000-000000000002"
TEXT = (
    "query evil-domain.example.com\n"
    "GET http://cdn.evil-domain.example.com/p.exe\n"
    "DST=3fff:0:bad::17\n"
    "from=<-cmd@evil-domain.example.com>\n"
)


@pytest.fixture
def job(world):
    share(
        world.other,
        world.network,
        indicator("[domain-name:value = 'evil-domain.example.com']", stix_id=DOMAIN_ID),
        indicator("[ipv6-addr:value ISSUBSET '3fff:0:bad::/48']", stix_id=NET_ID, label=TLP.GREEN),
    )
    share(
        world.analyst,
        world.network,
        indicator("[domain-name:value = 'cdn.evil-domain.example.com']", label=TLP.RED),
    )
    job = hunt(world.analyst, TEXT, "gateway.log")
    assert job.status == HuntStatus.COMPLETE, job.error
    return job


def test_the_page_of_a_finished_job(world, job, login):
    client = login(world.analyst)
    response = client.get(f"/hunts/{job.pk}/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "<h1>gateway.log</h1>" in content
    assert 'hx-trigger="every' not in content  # finished: nothing to poll
    assert 'id="results-heading">5 matches</h2>' in content
    assert f'href="/intel/objects/{DOMAIN_ID}/"' in content
    assert '<span class="tlp tlp--red">TLP:RED</span>' in content
    assert '<span class="tlp tlp--green">TLP:GREEN</span>' in content
    assert "CSIRTAmericas indicators" in content and world.mexico.name in content
    assert "Inside a CIDR block" in content and "Subdomain" in content
    assert f'href="/hunts/{job.pk}/matches.csv' in content
    assert "Report matches as sightings" in content


def test_filters_by_kind_and_match_swap_the_results_with_htmx(world, job, login):
    client = login(world.analyst)
    response = client.get(f"/hunts/{job.pk}/", {"match": "cidr"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert content.startswith('<section id="results"')  # the results alone
    assert "1 match</h2>" in content and "3fff:0:bad::17" in content
    response = client.get(f"/hunts/{job.pk}/", {"kind": "url"})
    assert "2 matches</h2>" in response.content.decode()  # the domain and the RED subdomain
    response = client.get(f"/hunts/{job.pk}/", {"kind": "nonsense"})
    assert "Some filters were not applied" in response.content.decode()


def test_matches_are_paged(world, login, monkeypatch):
    from cicte.hunts import views

    share(world.other, world.network, indicator("[domain-name:value = 'evil-domain.example.com']"))
    job = hunt(world.analyst, "evil-domain.example.com\n" * 7)
    monkeypatch.setattr(views.HuntJobDetailView, "paginate_by", 3)
    client = login(world.analyst)
    response = client.get(f"/hunts/{job.pk}/", {"page": 3})
    content = response.content.decode()
    assert "Page 3 of 3" in content
    assert content.count('<th scope="row">7</th>') == 1


def test_progress_is_polled_while_the_job_runs(world, login):
    job = services.create_job(actor=world.analyst, upload=upload("a.example.com\n"), name="a.log")
    client = login(world.analyst)
    content = client.get(f"/hunts/{job.pk}/").content.decode()
    assert f'hx-get="/hunts/{job.pk}/progress/"' in content
    assert 'hx-trigger="every 2s"' in content
    assert "Waiting for the worker" in content
    partial = client.get(f"/hunts/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "HX-Refresh" not in partial
    from cicte.hunts import runner

    runner.run_job(job.pk)
    partial = client.get(f"/hunts/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert partial["HX-Refresh"] == "true"  # finished: the page reloads with the results


def test_a_failed_job_shows_its_error(world, login):
    job = services.create_job(actor=world.analyst, upload=upload("a.example.com\n"), name="a.log")
    job.upload.storage.delete(job.upload.name)
    from cicte.hunts import runner

    runner.run_job(job.pk)
    content = login(world.analyst).get(f"/hunts/{job.pk}/").content.decode()
    assert "The uploaded file is no longer kept: upload it again." in content
    assert "Report matches as sightings" not in content


def test_csv_of_the_matches(world, job, login):
    client = login(world.analyst)
    response = client.get(f"/hunts/{job.pk}/matches.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="retro-hunt-{job.pk}.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert (
        rows[0]
        == CSV_HEADER
        == [
            "line",
            "value",
            "kind",
            "indicator",
            "indicator_kind",
            "match",
            "stix_id",
            "stix_type",
            "tlp",
            "collection",
            "shared_by",
        ]
    )
    assert rows[1] == [
        "1",
        "evil-domain.example.com",
        "domain",
        "evil-domain.example.com",
        "domain",
        "exact",
        DOMAIN_ID,
        "indicator",
        "green",
        "CSIRTAmericas indicators",
        world.mexico.name,
    ]
    assert len(rows) == 6
    # A value that a spreadsheet would run as a formula is neutralised.
    emails = [row[1] for row in rows if row[2] == "email"]
    assert emails == ["'-cmd@evil-domain.example.com"]
    event = AuditEvent.objects.get(action="hunts.match.export")
    assert event.actor_id == world.analyst.pk
    assert event.changes == {"rows": 5, "filters": {"job": str(job.pk)}}
    filtered = client.get(f"/hunts/{job.pk}/matches.csv", {"match": "cidr"})
    assert len(list(csv.reader(io.StringIO(b"".join(filtered.streaming_content).decode())))) == 2
    assert AuditEvent.objects.filter(action="hunts.match.export").order_by("id").last().changes == {
        "rows": 1,
        "filters": {"job": str(job.pk), "match": "cidr"},
    }


def test_the_api_lists_matches_paged_and_filtered(world, job):
    _token, secret = af.api_token(world.analyst, "intel:read")
    client = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    body = client.get(f"/api/hunts/{job.pk}/matches/", {"limit": 2}).json()
    assert body["count"] == 5 and len(body["results"]) == 2 and body["next"]
    assert body["results"][0] == {
        "line": 1,
        "value": "evil-domain.example.com",
        "kind": "domain",
        "indicator": "evil-domain.example.com",
        "indicator_kind": "domain",
        "match": "exact",
        "stix_id": DOMAIN_ID,
        "stix_type": "indicator",
        "object_id": job.match_rows.get(line=1).stix_object_id,
        "tlp": "green",
        "collection": "CSIRTAmericas indicators",
        "shared_by": world.mexico.name,
    }
    cidr = client.get(f"/api/hunts/{job.pk}/matches/", {"match": "cidr"}).json()
    assert [row["value"] for row in cidr["results"]] == ["3fff:0:bad::17"]
    assert client.get(f"/api/hunts/{job.pk}/matches/", {"kind": "bogus"}).status_code == 400
    exported = client.get(
        f"/api/hunts/{job.pk}/matches.csv", {"kind": "url"}, HTTP_ACCEPT="text/csv"
    )
    assert exported.status_code == 200
    lines = b"".join(exported.streaming_content).decode().splitlines()
    assert lines[0] == ",".join(CSV_HEADER) and len(lines) == 3
    upload_copy = client.get(f"/api/hunts/{job.pk}/file/", HTTP_ACCEPT="application/octet-stream")
    assert upload_copy.status_code == 200
    assert b"".join(upload_copy.streaming_content) == TEXT.encode()
    assert upload_copy["Content-Disposition"] == 'attachment; filename="gateway.log"'
