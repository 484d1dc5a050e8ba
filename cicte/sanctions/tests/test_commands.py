"""The commands: import_sanctions_list (output, exit codes, nothing imported on error) and
export_sanctions_list."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cicte.sanctions.models import ListEntity, ListVersion
from cicte.sanctions.sources import un
from cicte.sanctions.tests.conftest import OFAC_FILES
from cicte.sanctions.tests.helpers import edited, small_un_xml

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_sanctions_list", *args, stdout=out)
    return out.getvalue()


def fails(*args: str) -> CommandError:
    with pytest.raises(CommandError) as info:
        call_command("import_sanctions_list", *args, stdout=io.StringIO())
    assert info.value.returncode == 2
    assert ListVersion.objects.count() == 0
    return info.value


def test_import_un_then_again(tmp_path: Path) -> None:
    path = tmp_path / "un.xml"
    path.write_bytes(small_un_xml())
    assert (
        run("un", str(path))
        == "un: version 1 imported: 25 entries; 25 added, 0 amended, 0 removed\n"
    )
    assert run("un", str(path)) == (
        "un: unchanged, no new version (25 entries; the list stays at version 1)\n"
    )
    path.write_bytes(edited(small_un_xml(), remove="CDi.001"))
    assert (
        run("un", str(path))
        == "un: version 2 imported: 24 entries; 0 added, 0 amended, 1 removed\n"
    )
    assert ListVersion.objects.get(number=2).source_name == "un.xml"


def test_import_ofac() -> None:
    output = run(
        "ofac",
        "--sdn",
        str(OFAC_FILES["sdn"]),
        "--alt",
        str(OFAC_FILES["alt"]),
        "--add",
        str(OFAC_FILES["add"]),
        "--comments",
        str(OFAC_FILES["comments"]),
    )
    assert output == "ofac: version 1 imported: 7379 entries; 7379 added, 0 amended, 0 removed\n"
    version = ListVersion.objects.get()
    assert version.source_name == "ofac-sdn.csv, ofac-alt.csv, ofac-add.csv, ofac-sdn_comments.csv"
    assert "RED MUNDIAL" in ListEntity.objects.get(source_id="12300").properties["notes"][0]


def test_missing_file(tmp_path: Path) -> None:
    error = fails("un", str(tmp_path / "nope.xml"))
    assert str(error) == f"cannot read {tmp_path / 'nope.xml'}: No such file or directory"


def test_malformed_xml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(b"<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL></INDIVIDUALS>\n")
    error = fails("un", str(path))
    assert str(error) == (
        "un: malformed XML at line 3, column 14: mismatched tag; nothing imported"
    )


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    from cicte.sanctions.tests.test_un_parser import BILLION_LAUGHS

    path = tmp_path / "lol.xml"
    path.write_bytes(BILLION_LAUGHS)
    error = fails("un", str(path))
    assert "entity expansion is not allowed" in str(error)


def test_malformed_csv_names_file_and_line(tmp_path: Path) -> None:
    sdn = tmp_path / "sdn.csv"
    sdn.write_bytes(OFAC_FILES["sdn"].read_bytes() + b'\r\n99999,"BROKEN"\r\n')
    error = fails(
        "ofac", "--sdn", str(sdn), "--alt", str(OFAC_FILES["alt"]), "--add", str(OFAC_FILES["add"])
    )
    assert str(error) == "ofac: SDN line 7380: 2 fields, expected 12; nothing imported"


def test_ofac_needs_its_three_files() -> None:
    error = fails("ofac", "--sdn", str(OFAC_FILES["sdn"]))
    assert str(error) == "ofac: missing --alt, --add"
    error = fails("un")
    assert "give the XML file" in str(error)


def test_export_command(tmp_path: Path) -> None:
    path = tmp_path / "un.xml"
    path.write_bytes(small_un_xml())
    run("un", str(path))
    out = io.StringIO()
    call_command(
        "export_sanctions_list",
        "un",
        "--format",
        "xml",
        "--output",
        str(tmp_path / "out.xml"),
        stdout=out,
    )
    assert out.getvalue() == f"un: 25 entries written to {tmp_path / 'out.xml'}\n"
    assert len(un.parse(tmp_path / "out.xml").entities) == 25
    call_command(
        "export_sanctions_list",
        "un",
        "--format",
        "ftm",
        "--output",
        str(tmp_path / "out.ftm"),
        stdout=out,
    )
    lines = (tmp_path / "out.ftm").read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["schema"] in ("Person", "Organization")
    with pytest.raises(CommandError, match="no list 'xx'") as info:
        call_command(
            "export_sanctions_list", "xx", "--format", "csv", "--output", str(tmp_path / "x")
        )
    assert info.value.returncode == 2
