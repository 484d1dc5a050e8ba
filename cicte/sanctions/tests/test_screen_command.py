"""``manage.py screen INPUT.csv --lists un --output OUT.csv [--threshold T]``: the interface as the
issue spells it (columns, scores, list ids, explanations), every bad row on stderr as
``line N: reason`` with exit 2 and no output file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from cicte.sanctions import screening, services
from cicte.sanctions.tests.conftest import UN_FILE

pytestmark = pytest.mark.django_db


@pytest.fixture
def un_imported(un_list):
    import hashlib

    services.import_list(
        actor=None,
        parsed=un_list,
        source_name=UN_FILE.name,
        source_bytes_sha256=hashlib.sha256(UN_FILE.read_bytes()).hexdigest(),
    )
    screening._CACHE.clear()
    return un_list


def _listed_person(un_list):
    """A listed individual with a name of three words and a full birth date."""
    for entity in un_list.entities:
        names = entity.get("name")
        if (
            entity.schema.name == "Person"
            and names
            and len(names[0].split()) == 3
            and entity.get("birthDate")
            and len(entity.get("birthDate")[0]) == 10
        ):
            return entity
    raise AssertionError("no listed person with a full birth date")


def _run(tmp_path: Path, rows: str, *options: str):
    source = tmp_path / "in.csv"
    source.write_text(rows, encoding="utf-8")
    output = tmp_path / "out.csv"
    err = io.StringIO()
    out = io.StringIO()
    call_command(
        "screen",
        str(source),
        "--lists",
        "un",
        "--output",
        str(output),
        *options,
        "--workers",
        "1",
        stdout=out,
        stderr=err,
    )
    return output, out.getvalue(), err.getvalue()


def test_hits_as_the_issue_specifies(tmp_path, un_imported):
    person = _listed_person(un_imported)
    first, *rest = person.get("name")[0].split()
    last = " ".join(rest)
    born = person.get("birthDate")[0]
    reference = un_imported.source_id_of(person)
    rows = (
        "id,name,birth_date,nationality,kind\r\n"
        f"c1,{first} {last},{born},,person\r\n"
        f'c2,"{last.upper()}, {first}",{born[:4]},,\r\n'
        "c3,Maria Fernanda Gonzalez Rodriguez,1987-03-14,MX,person\r\n"
    )
    output, out, err = _run(tmp_path, rows)
    assert err == ""
    with output.open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    assert table[0] == ["id", "score", "list", "list_entity_id", "matched_name", "explanation"]
    hits: dict[str, list[list[str]]] = {}
    for row in table[1:]:
        hits.setdefault(row[0], []).append(row)
    assert "c3" not in hits  # an innocent name
    for record in ("c1", "c2"):
        best = hits[record][0]
        assert best[2] == "un" and best[3] == reference
        score = best[1]
        assert len(score.split(".")[1]) == 3 and 0.75 <= float(score) <= 1
        assert "\n" not in best[5] and "threshold" in best[5]
    assert "3 names screened against un" in out


def test_threshold_option(tmp_path, un_imported):
    person = _listed_person(un_imported)
    name = person.get("name")[0]
    output, _out, _err = _run(tmp_path, f"id,name\r\nc1,{name}\r\n", "--threshold", "1")
    rows = list(csv.reader(output.open(encoding="utf-8", newline="")))[1:]
    assert all(float(row[1]) >= 1 for row in rows)


def test_bad_rows_are_reported_and_nothing_is_written(tmp_path, un_imported):
    rows = (
        "id,name,birth_date,nationality,kind\r\n"
        "c1,Ana Perez,1970-13-01,,\r\n"
        ",Nobody,,,\r\n"
        "c3,,,,\r\n"
        "c4,Juan Lopez,,Atlantis,\r\n"
        "c5,Acme,,,vessel\r\n"
        "c6,Too,many,fields,here,extra\r\n"
        "c7,Fine Name,1970,CO,person\r\n"
        "c7,Same Id,,,\r\n"
    )
    source = tmp_path / "in.csv"
    source.write_text(rows, encoding="utf-8")
    output = tmp_path / "out.csv"
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("screen", str(source), "--lists", "un", "--output", str(output), stderr=err)
    assert exit_info.value.code == 2
    assert not output.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["in.csv"]  # no temporary file left either
    lines = err.getvalue().splitlines()
    assert lines == [
        "line 2: birth date must be YYYY, YYYY-MM or YYYY-MM-DD",
        "line 3: id is empty",
        "line 4: name is empty",
        "line 5: nationality must be an ISO 3166-1 alpha-2 code or a country name",
        "line 6: kind must be 'person' or 'organization'",
        "line 7: 6 fields where the header has 5",
        "line 9: id c7 is already on line 8",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "line 1: the file is empty: a header id,name is needed"),
        ("name,birth_date\r\nAna,1970\r\n", "line 1: the header lacks id"),
        ("id,name,id\r\n1,Ana,2\r\n", "line 1: the header repeats id"),
    ],
)
def test_bad_headers(tmp_path, un_imported, content, message):
    source = tmp_path / "in.csv"
    source.write_text(content, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "screen",
            str(source),
            "--lists",
            "un",
            "--output",
            str(tmp_path / "o.csv"),
            stderr=err,
        )
    assert err.getvalue().strip() == message


def test_unknown_lists_and_thresholds(tmp_path, un_imported):
    source = tmp_path / "in.csv"
    source.write_text("id,name\r\n1,Ana\r\n", encoding="utf-8")
    for options, message in (
        (["--lists", "un,zz"], "--lists: unknown list zz"),
        (["--lists", "un", "--threshold", "1.5"], "--threshold must be between 0 and 1"),
    ):
        err = io.StringIO()
        with pytest.raises(SystemExit) as exit_info:
            call_command(
                "screen", str(source), "--output", str(tmp_path / "o.csv"), *options, stderr=err
            )
        assert exit_info.value.code == 2
        assert err.getvalue().startswith(message)
