"""The worker's half: which indicators a job matches (only what its author may see, the latest
version of each, not revoked), a labelled sample end to end (IPv6, CIDR edges, subdomains,
warninglisted values suppressed), progress written while it runs, failures, and the claim that
makes a job run once."""

from __future__ import annotations

import gzip
from typing import Any

import pytest
from django.utils import translation

from cicte.core.choices import TLP
from cicte.core.models import AuditEvent
from cicte.hunts import runner, services
from cicte.hunts.choices import HuntStatus
from cicte.hunts.models import HuntJob, HuntMatch
from cicte.hunts.tests.helpers import file_observable, hunt, indicator, matched, share, upload
from cicte.intel.tests import factories as f

pytestmark = pytest.mark.django_db


def test_only_what_the_author_may_see_is_matched(world):
    w = world
    # Mexico's analyst shares in the network collection: GREEN reaches Colombia, AMBER stays
    # in Mexico's organisation, RED with its author.
    share(
        w.other,
        w.network,
        indicator("[domain-name:value = 'green-mx.example.com']", label=TLP.GREEN),
        indicator("[domain-name:value = 'amber-mx.example.com']", label=TLP.AMBER),
        indicator("[domain-name:value = 'red-mx.example.com']", label=TLP.RED),
    )
    # In the sharing group, Mexico's AMBER reaches Colombia.
    share(
        w.other,
        w.group,
        indicator("[domain-name:value = 'amber-group.example.com']", label=TLP.AMBER),
    )
    # Colombia's own: the analyst's RED reaches the analyst; a colleague's RED does not.
    share(
        w.analyst,
        w.network,
        indicator("[domain-name:value = 'red-mine.example.com']", label=TLP.RED),
    )
    share(
        w.colleague,
        w.network,
        indicator("[domain-name:value = 'red-colleague.example.com']", label=TLP.RED),
    )
    share(
        w.colleague,
        w.network,
        indicator("[domain-name:value = 'amber-colleague.example.com']", label=TLP.AMBER),
    )
    # A collection of another network, which the analyst may not read.
    brazil = f.analyst(f.csirt("BR", network_slug="aviation-security"))
    aviation = f.collection("aviation-security", title="Aviation")
    share(
        brazil, aviation, indicator("[domain-name:value = 'aviation.example.com']", label=TLP.GREEN)
    )

    names = [
        "green-mx",
        "amber-mx",
        "red-mx",
        "amber-group",
        "red-mine",
        "red-colleague",
        "amber-colleague",
        "aviation",
    ]
    job = hunt(w.analyst, "\n".join(f"dns query {name}.example.com" for name in names) + "\n")

    assert job.status == HuntStatus.COMPLETE, job.error
    assert {value for _line, value, _i, _m in matched(job)} == {
        "green-mx.example.com",
        "amber-group.example.com",
        "red-mine.example.com",
        "amber-colleague.example.com",
    }
    assert job.indicator_count == 4
    labels = dict(job.match_rows.values_list("value", "tlp"))
    assert labels == {
        "green-mx.example.com": "green",
        "amber-group.example.com": "amber",
        "red-mine.example.com": "red",
        "amber-colleague.example.com": "amber",
    }
    # Mexico's analyst, on the same file, sees their own and the group's, not Colombia's.
    theirs = hunt(w.other, "\n".join(f"dns query {name}.example.com" for name in names) + "\n")
    assert {value for _l, value, _i, _m in matched(theirs)} == {
        "green-mx.example.com",
        "amber-mx.example.com",
        "red-mx.example.com",
        "amber-group.example.com",
    }


def test_the_latest_readable_version_of_each_object_unless_revoked(world):
    w = world
    changed = "indicator--0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b"
    share(
        w.other,
        w.network,
        indicator(
            "[domain-name:value = 'old.example.com']",
            stix_id=changed,
            modified="2026-11-21T08:00:00.000Z",
        ),
        indicator(
            "[domain-name:value = 'new.example.com']",
            stix_id=changed,
            modified="2026-11-22T08:00:00.000Z",
        ),
    )
    revoked = "indicator--1b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b"
    share(
        w.other,
        w.network,
        indicator(
            "[domain-name:value = 'revoked.example.com']",
            stix_id=revoked,
            modified="2026-11-21T08:00:00.000Z",
        ),
        indicator(
            "[domain-name:value = 'revoked.example.com']",
            stix_id=revoked,
            modified="2026-11-22T08:00:00.000Z",
            revoked=True,
        ),
    )
    # A later version the analyst may not see (TLP:RED) neither hides nor reveals anything: the
    # version they see is matched.
    hidden = "indicator--2b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b"
    share(
        w.other,
        w.network,
        indicator(
            "[domain-name:value = 'seen.example.com']",
            stix_id=hidden,
            modified="2026-11-21T08:00:00.000Z",
        ),
        indicator(
            "[domain-name:value = 'unseen.example.com']",
            stix_id=hidden,
            modified="2026-11-22T08:00:00.000Z",
            label=TLP.RED,
        ),
    )
    text = "\n".join(
        f"GET http://{name}.example.com/" for name in ("old", "new", "revoked", "seen", "unseen")
    )
    job = hunt(w.analyst, text)
    assert {(line, indicator) for line, _v, indicator, _m in matched(job)} == {
        (2, "new.example.com"),
        (4, "seen.example.com"),
    }


LABELLED = """\
2026-11-23T08:00:01Z fw ACCEPT SRC=10.1.2.3 DST=3fff:a1:ce55::23 DPT=443
2026-11-23T08:00:02Z fw ACCEPT SRC=10.1.2.3 DST=3FFF:00A1:CE55:0000:0000:0000:0000:0023 DPT=443
2026-11-23T08:00:03Z fw ACCEPT SRC=10.1.2.3 DST=[3fff:a1:ce55::23]:8443
2026-11-23T08:00:04Z fw ACCEPT SRC=10.1.2.3 DST=3fff:a1:ce55::24 DPT=443
2026-11-23T08:00:05Z fw ACCEPT DST=3fff:0:bad:: (first of the /48)
2026-11-23T08:00:06Z fw ACCEPT DST=3fff:0:bad:ffff:ffff:ffff:ffff:ffff (last of the /48)
2026-11-23T08:00:07Z fw ACCEPT DST=3fff:0:bae:: (just after the /48)
2026-11-23T08:00:08Z fw ACCEPT DST=23.94.12.0 (first of the /24)
2026-11-23T08:00:09Z fw ACCEPT DST=23.94.12.255 (last of the /24)
2026-11-23T08:00:10Z fw ACCEPT DST=23.94.13.0 (just after) DST=23.94.11.255 (just before)
dns query evil-domain.example.com A
dns query a.b.evil-domain.example.com A
dns query notevil-domain.example.com A
dns query evil-domain.example.com.attacker.example.net A
GET https://login.evil-domain.example.com/x?y=1 HTTP/1.1
from=<billing@mail.evil-domain.example.com>
dns forwarder 8.8.8.8 answered
fw DST=10.20.30.40 (private)
{"sha256":"4f0b5a1a2e3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6"}
empty file e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
"""


def test_labelled_sample_ipv6_cidr_edges_subdomains_and_warninglists(world):
    w = world
    share(
        w.other,
        w.network,
        indicator(
            "[ipv6-addr:value = '3fff:a1:ce55::23']",
            stix_id="indicator--1a000000-0000-4000-8000-000000000001",
        ),
        indicator(
            "[ipv6-addr:value ISSUBSET '3fff:0:bad::/48']",
            stix_id="indicator--1a000000-0000-4000-8000-000000000002",
        ),
        indicator(
            "[ipv4-addr:value ISSUBSET '23.94.12.0/24']",
            stix_id="indicator--1a000000-0000-4000-8000-000000000003",
        ),
        indicator(
            "[domain-name:value = 'evil-domain.example.com']",
            stix_id="indicator--1a000000-0000-4000-8000-000000000004",
        ),
        # Known-benign values shared as indicators: suppressed by the shipped warninglists.
        indicator(
            "[ipv4-addr:value = '8.8.8.8']",
            stix_id="indicator--1a000000-0000-4000-8000-000000000005",
        ),
        indicator(
            "[ipv4-addr:value ISSUBSET '10.20.0.0/16']",
            stix_id="indicator--1a000000-0000-4000-8000-000000000006",
        ),
        indicator(
            "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
            stix_id="indicator--1a000000-0000-4000-8000-000000000007",
        ),
        file_observable("4f0b5a1a2e3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6"),
    )
    job = hunt(w.analyst, LABELLED, "sample.log")
    assert job.status == HuntStatus.COMPLETE, job.error
    ip6, net6, net4, domain = (
        "3fff:a1:ce55::23",
        "3fff:0:bad::/48",
        "23.94.12.0/24",
        "evil-domain.example.com",
    )
    sha = "4f0b5a1a2e3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6"
    assert matched(job) == {
        (1, ip6, ip6, "exact"),
        (2, ip6, ip6, "exact"),  # the same address written out in full
        (3, ip6, ip6, "exact"),  # in brackets with a port
        (5, "3fff:0:bad::", net6, "cidr"),
        (6, "3fff:0:bad:ffff:ffff:ffff:ffff:ffff", net6, "cidr"),
        (8, "23.94.12.0", net4, "cidr"),
        (9, "23.94.12.255", net4, "cidr"),
        (11, domain, domain, "exact"),
        (12, f"a.b.{domain}", domain, "subdomain"),
        (15, f"https://login.{domain}/x?y=1", domain, "subdomain"),
        (16, f"billing@mail.{domain}", domain, "subdomain"),
        (19, sha, sha, "exact"),
    }
    # 8.8.8.8 (public resolvers), 10.20.30.40 (RFC 1918) and the empty file's hash (empty
    # hashes) matched indicators but are known-benign.
    assert (job.lines, job.matches, job.suppressed) == (20, 12, 3)
    assert job.matches_stored == 12
    assert job.characters == len(LABELLED)
    assert job.values >= 20
    kinds = dict(job.match_rows.values_list("line", "kind"))
    assert kinds[1] == "ipv6" and kinds[8] == "ipv4" and kinds[12] == "domain"
    assert kinds[15] == "url" and kinds[16] == "email" and kinds[19] == "sha256"
    row = job.match_rows.get(line=19)
    assert (row.stix_type, row.indicator_kind, row.tlp) == ("file", "sha256", "green")
    row = job.match_rows.get(line=12)
    assert row.stix_id == "indicator--1a000000-0000-4000-8000-000000000004"
    assert row.stix_type == "indicator"
    assert row.collection_title == "CSIRTAmericas indicators"
    assert row.organization_name == w.mexico.name
    assert row.stix_object is not None and row.stix_object.stix_id == row.stix_id


def test_gzip_csv_and_json_lines_are_read(world):
    share(world.other, world.network, indicator("[domain-name:value = 'evil-domain.example.com']"))
    csv_text = "time,src,query\n2026-11-23T08:00:00Z,10.1.2.3,cdn.evil-domain.example.com\n"
    jsonl = '{"q":"x.example.org"}\n{"q":"https:\\/\\/evil-domain.example.com\\/a"}\n'
    for text, compress in ((csv_text, True), (jsonl, False), (jsonl, True)):
        job = hunt(world.analyst, text, "logs", compress=compress)
        assert job.status == HuntStatus.COMPLETE, job.error
        assert job.gzip is compress
        assert job.matches == 1
        assert job.match_rows.get().line == 2


def test_progress_is_written_while_the_job_runs(world, monkeypatch):
    share(world.other, world.network, indicator("[domain-name:value = 'evil-domain.example.com']"))
    lines = [
        f"2026-11-23T08:00:00Z host{n:06d} query www{n % 97}.example.org A" for n in range(60_000)
    ]
    lines[30_000] = "query evil-domain.example.com"
    text = "\n".join(lines) + "\n"
    monkeypatch.setattr(runner, "PROGRESS_EVERY", 10_000)
    writes: list[dict[str, Any]] = []
    original = runner._write

    def spy(job: HuntJob, **fields: Any) -> None:
        if "lines" in fields:
            # What a visitor of the job's page reads at that moment.
            writes.append(dict(HuntJob.objects.filter(pk=job.pk).values("status", "lines").get()))
        original(job, **fields)

    monkeypatch.setattr(runner, "_write", spy)
    job = hunt(world.analyst, text, compress=False)
    assert job.status == HuntStatus.COMPLETE
    # Blocks of about 1 MiB: progress after each block past the next 10,000 lines, then the end.
    assert len(writes) >= 3
    assert all(write["status"] == HuntStatus.RUNNING for write in writes)
    seen = [write["lines"] for write in writes]
    assert seen == sorted(seen) and 0 < seen[1] < 60_000
    assert (job.lines, job.matches, job.characters) == (60_000, 1, len(text))
    assert job.started_at and job.progress_at and job.finished_at
    assert job.started_at <= job.progress_at <= job.finished_at
    assert job.progress_percent == 100


def test_the_matches_kept_are_capped_but_all_are_counted(world, settings):
    settings.HUNT_MAX_STORED_MATCHES = 2
    share(world.other, world.network, indicator("[domain-name:value = 'evil-domain.example.com']"))
    job = hunt(world.analyst, "evil-domain.example.com\n" * 5)
    assert (job.matches, job.matches_stored, job.match_rows.count()) == (5, 2, 2)
    assert job.matches_truncated


def test_a_damaged_gzip_fails_with_a_message_and_keeps_no_match(world):
    share(world.other, world.network, indicator("[domain-name:value = 'evil-domain.example.com']"))
    data = gzip.compress(("evil-domain.example.com\n" * 20_000).encode(), mtime=0)
    job = hunt(world.analyst, data[: len(data) // 2], "cut.log.gz")
    assert job.status == HuntStatus.FAILED
    assert "gzip" in job.error
    assert job.match_rows.count() == 0 and job.matches_stored == 0
    assert job.finished_at is not None
    assert AuditEvent.objects.filter(action="hunts.job_fail", object_id=str(job.pk)).exists()


def test_a_missing_upload_fails_with_a_message(world):
    job = services.create_job(actor=world.analyst, upload=upload("a.example.com\n"), name="a.txt")
    job.upload.storage.delete(job.upload.name)
    runner.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == HuntStatus.FAILED
    assert job.error == "The uploaded file is no longer kept: upload it again."


def test_an_unexpected_error_fails_the_job_without_details(world, monkeypatch):
    job = services.create_job(actor=world.analyst, upload=upload("a.example.com\n"), name="a.txt")

    def broken(user: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(runner, "load_indicators", broken)
    runner.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == HuntStatus.FAILED
    assert "secret" not in job.error and "unexpected" in job.error


def test_the_job_runs_in_its_authors_language(world, monkeypatch):
    """Its messages are written in the language its author reads the platform in."""
    world.analyst.preferred_language = "es"
    world.analyst.save(update_fields=["preferred_language"])
    job = services.create_job(actor=world.analyst, upload=upload("a.example.com\n"), name="a.txt")

    def language_of_the_run(user: Any) -> Any:
        raise runner.HuntError(translation.get_language())

    monkeypatch.setattr(runner, "load_indicators", language_of_the_run)
    runner.run_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (HuntStatus.FAILED, "es")
    assert translation.get_language() == "en"


def test_a_job_runs_once_and_a_deleted_job_stops_quietly(world, monkeypatch):
    share(world.other, world.network, indicator("[domain-name:value = 'evil-domain.example.com']"))
    job = hunt(world.analyst, "evil-domain.example.com\n")
    assert runner.run_job(job.pk) is None  # already complete: nothing to claim
    assert job.match_rows.count() == 1

    second = services.create_job(
        actor=world.analyst, upload=upload("evil-domain.example.com\n" * 3), name="b.txt"
    )
    original = runner._write

    def delete_first(job: HuntJob, **fields: Any) -> None:
        HuntJob.objects.filter(pk=job.pk).delete()  # its author deletes it meanwhile
        original(job, **fields)

    monkeypatch.setattr(runner, "_write", delete_first)
    assert runner.run_job(second.pk) is None
    assert not HuntJob.objects.filter(pk=second.pk).exists()
    assert not HuntMatch.objects.filter(job_id=second.pk).exists()


def test_an_inactive_author_matches_nothing(world):
    share(world.other, world.network, indicator("[domain-name:value = 'evil-domain.example.com']"))
    job = services.create_job(
        actor=world.analyst, upload=upload("evil-domain.example.com\n"), name="a"
    )
    world.analyst.is_active = False
    world.analyst.save(update_fields=["is_active"])
    runner.run_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.indicator_count, job.matches) == (HuntStatus.COMPLETE, 0, 0)


def test_completion_is_audited_without_the_file_name(world):
    job = hunt(world.analyst, "nothing here\n", "incident-ministry-x.log")
    events = AuditEvent.objects.filter(object_id=str(job.pk)).order_by("id")
    assert [e.action for e in events] == ["hunts.job_create", "hunts.job_complete"]
    for event in events:
        assert "incident" not in event.object_repr
        assert event.actor_id == world.analyst.pk
    assert events[1].changes == {"lines": 1, "matches": 0, "suppressed": 0}
