"""The one visibility rule by example: who sees a record at each TLP label, with exact
expectations written out by hand (and the oracle of the property tests held to them too)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cicte.accounts.models import User
from cicte.accounts.tests import factories
from tests.shareables import oracle
from tests.shareables.models import SharedRecord
from tests.shareables.oracle import AMBER, AMBER_STRICT, CLEAR, GREEN, RED, Org, Person, Record
from tests.shareables.worlds import Built, build

pytestmark = pytest.mark.django_db

CSIRT, UNSCR = 0, 1  # network keys
OWNER_ORG, NETWORK_ORG, RECIPIENT_ORG, OTHER_ORG, SECRETARIAT_ORG, AUDIENCE_ORG = range(6)
(
    AUTHOR,
    COLLEAGUE,
    NETWORK_PEER,
    NETWORK_ROLE_HOLDER,
    RECIPIENT,
    OUTSIDER,
    ADMIN,
    AUDIENCE_PERSON,
    UNSCR_PERSON,
) = range(9)
LABELS = (CLEAR, GREEN, AMBER, AMBER_STRICT, RED)

PEOPLE = (
    Person(AUTHOR, OWNER_ORG),
    Person(COLLEAGUE, OWNER_ORG),
    # Same network through the organisation's membership, in another state.
    Person(NETWORK_PEER, NETWORK_ORG),
    # Same network through a role held in it, in an organisation that is not a member.
    Person(NETWORK_ROLE_HOLDER, OTHER_ORG, network_roles=frozenset({("member", CSIRT)})),
    Person(RECIPIENT, RECIPIENT_ORG),
    Person(OUTSIDER, OTHER_ORG),
    Person(ADMIN, SECRETARIAT_ORG, secretariat_admin=True),
    Person(AUDIENCE_PERSON, AUDIENCE_ORG, org_admin=True),
    Person(UNSCR_PERSON, OTHER_ORG, network_roles=frozenset({("observer", UNSCR)})),
)


def _world(records: tuple[Record, ...], people: tuple[Person, ...] = PEOPLE) -> oracle.World:
    return oracle.World(
        networks=("csirtamericas", "unscr-1540"),
        orgs=(
            Org(OWNER_ORG, "AR"),
            Org(NETWORK_ORG, "BR"),
            Org(RECIPIENT_ORG, "CL"),
            Org(OTHER_ORG, "MX"),
            Org(SECRETARIAT_ORG, None),
            Org(AUDIENCE_ORG, "CO"),
        ),
        memberships=frozenset({(OWNER_ORG, CSIRT, "member"), (NETWORK_ORG, CSIRT, "observer")}),
        people=people,
        records=records,
    )


# One record per label: owned by OWNER_ORG, written by AUTHOR, named to RECIPIENT, with no
# audience network (GREEN then goes to the owner's networks) and no audience organisation.
MATRIX_WORLD = _world(
    tuple(
        Record(key=i, owner=OWNER_ORG, author=AUTHOR, tlp=label, users=frozenset({RECIPIENT}))
        for i, label in enumerate(LABELS)
    )
)

# Who sees which label, written out: CLEAR, GREEN, AMBER, AMBER+STRICT, RED.
MATRIX = {
    "anonymous": (True, False, False, False, False),
    "other state": (True, False, False, False, False),
    "same network": (True, True, False, False, False),
    "same network by role": (True, True, False, False, False),
    "owner org": (True, True, True, True, False),
    "named recipient": (True, True, True, True, True),
    "author": (True, True, True, True, True),
    "secretariat administrator": (True, False, False, False, False),
}
VIEWERS = {
    "anonymous": None,
    "other state": OUTSIDER,
    "same network": NETWORK_PEER,
    "same network by role": NETWORK_ROLE_HOLDER,
    "owner org": COLLEAGUE,
    "named recipient": RECIPIENT,
    "author": AUTHOR,
    "secretariat administrator": ADMIN,
}


def _seen(built: Built, person: int | None) -> set[int]:
    viewer = AnonymousUser() if person is None else built.viewer(person)
    return built.record_keys(SharedRecord.objects.visible_to(viewer).values_list("pk", flat=True))


@pytest.mark.parametrize("viewer", list(MATRIX))
def test_matrix(viewer):
    built = build(MATRIX_WORLD)
    expected = {i for i, visible in enumerate(MATRIX[viewer]) if visible}
    assert _seen(built, VIEWERS[viewer]) == expected
    # The oracle of the property tests says the same.
    person = None if VIEWERS[viewer] is None else MATRIX_WORLD.person(VIEWERS[viewer])
    assert oracle.visible(MATRIX_WORLD, person) == expected


@pytest.mark.parametrize("label", LABELS)
def test_matrix_by_label_on_single_records(label):
    """The same expectations, one record at a time, read through ``get`` as a detail view
    would (hidden and absent alike raise DoesNotExist, hence 404)."""
    built = build(MATRIX_WORLD)
    key = LABELS.index(label)
    pk = built.records[key]
    for viewer, row in MATRIX.items():
        person = VIEWERS[viewer]
        user = AnonymousUser() if person is None else built.viewer(person)
        found = SharedRecord.objects.visible_to(user).filter(pk=pk).exists()
        assert found is row[key], (viewer, label)


def test_green_with_audience_networks_goes_to_those_networks_only():
    world = _world(
        (
            Record(0, OWNER_ORG, AUTHOR, GREEN, networks=frozenset({UNSCR})),
            Record(1, OWNER_ORG, AUTHOR, GREEN, networks=frozenset({CSIRT, UNSCR})),
        )
    )
    built = build(world)
    # CSIRTAmericas members no longer see the first record: it names another network.
    assert _seen(built, NETWORK_PEER) == {1}
    assert _seen(built, NETWORK_ROLE_HOLDER) == {1}
    assert _seen(built, UNSCR_PERSON) == {0, 1}
    # The owner organisation always sees its GREEN records.
    assert _seen(built, COLLEAGUE) == {0, 1}
    assert _seen(built, OUTSIDER) == set()
    assert _seen(built, ADMIN) == set()
    for person in world.people:
        assert _seen(built, person.key) == oracle.visible(world, person)


def test_audience_organisations_see_green_and_amber_not_red():
    audience = frozenset({AUDIENCE_ORG})
    world = _world(
        tuple(
            Record(i, OWNER_ORG, AUTHOR, label, orgs=audience, networks=frozenset({UNSCR}))
            for i, label in enumerate(LABELS)
        )
    )
    built = build(world)
    assert _seen(built, AUDIENCE_PERSON) == {0, 1, 2, 3}
    assert _seen(built, COLLEAGUE) == {0, 1, 2, 3}
    assert _seen(built, RECIPIENT) == {0}  # not named in these records
    assert _seen(built, AUTHOR) == {0, 1, 2, 3, 4}


def test_inactive_accounts_see_clear_only():
    people = tuple(
        Person(p.key, p.org, active=False, network_roles=p.network_roles)
        if p.key in (AUTHOR, RECIPIENT, NETWORK_PEER)
        else p
        for p in PEOPLE
    )
    world = _world(MATRIX_WORLD.records, people)
    built = build(world)
    for key in (AUTHOR, RECIPIENT, NETWORK_PEER):
        assert _seen(built, key) == {0}
    assert _seen(built, COLLEAGUE) == {0, 1, 2, 3}


def test_a_named_person_without_an_organisation_sees_what_names_them():
    people = (*PEOPLE, Person(99, None))
    world = _world(
        (
            Record(0, OWNER_ORG, AUTHOR, RED, users=frozenset({99})),
            Record(1, OWNER_ORG, AUTHOR, AMBER_STRICT, users=frozenset({99})),
            Record(2, OWNER_ORG, AUTHOR, AMBER),
            Record(3, OWNER_ORG, AUTHOR, GREEN),
        ),
        people,
    )
    built = build(world)
    assert _seen(built, 99) == {0, 1}


def test_no_duplicates_and_exact_counts_when_every_path_applies():
    """A person who is the author, named, in the owner and audience organisations and in several
    audience networks sees each record once; counts agree with the rows."""
    everything = Person(
        AUTHOR, OWNER_ORG, network_roles=frozenset({("member", CSIRT), ("observer", UNSCR)})
    )
    people = (everything, *PEOPLE[1:])
    world = _world(
        tuple(
            Record(
                i,
                OWNER_ORG,
                AUTHOR,
                label,
                networks=frozenset({CSIRT, UNSCR}),
                orgs=frozenset({OWNER_ORG, AUDIENCE_ORG}),
                users=frozenset({AUTHOR, RECIPIENT}),
            )
            for i, label in enumerate(LABELS)
        ),
        people,
    )
    built = build(world)
    user = built.viewer(AUTHOR)
    queryset = SharedRecord.objects.visible_to(user)
    rows = list(queryset)
    assert len(rows) == 5
    assert len({r.pk for r in rows}) == 5
    assert queryset.count() == len(rows) == 5
    assert "DISTINCT" not in str(queryset.query).upper()
    for viewer in (RECIPIENT, COLLEAGUE, AUDIENCE_PERSON, NETWORK_PEER, UNSCR_PERSON):
        queryset = SharedRecord.objects.visible_to(built.viewer(viewer))
        pks = list(queryset.values_list("pk", flat=True))
        assert len(pks) == len(set(pks)) == queryset.count(), viewer


def test_leaving_the_platform_never_includes_red():
    built = build(MATRIX_WORLD)
    user = built.viewer(AUTHOR)
    leaving = SharedRecord.objects.visible_to(user).leaving_platform()
    assert built.record_keys(leaving.values_list("pk", flat=True)) == {0, 1, 2, 3}
    assert built.record_keys(
        SharedRecord.objects.leaving_platform().values_list("pk", flat=True)
    ) == oracle.leaving_platform(MATRIX_WORLD)


def test_the_rule_is_read_once_per_user_and_runs_as_one_query():
    built = build(MATRIX_WORLD)
    user = built.viewer(NETWORK_PEER)
    list(SharedRecord.objects.visible_to(user))
    with CaptureQueriesContext(connection) as queries:
        assert len(list(SharedRecord.objects.visible_to(user))) == 2
    assert len(queries) == 1


def test_a_new_role_counts_from_the_next_request():
    """What the rule caches lives on the user object of one request, not across requests."""
    built = build(MATRIX_WORLD)
    user = built.viewer(OUTSIDER)
    assert built.record_keys(
        SharedRecord.objects.visible_to(user).values_list("pk", flat=True)
    ) == {0}
    factories.grant(User.objects.get(pk=user.pk), "member", network_slug="csirtamericas")
    assert _seen(built, OUTSIDER) == {0, 1}
