"""The directory's free-text search and the indexes behind it: SQLite's trigram table kept by
triggers, PostgreSQL's trigram indexes, and the search's fallbacks; the keys-first paginator;
the planner's statistics task."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test import RequestFactory

from cicte.accounts.tests import factories as af
from cicte.core import maintenance
from cicte.core.pagination import KeysFirstPaginator
from cicte.directory import filtersets, services, text_index
from cicte.directory.filtersets import ContactDesignationFilterSet
from cicte.directory.models import Contact, ContactDesignation
from cicte.directory.tests import factories as df

pytestmark = pytest.mark.django_db


def found(user, text: str) -> set[str]:
    request = RequestFactory().get("/directory/", {"q": text})
    request.user = user
    queryset = ContactDesignation.objects.visible_to(user).filter(status="active")
    filterset = ContactDesignationFilterSet(request.GET, queryset=queryset, request=request)
    assert filterset.is_valid(), filterset.errors
    return {d.contact.name for d in filterset.qs.select_related("contact")}


@pytest.fixture
def admin():
    return af.secretariat_admin()


def test_text_search_follows_every_change_of_names_titles_and_addresses(admin):
    ana = df.contact(
        name="Ana Castillo",
        title="Duty officer",
        emails=[{"kind": "institutional", "address": "watch@mindef.example"}],
    )
    df.designation(ana)
    bruno = df.designation(df.contact(name="Bruno Díaz", title="Analyst")).contact
    assert found(admin, "castillo") == {"Ana Castillo"}
    assert found(admin, "CASTI") == {"Ana Castillo"}
    assert found(admin, "duty off") == {"Ana Castillo"}
    assert found(admin, "mindef.exa") == {"Ana Castillo"}
    assert found(admin, "analyst") == {"Bruno Díaz"}

    services.update_contact(actor=admin, contact=ana, name="Ana Rojas")
    assert found(admin, "castillo") == set()
    assert found(admin, "rojas") == {"Ana Rojas"}

    services.update_contact(
        actor=admin, contact=bruno, emails=[{"kind": "institutional", "address": "b@csirt.example"}]
    )
    assert found(admin, "csirt.exam") == {"Bruno Díaz"}
    services.update_contact(
        actor=admin, contact=bruno, emails=[{"kind": "institutional", "address": "b@cert.example"}]
    )
    assert found(admin, "csirt.exam") == set()
    assert found(admin, "cert.exam") == {"Bruno Díaz"}
    # The contact's own organisation, by name or acronym, as before.
    assert found(admin, bruno.organization.name[:6]) >= {"Bruno Díaz"}


def test_text_index_on_this_database():
    if connection.vendor == "sqlite":
        contact = df.contact(name="Zoraida Quintero")
        assert text_index.contact_ids("quintero", limit=10) == [contact.pk]
        assert text_index.contact_ids("QUINTERO", limit=10) == [contact.pk]
        # Too short for trigrams, or with LIKE's wildcards: the search scans instead.
        assert text_index.contact_ids("qu", limit=10) is None
        assert text_index.contact_ids("50%", limit=10) is None
        Contact.objects.filter(pk=contact.pk).update(name="Zoraida Ruiz")
        assert text_index.contact_ids("quintero", limit=10) == []
    else:
        assert text_index.contact_ids("quintero", limit=10) is None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE indexname LIKE %s ORDER BY 1",
                ["directory_%_trgm"],
            )
            assert [row[0] for row in cursor.fetchall()] == [
                "directory_contact_name_trgm",
                "directory_contact_title_trgm",
                "directory_contactemail_address_trgm",
            ]


def test_short_texts_wildcards_and_common_texts_still_match(admin, monkeypatch):
    for name in ("Ana Li", "Luis 50% Pérez", "Marta Li"):
        df.designation(df.contact(name=name))
    assert found(admin, "li") >= {"Ana Li", "Marta Li"}
    assert found(admin, "50%") == {"Luis 50% Pérez"}
    assert found(admin, "50_") == set()
    # More matches than are passed as ids: the same answer through sub-queries.
    monkeypatch.setattr(filtersets, "TEXT_MATCH_IDS", 1)
    assert found(admin, " li") == {"Ana Li", "Marta Li"}


@pytest.mark.parametrize("per_page,orphans", [(2, 0), (3, 1), (50, 0)])
def test_keys_first_paginator_pages_like_django(
    admin, per_page, orphans, django_assert_num_queries
):
    for n in range(7):
        df.designation(df.contact(name=f"Paged {n}"))
    queryset = (
        ContactDesignation.objects.visible_to(admin)
        .select_related("contact", "network")
        .prefetch_related("contact__phones")
        .order_by("-contact__name", "pk")
    )
    plain = Paginator(queryset, per_page, orphans=orphans)
    keyed = KeysFirstPaginator(queryset, per_page, orphans=orphans)
    assert keyed.num_pages == plain.num_pages
    for number in plain.page_range:
        expected = [d.pk for d in plain.page(number)]
        page = keyed.page(number)
        assert [d.pk for d in page] == expected
        assert page.has_next() == plain.page(number).has_next()
    # The rows come with their joins and prefetches: no query per row.
    rows = list(keyed.page(1))
    with django_assert_num_queries(0):
        for row in rows:
            str(row.contact.name), list(row.contact.phones.all()), row.network.slug
    assert keyed.get_page(99).number == plain.num_pages


def test_refresh_statistics_runs_on_this_database():
    df.designation()
    maintenance.refresh_statistics()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM sqlite_stat1")
            assert cursor.fetchone()[0] > 0
