"""The advisories API (/api/advisories/): the authorization matrix {author, a colleague of the
same organisation (the reviewer), another organisation of the network, a CSIRT of another
network, anonymous} x {list, detail, versions, every action}; TLP:RED and drafts hidden (404);
four eyes through the API; the services' refusals as 403 and 400 with clear messages and nothing
changed; translations in the reader's language; filters; token scopes; the schema."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cicte.accounts.tests import factories as af
from cicte.advisories import services
from cicte.advisories.choices import AdvisoryStatus
from cicte.advisories.models import Advisory, AdvisoryPolicy
from cicte.core.choices import TLP
from cicte.core.models import AuditEvent
from cicte.intel.models import StixObject
from cicte.intel.tests import factories as f

pytestmark = pytest.mark.django_db

PEOPLE = ("author", "colleague", "mx", "outsider", "anonymous")


@pytest.fixture
def world() -> dict[str, Any]:
    colombia, mexico = f.csirt("CO"), f.csirt("MX")
    return {
        "author": f.analyst(colombia),
        "colleague": f.analyst(colombia, full_name="Reviewer Colleague"),
        "third": f.analyst(colombia),
        "mx": f.analyst(mexico),
        "outsider": f.analyst(f.csirt("BR", network_slug="aviation-security")),
        "anonymous": None,
        "network": af.network("csirtamericas"),
        "collection": f.collection(),
    }


def api(user: Any, *scopes: str, **headers: str) -> Client:
    """A client with ``user``'s token (advisories:write unless scopes are given); anonymous
    without credentials."""
    if user is None:
        return Client(**headers)
    _token, secret = af.api_token(user, *(scopes or ("advisories:write",)))
    return Client(HTTP_AUTHORIZATION=f"Token {secret}", **headers)


def draft(world: dict[str, Any], **kwargs: Any) -> Advisory:
    values: dict[str, Any] = {
        "title": "Acme Gateway: remote code execution",
        "summary": "Unauthenticated requests run code on Acme Gateway.",
        "severity": "critical",
        "tlp": TLP.GREEN,
        "affected": [{"cve": "CVE-2026-12345", "vendor": "Acme", "product": "Gateway"}],
    }
    values.update(kwargs)
    return services.create_draft(
        actor=world["author"], network=world["network"], collection=world["collection"], **values
    )


def in_review(world: dict[str, Any], **kwargs: Any) -> Advisory:
    advisory = draft(world, **kwargs)
    reviewer = world["colleague"] if advisory.tlp == TLP.RED else None
    services.submit(actor=world["author"], advisory=advisory, reviewer=reviewer)
    return advisory


def published(world: dict[str, Any], **kwargs: Any) -> Advisory:
    advisory = in_review(world, **kwargs)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.approve(actor=world["colleague"], advisory=advisory)
    return advisory


def state(advisory: Advisory) -> tuple[Any, ...]:
    advisory.refresh_from_db()
    return (
        advisory.status,
        advisory.version,
        advisory.title,
        advisory.severity,
        advisory.translations.count(),
    )


# --- Reading: who sees what --------------------------------------------------------------------


READ_MATRIX = [
    # (state, TLP, what (author, colleague, mx, outsider) get: 200 or 404)
    ("draft", TLP.GREEN, (200, 200, 404, 404)),
    ("in_review", TLP.GREEN, (200, 200, 404, 404)),
    ("published", TLP.GREEN, (200, 200, 200, 404)),
    ("published", TLP.AMBER, (200, 200, 404, 404)),
    ("published", TLP.RED, (200, 200, 404, 404)),
]
MAKERS: dict[str, Callable[..., Advisory]] = {
    "draft": draft,
    "in_review": in_review,
    "published": published,
}


@pytest.mark.parametrize(("kind", "label", "expected"), READ_MATRIX)
def test_read_matrix(world, kind, label, expected):
    advisory = MAKERS[kind](world, tlp=label)
    codes = dict(zip(PEOPLE, expected, strict=False))
    for person in PEOPLE:
        client = api(world[person], "advisories:read")
        listed = client.get("/api/advisories/")
        detail = client.get(f"/api/advisories/{advisory.pk}/")
        versions = client.get(f"/api/advisories/{advisory.pk}/versions/")
        if person == "anonymous":
            for response in (listed, detail, versions):
                assert response.status_code == 401
                assert response.json()["error"] == "Authentication credentials were not provided."
            continue
        assert listed.status_code == 200
        ids = [item["id"] for item in listed.json()["results"]]
        if codes[person] == 200:
            assert ids == [advisory.pk], person
            assert detail.status_code == 200 and versions.status_code == 200
            assert detail.json()["title"] == advisory.title
        else:
            assert ids == [], person
            assert detail.status_code == 404 and versions.status_code == 404, person
            assert detail.json() == {"error": "Not found.", "detail": None}
            assert advisory.title not in detail.content.decode()


def test_red_advisory_reaches_only_its_author_and_named_reviewer(world):
    advisory = published(world, tlp=TLP.RED)
    for person, code in (("author", 200), ("colleague", 200), ("third", 404), ("mx", 404)):
        response = api(world[person], "advisories:read").get(f"/api/advisories/{advisory.pk}/")
        assert response.status_code == code, person
    # Not even its own organisation's other people, nor through a filter.
    third = api(world["third"], "advisories:read")
    assert third.get("/api/advisories/?tlp=red").json()["count"] == 0
    assert (
        third.post(
            f"/api/advisories/{advisory.pk}/withdraw/", content_type="application/json"
        ).status_code
        == 403
    )
    # (a read-only token is refused before the advisory is looked up)
    writer = api(world["third"])
    response = writer.post(
        f"/api/advisories/{advisory.pk}/withdraw/", {"reason": "x"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert state(advisory)[0] == AdvisoryStatus.PUBLISHED


def test_detail_shows_translations_versions_report_and_actions(world):
    advisory = published(world)
    services.translate(
        actor=world["author"],
        advisory=advisory,
        language="es",
        title="Acme Gateway: ejecución remota de código",
        summary="Solicitudes sin autenticar ejecutan código.",
    )
    body = api(world["author"], "advisories:read").get(f"/api/advisories/{advisory.pk}/").json()
    assert body["reference"] == advisory.reference and body["reference"].endswith("-0001")
    assert body["status"] == "published" and body["version"] == 1
    assert body["network"] == "csirtamericas"
    assert body["owner_organization"] == world["author"].organization.slug
    assert body["stix_report_id"] == advisory.stix_id
    assert StixObject.objects.filter(stix_id=body["stix_report_id"]).exists()
    assert body["collection"] == str(world["collection"].pk)
    assert body["affected"] == [
        {"cve": "CVE-2026-12345", "vendor": "Acme", "product": "Gateway", "versions": ""}
    ]
    assert body["translations"] == [
        {
            "language": "es",
            "title": "Acme Gateway: ejecución remota de código",
            "summary": "Solicitudes sin autenticar ejecutan código.",
            "recommendations": "",
        }
    ]
    assert [v["number"] for v in body["versions"]] == [1]
    assert body["actions"] == {
        "edit": True,
        "translate": True,
        "submit": False,
        "approve": False,
        "send_back": False,
        "withdraw": True,
    }
    mx_body = api(world["mx"], "advisories:read").get(f"/api/advisories/{advisory.pk}/").json()
    assert not any(mx_body["actions"].values())
    # Each look is an audit event, as on the page.
    event = AuditEvent.objects.filter(action="advisories.advisory.view").latest("pk")
    assert event.actor == world["mx"] and event.object_id == str(advisory.pk)


def test_text_in_the_readers_language(world):
    advisory = published(world)
    services.translate(
        actor=world["author"],
        advisory=advisory,
        language="es",
        title="Acme Gateway: ejecución remota de código",
        summary="Solicitudes sin autenticar ejecutan código.",
    )
    spanish = api(world["mx"], "advisories:read", HTTP_ACCEPT_LANGUAGE="es-CO,es;q=0.9")
    french = api(world["mx"], "advisories:read", HTTP_ACCEPT_LANGUAGE="fr")
    detail = spanish.get(f"/api/advisories/{advisory.pk}/")
    assert detail["Content-Language"] == "es"
    assert detail.json()["text"]["language"] == "es"
    assert detail.json()["text"]["title"] == "Acme Gateway: ejecución remota de código"
    # The advisory's own text stays as written.
    assert detail.json()["title"] == advisory.title
    [row] = spanish.get("/api/advisories/").json()["results"]
    assert row["text"]["title"].startswith("Acme Gateway: ejecución")
    # Without a translation in the reader's language: the advisory's own.
    assert french.get(f"/api/advisories/{advisory.pk}/").json()["text"] == {
        "language": "en",
        "title": advisory.title,
        "summary": advisory.summary,
        "recommendations": "",
    }


def test_versions_endpoint(world):
    advisory = published(world)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = api(world["author"]).patch(
            f"/api/advisories/{advisory.pk}/",
            {"recommendations": "Update to 4.2.1.", "note": "Patch released"},
            content_type="application/json",
        )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    versions = api(world["mx"], "advisories:read").get(f"/api/advisories/{advisory.pk}/versions/")
    body = versions.json()
    assert [(v["number"], v["note"]) for v in body] == [(2, "Patch released"), (1, "Published")]
    assert body[0]["snapshot"]["recommendations"] == "Update to 4.2.1."
    assert body[1]["snapshot"]["recommendations"] == ""


def test_list_filters(world):
    first = published(world)
    second = published(
        world,
        title="Globex Portal: SQL injection",
        severity="high",
        affected=[{"cve": "CVE-2026-1234", "vendor": "Globex", "product": "Portal São Paulo"}],
    )
    own_draft = draft(world, title="Initech: weak defaults", severity="low", affected=[])
    Advisory.objects.filter(pk=first.pk).update(updated_at=timezone.now() - dt.timedelta(days=10))
    client = api(world["author"], "advisories:read")

    def ids(query: str) -> set[int]:
        response = client.get(f"/api/advisories/?{query}")
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["results"]}

    assert ids("") == {first.pk, second.pk, own_draft.pk}
    assert ids("severity=critical&severity=high") == {first.pk, second.pk}
    assert ids("status=draft") == {own_draft.pk}
    assert ids("network=csirtamericas") == {first.pk, second.pk, own_draft.pk}
    assert ids("network=aviation-security") == set()
    assert ids("product=acme") == {first.pk}
    assert ids("product=globex") == {second.pk}
    assert ids("product=são paulo") == {second.pk}
    assert ids("product=weak defaults") == {own_draft.pk}
    assert ids("cve=cve-2026-12345") == {first.pk}
    assert ids("cve=CVE-2026-1234") == {second.pk}
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert ids("updated_since=" + since.replace("+", "%2B")) == {second.pk, own_draft.pk}
    assert client.get("/api/advisories/?severity=urgent").status_code == 400
    assert client.get("/api/advisories/?network=no-such-network").status_code == 400
    # Another organisation of the network never finds a draft, whatever it asks for.
    assert api(world["mx"], "advisories:read").get("/api/advisories/?status=draft").json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }


def test_list_query_count_does_not_grow_with_the_rows(world):
    client = api(world["mx"], "advisories:read")
    published(world)
    services.translate(
        actor=world["author"],
        advisory=Advisory.objects.get(),
        language="es",
        title="Título",
        summary="Resumen",
    )
    client.get("/api/advisories/")  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/advisories/").json()["count"] == 1
    for _ in range(4):
        published(world)
    with CaptureQueriesContext(connection) as five:
        assert client.get("/api/advisories/").json()["count"] == 5
    assert len(five) == len(one) <= 10


# --- Writing: who may do what ------------------------------------------------------------------


ACTION_MATRIX = [
    # (state, method, action, body, statuses for (author, colleague, mx, outsider))
    ("draft", "patch", "", {"severity": "high"}, (200, 200, 404, 404)),
    ("draft", "post", "translations/", {"language": "es", "title": "T", "summary": "S"},
     (201, 201, 404, 404)),
    ("draft", "post", "submit/", {}, (200, 200, 404, 404)),
    ("draft", "post", "approve/", {}, (403, 403, 404, 404)),
    ("draft", "post", "withdraw/", {"reason": "x"}, (403, 403, 404, 404)),
    ("in_review", "post", "approve/", {}, (403, 200, 404, 404)),
    ("in_review", "post", "send-back/", {"reason": "Add the CVE"}, (200, 200, 404, 404)),
    ("in_review", "post", "submit/", {}, (403, 403, 404, 404)),
    ("published", "patch", "", {"severity": "high", "note": "Worse"}, (200, 200, 403, 404)),
    ("published", "post", "translations/", {"language": "fr", "title": "T", "summary": "S"},
     (201, 201, 403, 404)),
    ("published", "post", "withdraw/", {"reason": "Duplicate"}, (200, 200, 403, 404)),
    ("published", "post", "approve/", {}, (403, 403, 403, 404)),
    ("published", "post", "submit/", {}, (403, 403, 403, 404)),
    ("published", "post", "send-back/", {"reason": "x"}, (403, 403, 403, 404)),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "method", "name", "body", "expected"), ACTION_MATRIX)
def test_action_matrix(world, kind, method, name, body, expected):
    codes = dict(zip(PEOPLE, expected, strict=False))
    for person in PEOPLE:
        advisory = MAKERS[kind](world)  # a fresh one each time: an allowed action changes it
        before = state(advisory)
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = getattr(api(world[person]), method)(
                f"/api/advisories/{advisory.pk}/{name}", body, content_type="application/json"
            )
        if person == "anonymous":
            assert response.status_code == 401
            assert state(advisory) == before
            continue
        assert response.status_code == codes[person], (person, response.content[:300])
        if response.status_code >= 400:
            assert state(advisory) == before, person
            assert response.json()["error"]
            assert advisory.title not in response.content.decode()
        else:
            assert state(advisory) != before, person


def test_refusals_say_what_is_missing(world):
    advisory = published(world)
    mx = api(world["mx"]).post(
        f"/api/advisories/{advisory.pk}/withdraw/", {"reason": "x"}, content_type="application/json"
    )
    assert mx.status_code == 403
    assert mx.json() == {
        "error": "Only people of the advisory's organisation who may write advisories in its "
        "network may do this.",
        "detail": None,
    }
    author = api(world["author"])
    approve = author.post(
        f"/api/advisories/{advisory.pk}/approve/", content_type="application/json"
    )
    assert approve.json()["error"] == (
        "The advisory is “Published”: this needs it to be “Awaiting review”."
    )
    services.withdraw(actor=world["author"], advisory=advisory, reason="Duplicate")
    change = author.patch(
        f"/api/advisories/{advisory.pk}/", {"title": "New"}, content_type="application/json"
    )
    assert change.status_code == 403
    assert change.json()["error"] == "The advisory is withdrawn: it can no longer change."


def test_four_eyes_through_the_api(world):
    author, colleague, mx = (api(world[p]) for p in ("author", "colleague", "mx"))
    created = author.post(
        "/api/advisories/",
        {
            "network": "csirtamericas",
            "collection": str(world["collection"].pk),
            "title": "Acme Gateway: remote code execution",
            "summary": "Unauthenticated requests run code on Acme Gateway.",
            "severity": "critical",
            "tlp": "green",
            "affected": [{"cve": "cve-2026-12345", "vendor": "Acme", "product": "Gateway"}],
            "references": ["https://acme.example/security/2026-01"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    pk = body["id"]
    assert body["status"] == "draft" and body["reference"] == ""
    assert body["affected"][0]["cve"] == "CVE-2026-12345"
    assert body["owner_organization"] == world["author"].organization.slug
    submitted = author.post(f"/api/advisories/{pk}/submit/", content_type="application/json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "in_review"
    # The author may not approve their own advisory, nor another organisation.
    refused = author.post(f"/api/advisories/{pk}/approve/", content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["error"] == "Someone else of your organisation must review this advisory."
    assert (
        mx.post(f"/api/advisories/{pk}/approve/", content_type="application/json").status_code
        == 404
    )  # not yet published
    assert Advisory.objects.get(pk=pk).status == AdvisoryStatus.IN_REVIEW
    with TestCase.captureOnCommitCallbacks(execute=True):
        approved = colleague.post(f"/api/advisories/{pk}/approve/", content_type="application/json")
    assert approved.status_code == 200
    body = approved.json()
    assert body["status"] == "published" and body["reference"].endswith("-0001")
    assert body["stix_report_id"].startswith("report--")
    advisory = Advisory.objects.get(pk=pk)
    assert advisory.reviewed_by == world["colleague"]
    assert StixObject.objects.filter(stix_id=advisory.stix_id).get().tlp == TLP.GREEN
    actions = list(
        AuditEvent.objects.filter(object_id=str(pk), action__startswith="advisories.")
        .order_by("pk")
        .values_list("action", "actor_id")
    )
    assert actions == [
        ("advisories.create", world["author"].pk),
        ("advisories.submit", world["author"].pk),
        ("advisories.approve", world["colleague"].pk),
        ("advisories.publish", world["colleague"].pk),
    ]


def test_without_four_eyes_submitting_publishes(world):
    AdvisoryPolicy.objects.create(organization=world["author"].organization, four_eyes=False)
    advisory = draft(world)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = api(world["author"]).post(
            f"/api/advisories/{advisory.pk}/submit/", content_type="application/json"
        )
    assert response.status_code == 200
    assert response.json()["status"] == "published"


def test_red_needs_a_named_reviewer(world):
    advisory = draft(world, tlp=TLP.RED)
    author = api(world["author"])
    url = f"/api/advisories/{advisory.pk}/submit/"
    missing = author.post(url, content_type="application/json")
    assert missing.status_code == 400
    assert missing.json()["detail"] == {
        "reviewer": [
            "A TLP:RED advisory reaches only the people named: name the colleague who reviews it."
        ]
    }
    for username in (world["mx"].username, world["author"].username, "nobody"):
        wrong = author.post(url, {"reviewer": username}, content_type="application/json")
        assert wrong.status_code == 400
        assert wrong.json()["detail"]["reviewer"] == [
            f"{username} is not a colleague who may review this advisory."
        ]
    assert state(advisory)[0] == AdvisoryStatus.DRAFT
    # Until named, the colleague does not see it: TLP:RED reaches its author alone.
    colleague_view = api(world["colleague"], "advisories:read")
    assert colleague_view.get(f"/api/advisories/{advisory.pk}/").status_code == 404
    named = author.post(
        url, {"reviewer": world["colleague"].username}, content_type="application/json"
    )
    assert named.status_code == 200 and named.json()["status"] == "in_review"
    assert colleague_view.get(f"/api/advisories/{advisory.pk}/").status_code == 200
    # The third colleague, not named, neither sees nor approves it.
    assert (
        api(world["third"])
        .post(f"/api/advisories/{advisory.pk}/approve/", content_type="application/json")
        .status_code
        == 404
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        approved = api(world["colleague"]).post(
            f"/api/advisories/{advisory.pk}/approve/", content_type="application/json"
        )
    assert approved.status_code == 200 and approved.json()["status"] == "published"


def test_create_refusals(world):
    author = api(world["author"])

    def create(**changes: Any) -> Any:
        body = {
            "network": "csirtamericas",
            "title": "Acme Gateway: remote code execution",
            "summary": "Unauthenticated requests run code.",
        }
        body.update(changes)
        return author.post("/api/advisories/", body, content_type="application/json")

    before = Advisory.objects.count()
    other_network = f.collection("aviation-security", title="Aviation")
    read_only = f.collection(write_roles=["national_coordinator"], title="Read only")
    cases = {
        "bad cve": (
            create(affected=[{"cve": "CVE-26-1"}]),
            "affected",
            "CVE-26-1 is not a CVE id such as CVE-2026-12345.",
        ),
        "empty product": (
            create(affected=[{"vendor": " "}]),
            "affected",
            "Give at least one of cve, vendor, product and versions.",
        ),
        "bad reference": (
            create(references=["javascript:alert(1)"]),
            "references",
            "Item 1 is not an http(s) address.",
        ),
        "no title": (create(title=""), "title", "This field may not be blank."),
        "tlp": (create(tlp="white"), "tlp", '"white" is not a valid choice.'),
        "language": (create(language="de"), "language", '"de" is not a valid choice.'),
        "hidden network": (
            create(network="no-such-network"),
            "network",
            "Object with slug=no-such-network does not exist.",
        ),
        "collection of another network": (
            create(collection=str(other_network.pk)),
            "collection",
            None,
        ),
        "collection not writable": (create(collection=str(read_only.pk)), "collection", None),
    }
    for name, (response, field, message) in cases.items():
        assert response.status_code == 400, (name, response.content)
        body = response.json()
        assert body["error"] == "The request has invalid fields; see detail.", name
        assert field in body["detail"], (name, body)
        if message:
            assert message in str(body["detail"][field]), (name, body)
    # A network where the person may not write advisories: 403, saying so.
    refused = create(network="aviation-security")
    assert refused.status_code == 403
    assert refused.json()["error"].startswith("You may not write advisories in ")
    observer = af.UserFactory(organization=None)
    nobody = api(observer).post(
        "/api/advisories/",
        {"network": "csirtamericas", "title": "T", "summary": "S"},
        content_type="application/json",
    )
    assert nobody.status_code == 403
    assert nobody.json()["error"] == "Only people of an organisation may write advisories."
    assert Advisory.objects.count() == before


def test_update_translate_send_back_and_withdraw(world):
    advisory = in_review(world)
    author, colleague = api(world["author"]), api(world["colleague"])
    url = f"/api/advisories/{advisory.pk}/"
    # A change under review returns it to draft.
    changed = colleague.patch(url, {"severity": "high"}, content_type="application/json")
    assert changed.status_code == 200
    assert changed.json()["status"] == "draft" and changed.json()["severity"] == "high"
    bad = author.patch(url, {"affected": [{"cve": "nope"}]}, content_type="application/json")
    assert bad.status_code == 400 and "affected" in bad.json()["detail"]
    # Lists given replace the whole list; CVE ids are kept in capitals.
    products = author.patch(
        url,
        {
            "affected": [{"cve": "cve-2026-9999", "product": "Router"}],
            "references": ["https://vendor.example/a", "https://vendor.example/a"],
        },
        content_type="application/json",
    )
    assert products.status_code == 200, products.content
    advisory.refresh_from_db()
    assert advisory.affected == [
        {"cve": "CVE-2026-9999", "vendor": "", "product": "Router", "versions": ""}
    ]
    assert advisory.references == ["https://vendor.example/a"]
    assert author.patch(url, {"title": ""}, content_type="application/json").status_code == 400
    # Translations: added (201), replaced (200), never in the advisory's own language (400).
    added = author.post(
        url + "translations/",
        {"language": "pt", "title": "Título", "summary": "Resumo"},
        content_type="application/json",
    )
    assert added.status_code == 201
    assert added.json() == {
        "language": "pt",
        "title": "Título",
        "summary": "Resumo",
        "recommendations": "",
    }
    replaced = author.post(
        url + "translations/",
        {"language": "pt", "title": "Título novo", "summary": "Resumo"},
        content_type="application/json",
    )
    assert replaced.status_code == 200
    assert advisory.translations.get().title == "Título novo"
    own = author.post(
        url + "translations/",
        {"language": "en", "title": "T", "summary": "S"},
        content_type="application/json",
    )
    assert own.status_code == 400
    assert own.json()["detail"] == {"language": ["Choose another of the four languages."]}
    # Send back needs a reason.
    advisory.refresh_from_db()
    services.submit(actor=world["author"], advisory=advisory)
    no_reason = colleague.post(url + "send-back/", content_type="application/json")
    assert no_reason.status_code == 400
    assert no_reason.json()["detail"] == {"reason": ["This field is required."]}
    sent = colleague.post(
        url + "send-back/", {"reason": "Add the CVE"}, content_type="application/json"
    )
    assert sent.status_code == 200 and sent.json()["status"] == "draft"
    assert AuditEvent.objects.filter(action="advisories.send_back").exists()
    # Withdrawal needs a reason the service accepts.
    advisory.refresh_from_db()
    services.submit(actor=world["author"], advisory=advisory)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.approve(actor=world["colleague"], advisory=advisory)
    blank = author.post(url + "withdraw/", {"reason": "   "}, content_type="application/json")
    assert blank.status_code == 400
    assert state(advisory)[0] == AdvisoryStatus.PUBLISHED
    with TestCase.captureOnCommitCallbacks(execute=True):
        withdrawn = author.post(
            url + "withdraw/", {"reason": "Duplicate"}, content_type="application/json"
        )
    assert withdrawn.status_code == 200
    body = withdrawn.json()
    assert body["status"] == "withdrawn" and body["withdrawal_reason"] == "Duplicate"
    assert body["withdrawn_at"] is not None


# --- Tokens and schema -------------------------------------------------------------------------


def test_token_scopes(world):
    advisory = draft(world)
    reader = api(world["author"], "advisories:read")
    assert reader.get("/api/advisories/").status_code == 200
    assert reader.get(f"/api/advisories/{advisory.pk}/").status_code == 200
    before = state(advisory)
    for method, suffix, body in (
        ("post", "", {"network": "csirtamericas", "title": "T", "summary": "S"}),
        ("patch", f"{advisory.pk}/", {"title": "Changed"}),
        ("post", f"{advisory.pk}/submit/", {}),
        ("post", f"{advisory.pk}/translations/", {"language": "es", "title": "T", "summary": "S"}),
    ):
        response = getattr(reader, method)(
            f"/api/advisories/{suffix}", body, content_type="application/json"
        )
        assert response.status_code == 403
        assert response.json()["error"] == (
            "This token's scopes do not allow write access to advisories."
        )
    assert state(advisory) == before
    assert Advisory.objects.count() == 1
    # Another module's token reads nothing here.
    intel = api(world["author"], "intel:write")
    refused = intel.get("/api/advisories/")
    assert refused.status_code == 403
    assert refused.json()["error"] == "This token's scopes do not allow read access to advisories."
    # A signed-in session is limited by roles only.
    session = Client()
    session.force_login(world["author"])
    assert session.get(f"/api/advisories/{advisory.pk}/").status_code == 200


def test_schema_builds_with_the_advisories_api(world):
    response = api(world["author"], "advisories:read").get(
        "/api/schema/", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    schema = response.json()
    assert set(schema["paths"]["/api/advisories/"]) == {"get", "post"}
    assert set(schema["paths"]["/api/advisories/{id}/"]) == {"get", "patch"}
    assert set(schema["paths"]["/api/advisories/{id}/send-back/"]) == {"post"}
    detail = schema["components"]["schemas"]["AdvisoryDetail"]["properties"]
    assert {"text", "translations", "versions", "stix_report_id", "actions"} <= set(detail)
    parameters = {p["name"] for p in schema["paths"]["/api/advisories/"]["get"]["parameters"]}
    assert {"network", "severity", "status", "product", "cve", "updated_since"} <= parameters
