"""An advisory as STIX 2.1: a report with its vulnerabilities (one per CVE) and the advisory's
TLP marking. Deterministic ids (UUIDv5 from the advisory's key), so that every version of an
advisory is a new version of the same report. No Django here."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from cicte.core import tlp

NAMESPACE = uuid.UUID("1c8c9fb3-2a4b-5d0e-9f61-6a1e0e2c3b7d")
CVE = re.compile(r"^CVE-\d{4}-\d{4,}$")


def _timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def report_id(key: str) -> str:
    return f"report--{uuid.uuid5(NAMESPACE, 'advisory:' + key)}"


def identity_id(organization_key: str) -> str:
    return f"identity--{uuid.uuid5(NAMESPACE, 'organization:' + organization_key)}"


def vulnerability_id(cve: str) -> str:
    return f"vulnerability--{uuid.uuid5(NAMESPACE, 'cve:' + cve.upper())}"


def objects(
    *,
    key: str,
    title: str,
    summary: str,
    label: str,
    severity: str,
    affected: list[dict[str, Any]],
    references: list[str],
    created: dt.datetime,
    modified: dt.datetime,
    language: str,
    organization_key: str,
    organization_name: str,
    revoked: bool = False,
) -> list[dict[str, Any]]:
    """The publishing organisation's identity, the report and its vulnerabilities, each marked
    with ``label`` (a TLP 2.0 label)."""
    marking = [tlp.TLP2_MARKING_IDS[label]]
    created_text, modified_text = _timestamp(created), _timestamp(modified)
    identity = {
        "type": "identity",
        "spec_version": "2.1",
        "id": identity_id(organization_key),
        "created": created_text,
        "modified": created_text,
        "name": organization_name,
        "identity_class": "organization",
        "object_marking_refs": marking,
    }
    vulnerabilities = []
    for item in affected:
        cve = str(item.get("cve", "")).strip().upper()
        if not CVE.match(cve):
            continue
        product = " ".join(
            str(item.get(part, "")).strip() for part in ("vendor", "product", "versions")
        ).strip()
        vulnerabilities.append(
            {
                "type": "vulnerability",
                "spec_version": "2.1",
                "id": vulnerability_id(cve),
                "created": created_text,
                "modified": modified_text,
                "name": cve,
                **({"description": product} if product else {}),
                "external_references": [{"source_name": "cve", "external_id": cve}],
                "object_marking_refs": marking,
            }
        )
    report: dict[str, Any] = {
        "type": "report",
        "spec_version": "2.1",
        "id": report_id(key),
        "created": created_text,
        "modified": modified_text,
        "name": title,
        "description": summary,
        "published": modified_text,
        "report_types": ["vulnerability"] if vulnerabilities else ["threat-report"],
        "labels": [f"severity:{severity}"],
        "lang": language,
        "created_by_ref": identity["id"],
        "object_refs": [v["id"] for v in vulnerabilities] or [identity["id"]],
        "object_marking_refs": marking,
    }
    if references:
        report["external_references"] = [
            {"source_name": "reference", "url": url} for url in references
        ]
    if revoked:
        report["revoked"] = True
    return [identity, *vulnerabilities, report]
