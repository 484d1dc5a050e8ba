"""The demo's sanctions lists (called by ``cicte.core.demo.seed``): the UN consolidated list and
OFAC's SDN list imported from the copies kept in ``data/`` (see its README), by the Secretariat
administrator. A second run finds the same files and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from cicte.sanctions import loading, services
from cicte.sanctions.models import SanctionsList

DATA = Path(__file__).resolve().parent / "data"
FILES = {
    "un": {"xml": "un-consolidated-list.xml"},
    "ofac": {
        "sdn": "ofac-sdn.csv",
        "alt": "ofac-alt.csv",
        "add": "ofac-add.csv",
        "comments": "ofac-sdn_comments.csv",
    },
}


def seed(*, admin: Any, note: Callable[[str, bool], None], log: Callable[[str], None]) -> None:
    for key, names in FILES.items():
        files = {name: (DATA / filename).read_bytes() for name, filename in names.items()}
        sanctions_list = SanctionsList.objects.filter(key=key).first()
        if sanctions_list and sanctions_list.last_source_sha256 == loading.fingerprint(files):
            continue  # imported already: not even parsed again, to keep a second run fast
        loaded = loading.load(key, files, names)
        result = services.import_list(
            actor=admin,
            parsed=loaded.parsed,
            source_name=loaded.source_name,
            source_bytes_sha256=loaded.sha256,
        )
        if result.version is not None:
            note(f"sanctions list {key} version {result.version.number}", True)
            log(
                f"sanctions list {key}: version {result.version.number}, {result.entity_count} entries"
            )
