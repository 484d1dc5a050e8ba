"""Importing a list: versions, their diff (added, amended, removed), idempotence, the audit."""

from __future__ import annotations

import pytest

from cicte.accounts.tests.factories import UserFactory
from cicte.core.models import AuditEvent
from cicte.sanctions.models import EntityChange, ListEntity, ListVersion, SanctionsList
from cicte.sanctions.tests.helpers import edited, import_un, new_entity, small_un_xml

pytestmark = pytest.mark.django_db


def test_first_import_creates_the_list_and_version_one() -> None:
    user = UserFactory()
    result = import_un(small_un_xml(), actor=user)
    assert result.version is not None
    version = result.version
    assert (version.number, version.entity_count, version.added_count) == (1, 25, 25)
    assert (version.amended_count, version.removed_count) == (0, 0)
    assert version.actor == user
    assert version.published_at is not None
    sanctions_list = SanctionsList.objects.get(key="un")
    assert sanctions_list.kind == "official"
    assert ListEntity.objects.filter(sanctions_list=sanctions_list).count() == 25
    entity = ListEntity.objects.get(source_id="CDi.001")
    assert entity.ftm_id == "un-cdi-001"
    assert entity.schema == "Person"
    assert entity.caption == "ERIC BADEGE"
    assert entity.properties["birthDate"] == ["1971"]
    assert [r["schema"] for r in entity.related] == ["Address", "Sanction"]
    assert entity.first_version == version
    assert EntityChange.objects.filter(version=version, kind="added").count() == 25
    event = AuditEvent.objects.get(action="sanctions.list.import")
    assert event.actor == user
    assert event.changes["added"] == 25


def test_the_same_file_again_makes_no_version() -> None:
    import_un(small_un_xml())
    again = import_un(small_un_xml())
    assert again.version is None
    assert again.entity_count == 25
    assert ListVersion.objects.count() == 1
    assert AuditEvent.objects.filter(action="sanctions.list.import").count() == 1


def test_a_different_file_with_the_same_entries_makes_no_version() -> None:
    import_un(small_un_xml())
    xml = small_un_xml().replace(b'dateGenerated="2026-02-27', b'dateGenerated="2026-03-01')
    result = import_un(xml)
    assert result.version is None
    assert ListVersion.objects.count() == 1


def test_diff_added_amended_removed_and_relisted() -> None:
    import_un(small_un_xml())
    removed_ref = "CDi.002"
    modified = edited(
        small_un_xml(),
        remove=removed_ref,
        rename=("<FIRST_NAME>ERIC</FIRST_NAME>", "<FIRST_NAME>ERICK</FIRST_NAME>"),
        add=new_entity("QDe.999", "NEW FRONT ORGANISATION"),
    )
    result = import_un(modified, name="un-2.xml")
    version = result.version
    assert version is not None
    assert (version.number, version.entity_count) == (2, 25)
    assert (result.added, result.amended, result.removed) == (1, 1, 1)
    changes = {
        c.entity.source_id: c
        for c in EntityChange.objects.filter(version=version).select_related("entity")
    }
    assert {k: c.kind for k, c in changes.items()} == {
        "QDe.999": "added",
        "CDi.001": "amended",
        removed_ref: "removed",
    }
    assert changes["CDi.001"].diff == {
        "firstName": [["ERIC"], ["ERICK"]],
        "name": [["ERIC BADEGE"], ["ERICK BADEGE"]],
    }
    assert changes[removed_ref].diff["name"] == [["FRANK KAKOLELE BWAMBALE"], []]
    gone = ListEntity.objects.get(source_id=removed_ref)
    assert gone.removed_in == version  # kept, marked removed
    assert ListEntity.objects.current().count() == 25
    amended = ListEntity.objects.get(source_id="CDi.001")
    assert amended.caption == "ERICK BADEGE"
    assert amended.last_changed_version == version
    assert amended.first_version.number == 1

    # The original file again: the removed entry comes back, the new one goes.
    result = import_un(small_un_xml(), name="un-3.xml")
    assert result.version is not None and result.version.number == 3
    assert (result.added, result.amended, result.removed) == (1, 1, 1)
    assert ListEntity.objects.get(source_id=removed_ref).removed_in is None
    assert ListEntity.objects.get(source_id="QDe.999").removed_in == result.version
    assert ListEntity.objects.current().count() == 25


def test_a_related_change_is_an_amendment() -> None:
    import_un(small_un_xml())
    xml = edited(
        small_un_xml(),
        rename=("<LISTED_ON>2012-12-31</LISTED_ON>", "<LISTED_ON>2012-12-30</LISTED_ON>"),
    )
    result = import_un(xml)
    assert (result.added, result.amended, result.removed) == (0, 1, 0)
    change = EntityChange.objects.get(version=result.version)
    assert change.diff == {"Sanction.listingDate": [["2012-12-31"], ["2012-12-30"]]}


def test_an_unknown_domestic_list_is_refused() -> None:
    from cicte.sanctions.sources import ParsedList

    with pytest.raises(ValueError, match="no sanctions list with the key 'co'"):
        from cicte.sanctions import services

        services.import_list(
            actor=None, parsed=ParsedList(list_key="co"), source_name="x", source_bytes_sha256="0"
        )
    assert ListVersion.objects.count() == 0


def test_full_lists_import(un_list, ofac_list) -> None:
    from cicte.sanctions import services

    un = services.import_list(
        actor=None, parsed=un_list, source_name="un", source_bytes_sha256="a" * 64
    )
    ofac = services.import_list(
        actor=None, parsed=ofac_list, source_name="ofac", source_bytes_sha256="b" * 64
    )
    assert (un.version.entity_count, ofac.version.entity_count) == (1003, 7379)
    assert ListEntity.objects.filter(sanctions_list__key="ofac").count() == 7379
    assert EntityChange.objects.count() == 1003 + 7379
