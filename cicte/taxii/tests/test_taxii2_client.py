"""The OASIS client (taxii2-client) against this server on loopback: every endpoint, with a
real multi-type bundle (the OASIS Poison Ivy report) posted as one envelope."""

from __future__ import annotations

from typing import Any

import pytest
from requests import HTTPError
from taxii2client.common import TokenAuth
from taxii2client.exceptions import AccessError
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from cicte.accounts.tests import factories as af
from cicte.core.choices import TLP
from cicte.intel.tests import factories as f

pytestmark = [
    # live_server needs committed data; serialized_rollback restores the reference data (member
    # states, roles, networks) that migrations load, for the transactional tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def people() -> dict[str, Any]:
    colombia, mexico = f.csirt("CO"), f.csirt("MX")
    return {
        "co": f.analyst(colombia),
        "mx": f.analyst(mexico),
        "collection": f.collection(default_tlp=TLP.GREEN, title="Shared indicators"),
        "closed": f.collection(write_roles=["national_coordinator"], title="Read only"),
    }


def test_taxii2_client_drives_every_endpoint(live_server: Any, people: dict[str, Any]) -> None:
    co, mx = people["co"], people["mx"]
    # Basic with the account's password (no second factor).
    server = Server(f"{live_server.url}/taxii2/", user=co.username, password=af.PASSWORD)
    assert server.title
    roots = {root.url: root for root in server.api_roots}
    root_url = f"{live_server.url}/taxii2/csirtamericas/"
    assert root_url in roots and server.default.url == root_url
    root: ApiRoot = roots[root_url]
    assert root.versions == ["application/taxii+json;version=2.1"]
    assert root.max_content_length == 10 * 1024 * 1024
    collections = {c.title: c for c in root.collections}
    assert set(collections) == {"Shared indicators", "Read only"}
    shared: Collection = collections["Shared indicators"]
    assert (shared.can_read, shared.can_write) == (True, True)
    assert collections["Read only"].can_write is False

    bundle = f.bundle()
    status = shared.add_objects({"objects": bundle}, wait_for_completion=True, poll_interval=0)
    assert status.status == "complete"
    assert (status.success_count, status.failure_count) == (len(bundle), 0)
    again = root.get_status(status.id)
    assert again.total_count == len(bundle)

    # Another state's CSIRT, with a token (Authorization: Token).
    _token, secret = af.api_token(mx, "intel:write")
    theirs = Collection(shared.url, auth=TokenAuth(secret))
    pages = list(as_pages(theirs.get_objects, per_request=40))
    got = [obj for envelope in pages for obj in envelope.get("objects", [])]
    assert len(pages) == 4
    assert sorted(got, key=lambda o: o["id"]) == sorted(bundle, key=lambda o: o["id"])
    manifest = theirs.get_manifest(type=["malware", "report"])
    assert {m["id"] for m in manifest["objects"]} == {
        o["id"] for o in bundle if o["type"] in ("malware", "report")
    }
    report = next(o for o in bundle if o["type"] == "report")
    assert theirs.get_object(report["id"])["objects"] == [report]
    versions = theirs.object_versions(report["id"])
    assert versions["versions"] == [report.get("modified", report["created"])]

    # The Mexican CSIRT may not delete what Colombia's added; Colombia's analyst may.
    with pytest.raises(HTTPError) as refused:
        theirs.delete_object(report["id"])
    assert refused.value.response.status_code == 403
    shared.delete_object(report["id"])
    with pytest.raises(HTTPError) as gone:
        theirs.get_object(report["id"])
    assert gone.value.response.status_code == 404

    # The client refuses to write to a collection that says it may not.
    with pytest.raises(AccessError):
        collections["Read only"].add_objects({"objects": [f.indicator()]})

    # Close the kept-alive connections before the live server stops.
    for endpoint in (theirs, *server.api_roots, server):
        endpoint.close()
