"""The pages: signed-in people read every list; anonymous visitors go to the login page."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client
from django.urls import reverse

from cicte.accounts.tests.factories import UserFactory
from cicte.core.models import AuditEvent
from cicte.sanctions.models import SanctionsList
from cicte.sanctions.sources import un
from cicte.sanctions.tests.helpers import edited, import_un, new_entity, small_un_xml

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists() -> None:
    import_un(small_un_xml())
    import_un(
        edited(
            small_un_xml(),
            remove="CDi.002",
            rename=("<FIRST_NAME>ERIC</FIRST_NAME>", "<FIRST_NAME>ERICK</FIRST_NAME>"),
            add=new_entity("QDe.999", "NEW FRONT ORGANISATION"),
        )
    )


@pytest.fixture
def reader(client: Client, login) -> Client:
    return login(UserFactory())


URLS = [
    reverse("sanctions:list_index"),
    reverse("sanctions:list_detail", args=["un"]),
    reverse("sanctions:version_detail", args=["un", 2]),
    reverse("sanctions:entity_detail", args=["un", "un-cdi-001"]),
    reverse("sanctions:list_export", args=["un", "csv"]),
]


@pytest.mark.parametrize("url", URLS)
def test_anonymous_visitors_go_to_the_login_page(client: Client, lists: None, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_index_shows_counts_versions_and_fetch_status(reader: Client, lists: None) -> None:
    SanctionsList.objects.filter(key="un").update(
        last_fetch_status="error", last_fetch_error="HTTP 503"
    )
    from django.utils import timezone

    SanctionsList.objects.filter(key="un").update(last_fetch_at=timezone.now())
    response = reader.get(reverse("sanctions:list_index"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "United Nations Security Council Consolidated List" in text
    assert "<td>25</td>" in text  # 25 listed now (one of 26 removed)
    assert "Version 2" in text
    assert "HTTP 503" in text
    assert reverse("sanctions:list_index") in text  # in the main navigation


def test_list_page_searches_names_and_aliases(reader: Client, lists: None) -> None:
    url = reverse("sanctions:list_detail", args=["un"])
    response = reader.get(url, {"q": "kakorere"})  # an alias of CDi.002, removed in version 2
    assert "No entry matches." in response.content.decode()
    response = reader.get(url, {"q": "rumuri"})  # an alias of CDi.003 ("Victor Rumuri")
    text = response.content.decode()
    assert "GASTON IYAMUREMYE" in text
    assert "ERICK BADEGE" not in text
    # Accents and case folded: CDi.005 is "JÉRÔME KAKWAVU BUKANDE", a.k.a. "Jérôme Kakwavu".
    assert "KAKWAVU" in reader.get(url, {"q": "jerome kakwavu"}).content.decode()
    assert "KAKWAVU" in reader.get(url, {"q": "JÉRÔME"}).content.decode()
    assert "No entry matches." in reader.get(url, {"q": "jeronimo"}).content.decode()
    response = reader.get(url, {"q": "CDi.001"})
    assert "ERICK BADEGE" in response.content.decode()
    response = reader.get(url)
    text = response.content.decode()
    assert "25 entries" in text
    assert "un.xml" in text  # the versions table


def test_version_page_shows_the_diff(reader: Client, lists: None) -> None:
    response = reader.get(reverse("sanctions:version_detail", args=["un", 2]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "3 changes" in text
    assert "NEW FRONT ORGANISATION" in text
    assert "FRANK KAKOLELE BWAMBALE" in text
    assert "<td>ERIC BADEGE</td>" in text and "<td>ERICK BADEGE</td>" in text
    response = reader.get(reverse("sanctions:version_detail", args=["un", 2]), {"kind": "removed"})
    assert "1 change" in response.content.decode()
    assert reader.get(reverse("sanctions:version_detail", args=["un", 9])).status_code == 404


def test_entity_page(reader: Client, lists: None) -> None:
    response = reader.get(reverse("sanctions:entity_detail", args=["un", "un-cdi-001"]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "ERICK BADEGE" in text
    assert "Rwanda (rw)" in text  # the address country, readable
    assert "Version 2" in text and "Version 1" in text  # its history
    removed = reader.get(reverse("sanctions:entity_detail", args=["un", "un-cdi-002"]))
    assert "Removed from the list in version 2." in removed.content.decode()
    assert reader.get(reverse("sanctions:entity_detail", args=["un", "un-nope"])).status_code == 404
    assert reader.get(reverse("sanctions:list_detail", args=["xx"])).status_code == 404


def test_downloads(reader: Client, lists: None) -> None:
    response = reader.get(reverse("sanctions:list_export", args=["un", "csv"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="sanctions-un.csv"'
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 25
    response = reader.get(reverse("sanctions:list_export", args=["un", "ftm"]))
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert {json.loads(line)["schema"] for line in lines} >= {"Person", "Organization", "Sanction"}
    response = reader.get(reverse("sanctions:list_export", args=["un", "xml"]))
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    parsed = un.parse(io.BytesIO(b"".join(response.streaming_content)))
    assert len(parsed.entities) == 25
    assert reader.get(reverse("sanctions:list_export", args=["un", "pdf"])).status_code == 404
    assert AuditEvent.objects.filter(action="sanctions.un.export").count() == 3


def test_list_page_query_count(reader: Client, lists: None, django_assert_max_num_queries) -> None:
    url = reverse("sanctions:list_detail", args=["un"])
    reader.get(url)
    with django_assert_max_num_queries(12):
        reader.get(url)
