"""Property-based tests of the one visibility rule: over random worlds of organisations, networks,
people with roles and shared records, ``SharedRecord.objects.visible_to(user)`` returns exactly
what the plain-Python policy oracle (tests/shareables/oracle.py) says, for every person and for
anonymous visitors; on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cicte.accounts.models import Network
from cicte.core.choices import TLP
from tests.shareables import oracle
from tests.shareables.models import SharedRecord
from tests.shareables.worlds import build

pytestmark = pytest.mark.django_db

SEEDED_NETWORKS = (
    "inter-american-network-against-terrorism",
    "csirtamericas",
    "unscr-1540",
    "aviation-security",
    "major-events-tourism-security",
    "prevention-violent-extremism",
    "cargo-container-security",
    "maritime-port-security",
    "targeted-financial-sanctions",
)
STATES = ("AR", "BR", "CL", None)
NETWORK_ROLES = ("member", "observer", "national_coordinator")
ORG_MEMBERSHIP_ROLES = ("member", "observer")


@st.composite
def worlds(draw: st.DrawFn) -> oracle.World:
    # A few of the seeded networks, so that people and records meet in them often.
    networks = tuple(
        draw(st.lists(st.sampled_from(SEEDED_NETWORKS), min_size=1, max_size=3, unique=True))
    )
    network_keys = st.integers(0, len(networks) - 1)
    orgs = tuple(
        oracle.Org(key=i, state=draw(st.sampled_from(STATES)))
        for i in range(draw(st.integers(1, 4)))
    )
    org_keys = st.integers(0, len(orgs) - 1)
    memberships = draw(
        st.lists(
            st.tuples(org_keys, network_keys, st.sampled_from(ORG_MEMBERSHIP_ROLES)),
            max_size=6,
            unique_by=lambda m: (m[0], m[1]),
        )
    )
    people = []
    for i in range(draw(st.integers(1, 6))):
        org = draw(st.none() | org_keys)
        people.append(
            oracle.Person(
                key=i,
                org=org,
                active=draw(st.booleans()),
                network_roles=frozenset(
                    draw(
                        st.sets(st.tuples(st.sampled_from(NETWORK_ROLES), network_keys), max_size=3)
                    )
                ),
                secretariat_admin=draw(st.booleans()),
                org_admin=org is not None and draw(st.booleans()),
            )
        )
    person_keys = st.integers(0, len(people) - 1)
    records = tuple(
        oracle.Record(
            key=i,
            owner=draw(org_keys),
            author=draw(person_keys),
            tlp=draw(st.sampled_from(oracle.LABELS)),
            networks=frozenset(draw(st.sets(network_keys, max_size=2))),
            orgs=frozenset(draw(st.sets(org_keys, max_size=2))),
            users=frozenset(draw(st.sets(person_keys, max_size=2))),
        )
        for i in range(draw(st.integers(1, 8)))
    )
    return oracle.World(
        networks=networks,
        orgs=orgs,
        memberships=frozenset(memberships),
        people=tuple(people),
        records=records,
    )


def test_the_oracle_speaks_of_the_platforms_labels_and_networks():
    assert set(oracle.LABELS) == set(TLP.values)
    assert set(SEEDED_NETWORKS) == set(Network.objects.values_list("slug", flat=True))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
def test_visible_to_agrees_with_the_oracle(world: oracle.World) -> None:
    with transaction.atomic():
        built = build(world)
        for person in world.people:
            user = built.viewer(person.key)
            rows = list(SharedRecord.objects.visible_to(user).values_list("pk", flat=True))
            assert len(rows) == len(set(rows)), "duplicate rows"
            assert built.record_keys(rows) == oracle.visible(world, person), f"person {person.key}"
            assert SharedRecord.objects.visible_to(user).count() == len(rows)
        expected_anonymous = oracle.visible(world, None)
        for anonymous in (AnonymousUser(), None):
            rows = list(SharedRecord.objects.visible_to(anonymous).values_list("pk", flat=True))
            assert built.record_keys(rows) == expected_anonymous
        leaving = SharedRecord.objects.leaving_platform().values_list("pk", flat=True)
        assert built.record_keys(leaving) == oracle.leaving_platform(world)
        transaction.set_rollback(True)
