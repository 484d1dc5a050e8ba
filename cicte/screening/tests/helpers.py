"""Helpers of the screening tests: two small lists (a handful of real OFAC and UN entries, as
FtM entities) imported through ``import_list``, a bank with two analysts and another bank, and
jobs run through the real worker path (huey is immediate in the tests)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.test import TestCase
from followthemoney import model

from cicte.accounts.models import Organization, User
from cicte.accounts.tests import factories as af
from cicte.sanctions import screening as sanctions_screening
from cicte.sanctions import services as sanctions_services
from cicte.sanctions.sources import ParsedList, slug_id
from cicte.screening import services
from cicte.screening.models import ScreeningJob

# (list's identifier, schema, properties)
OFAC: list[tuple[str, str, dict[str, list[str]]]] = [
    (
        "4107",
        "Person",
        {
            "name": ["Gilberto Jose RODRIGUEZ OREJUELA"],
            "birthDate": ["1939-01-31"],
            "nationality": ["co"],
            "passportNumber": ["T321642"],
        },
    ),
    ("4108", "Person", {"name": ["Miguel Angel RODRIGUEZ OREJUELA"], "birthDate": ["1943-11-23"]}),
    ("4106", "Person", {"name": ["Helmer HERRERA BUITRAGO"], "birthDate": ["1951-08-24"]}),
    ("4302", "Organization", {"name": ["CONCRETOS CALI S.A."], "country": ["co"]}),
    ("4281", "Person", {"name": ["Julio Cesar ARBOLEDA ROMERO"], "birthDate": ["1953-12-01"]}),
]
UN: list[tuple[str, str, dict[str, list[str]]]] = [
    ("CDi.006", "Person", {"name": ["GERMAIN KATANGA"], "birthDate": ["1978-04-28"]}),
    ("LYi.012", "Person", {"name": ["MOHAMMED MUAMMAR QADHAFI"], "birthDate": ["1970"]}),
]


def parsed(key: str, entries: list[tuple[str, str, dict[str, list[str]]]]) -> ParsedList:
    result = ParsedList(list_key=key)
    for source_id, schema, properties in entries:
        entity = model.make_entity(schema)
        entity.id = slug_id(key, source_id)
        for prop, values in properties.items():
            entity.add(prop, values)
        result.add(entity, source_id)
    return result


def import_list(key: str, entries: list[tuple[str, str, dict[str, list[str]]]]) -> Any:
    """Import ``entries`` as the current content of list ``key`` (a new version when changed)."""
    content = json.dumps(entries, sort_keys=True).encode()
    result = sanctions_services.import_list(
        actor=None,
        parsed=parsed(key, entries),
        source_name=f"{key}.json",
        source_bytes_sha256=hashlib.sha256(content).hexdigest(),
    )
    sanctions_screening._CACHE.clear()
    return result


def amended(
    entries: list[tuple[str, str, dict[str, list[str]]]], source_id: str, **changes: list[str]
) -> list[tuple[str, str, dict[str, list[str]]]]:
    return [
        (sid, schema, {**props, **changes} if sid == source_id else props)
        for sid, schema, props in entries
    ]


@dataclass
class World:
    bank: Organization
    analyst: User
    colleague: User  # of the bank too
    other_bank: Organization
    other: User


def world() -> World:
    import_list("ofac", OFAC)
    import_list("un", UN)
    bank = af.OrganizationFactory(name="Banco de Prueba", slug="banco-prueba")
    other_bank = af.OrganizationFactory(name="Otro Banco", slug="otro-banco")
    return World(
        bank=bank,
        analyst=af.UserFactory(organization=bank, full_name="Valentina Analyst"),
        colleague=af.UserFactory(organization=bank),
        other_bank=other_bank,
        other=af.UserFactory(organization=other_bank),
    )


CUSTOMERS = [
    ["id", "name", "birth_date", "nationality", "kind"],
    ["C-1", "Gilberto José Rodríguez Orejuela", "1939-01-31", "CO", "person"],
    ["C-2", "María Fernanda Gómez Restrepo", "1987-03-14", "CO", "person"],
    ["C-3", "RODRIGUEZ OREJUELA, Miguel Ángel", "1988-05-12", "CO", "person"],
    ["C-4", "Concretos Cali S.A.S.", "", "CO", "organization"],
    ["C-5", "Andrés Felipe Ospina Zapata", "1975", "", ""],
]


def csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def upload(text: str | bytes, name: str = "customers.csv") -> ContentFile[bytes]:
    return ContentFile(text.encode() if isinstance(text, str) else text, name=name)


def screen(
    user: User,
    rows: list[list[str]] | str = CUSTOMERS,
    *,
    name: str = "customers.csv",
    lists: list[str] | None = None,
    threshold: float = 0.75,
) -> ScreeningJob:
    """A job of ``user``: created through the service; the worker runs it when the creation
    commits (huey is immediate in the tests)."""
    text = rows if isinstance(rows, str) else csv_text(rows)
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = services.create_job(
            actor=user, upload=upload(text, name), name=name, lists=lists, threshold=threshold
        )
    job.refresh_from_db()
    return job
