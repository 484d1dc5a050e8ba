"""Who reads the sanctions lists: the one rule (``SanctionsList/ListVersion/EntityChange/
ListEntity.objects.visible_to``) over the pages, the exports, the read API and screening.

{anonymous, inactive account, signed-in person} x {pages, export, API, screening}: anonymous
visitors and inactive accounts go to the login page (401 in the API); every signed-in, active
person reads the published lists. A domestic list before its first publication is its state's
officials' alone: 404 / an unknown list for everyone else, never listed, never screened."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cicte.accounts.tests import factories as af
from cicte.sanctions import screening, services
from cicte.sanctions.matching import Query
from cicte.sanctions.models import EntityChange, ListEntity, ListVersion, SanctionsList
from cicte.sanctions.tests.helpers import edited, import_un, new_entity, small_un_xml
from cicte.sanctions.tests.notify_helpers import domestic_import
from cicte.sanctions.tests.test_views import URLS

pytestmark = pytest.mark.django_db

TFS = "targeted-financial-sanctions"
API = "/api/sanctions"
# The lists' pages and downloads (those of test_views) and the screening page.
PAGES = [*URLS, reverse("screening:index")]
API_URLS = [
    f"{API}/lists/",
    f"{API}/lists/un/",
    f"{API}/lists/un/versions/",
    f"{API}/lists/un/versions/2/",
    f"{API}/lists/un/entities/",
    f"{API}/lists/un/entities/un-cdi-001/",
]
# The unpublished domestic list of Argentina, wherever a list is named.
HIDDEN_PAGES = [reverse("sanctions:list_detail", args=["ar"])]
HIDDEN_API = [f"{API}/lists/ar/", f"{API}/lists/ar/versions/", f"{API}/lists/ar/entities/"]


@pytest.fixture
def world() -> dict[str, Any]:
    """The UN list in two versions, Colombia's published domestic list, and Argentina's
    domestic list created by the designations workflow but not published yet."""
    import_un(small_un_xml())
    import_un(
        edited(small_un_xml(), remove="CDi.002", add=new_entity("QDe.999", "NEW FRONT")),
        name="un-2.xml",
    )
    secretariat = af.secretariat_admin()
    domestic_import(secretariat, "CO", ["JUAN PEREZ"])
    services.ensure_domestic_list(actor=secretariat, member_state=af.state("AR"))
    screening._CACHE.clear()
    return {"secretariat": secretariat}


def _token(user: Any, *scopes: str) -> Client:
    _token_row, secret = af.api_token(user, *(scopes or ("sanctions:read",)))
    return Client(HTTP_AUTHORIZATION=f"Token {secret}")


def _ar_official() -> Any:
    organization = af.OrganizationFactory(member_state=af.state("AR"))
    user = af.UserFactory(organization=organization)
    af.grant(user, "designation_officer", network_slug=TFS)
    af.add_totp(user)
    return user


# --- Anonymous visitors and inactive accounts ---------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_pages_go_to_the_login_page(client: Client, world: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url", API_URLS)
def test_anonymous_api_is_401(client: Client, world: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 401
    assert b"un-cdi" not in response.content and b"JUAN" not in response.content


def test_anonymous_screening_api_is_401(client: Client, world: Any) -> None:
    response = client.post(
        f"{API}/screen/", {"name": "Juan Perez"}, content_type="application/json"
    )
    assert response.status_code == 401


@pytest.mark.parametrize("url", PAGES)
def test_an_account_deactivated_after_signing_in_goes_to_the_login_page(
    world: Any, login: Any, url: str
) -> None:
    user = af.UserFactory()
    client = login(user)
    assert client.get(reverse("sanctions:list_index")).status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url", API_URLS)
def test_an_inactive_accounts_token_is_401(world: Any, url: str) -> None:
    user = af.UserFactory()
    client = _token(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(url).status_code == 401
    response = client.post(
        f"{API}/screen/", {"name": "Juan Perez"}, content_type="application/json"
    )
    assert response.status_code == 401


def test_the_rule_gives_anonymous_and_inactive_nothing(world: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    inactive = af.UserFactory(is_active=False)
    for who in (None, AnonymousUser(), inactive):
        assert not SanctionsList.objects.visible_to(who).exists()
        assert not ListVersion.objects.visible_to(who).exists()
        assert not EntityChange.objects.visible_to(who).exists()
        assert not ListEntity.objects.visible_to(who).exists()


# --- Signed-in people ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_a_signed_in_person_reads_every_page(world: Any, login: Any, url: str) -> None:
    client = login(af.UserFactory())
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", API_URLS)
def test_a_signed_in_person_reads_the_api(world: Any, url: str) -> None:
    assert _token(af.UserFactory()).get(url).status_code == 200


def test_published_lists_and_not_the_unpublished_one(world: Any, login: Any) -> None:
    reader = af.UserFactory()
    keys = [item["key"] for item in _token(reader).get(f"{API}/lists/").json()]
    assert keys == ["co", "un"]
    assert set(SanctionsList.objects.visible_to(reader).values_list("key", flat=True)) == {
        "co",
        "un",
    }
    page = login(reader).get(reverse("sanctions:list_index"))
    assert b"/sanctions/co/" in page.content and b"/sanctions/ar/" not in page.content


@pytest.mark.parametrize("url", HIDDEN_PAGES)
def test_an_unpublished_domestic_list_page_is_404(world: Any, login: Any, url: str) -> None:
    assert login(af.UserFactory()).get(url).status_code == 404


@pytest.mark.parametrize("url", HIDDEN_API)
def test_an_unpublished_domestic_list_is_404_in_the_api(world: Any, url: str) -> None:
    assert _token(af.UserFactory()).get(url).status_code == 404


def test_an_unpublished_domestic_list_is_not_screened(world: Any) -> None:
    reader = af.UserFactory()
    response = _token(reader).post(
        f"{API}/screen/", {"name": "Juan Perez", "lists": ["ar"]}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "unknown list ar" in response.content.decode()
    # Not named among the lists either (no hint that it exists).
    assert "ar" not in response.json()["detail"]["lists"][0].split("the lists are ")[-1]
    with pytest.raises(screening.UnknownList):
        screening.list_keys("ar", user=reader)
    # Every list the person reads, when none is named: not Argentina's.
    assert screening.resolve_lists(None, user=reader) == ["co", "un"]


def test_its_officials_see_it_before_its_first_publication(world: Any) -> None:
    official = _ar_official()
    keys = set(SanctionsList.objects.visible_to(official).values_list("key", flat=True))
    assert keys == {"ar", "co", "un"}
    client = _token(official)
    assert client.get(f"{API}/lists/ar/").status_code == 200
    assert client.get(f"{API}/lists/ar/entities/").json()["count"] == 0
    # Colombia's officials do not.
    co_official = af.UserFactory(organization=af.OrganizationFactory(member_state=af.state("CO")))
    af.grant(co_official, "designation_approver", network_slug=TFS)
    assert "ar" not in set(
        SanctionsList.objects.visible_to(co_official).values_list("key", flat=True)
    )


def test_screening_reads_through_the_rule(world: Any) -> None:
    reader = af.UserFactory()
    found = screening.screen_name(
        actor=reader,
        query=Query(name="Juan Perez"),
        lists=["co"],
        threshold=0.75,
        limit=5,
    )
    assert [hit["list"] for hit in found.hits] == ["co"]
    # What the matcher was built from is what the person reads; the command line (no user)
    # reads what is published: the same entries.
    built = screening.screening_for(["co", "un"], user=reader)
    published = screening.screening_for(["co", "un"])
    assert (
        set(built.source_ids)
        == set(published.source_ids)
        == set(ListEntity.objects.visible_to(reader).current().values_list("ftm_id", flat=True))
    )
    # An inactive account screens against nothing it may not read.
    inactive = af.UserFactory(is_active=False)
    with pytest.raises(screening.UnknownList):
        screening.list_keys("un", user=inactive)
