"""A plain-Python statement of who may see a shared record: the policy oracle that the property
tests hold ``Shareable.objects.visible_to`` against.

It knows nothing of Django, the ORM or :mod:`cicte.core.sharing`; it is written from the TLP 2.0
table of ENGINEERING.md (section 2) and docs/sharing.md, as plainly as the rule can be said:

- CLEAR: everyone, signed in or not;
- GREEN: the members of the audience networks (when the record names none: the networks its owner
  organisation belongs to), and the people of the owner and audience organisations;
- AMBER and AMBER+STRICT: the people of the owner and audience organisations;
- RED: nobody but the author and the named people;
- at every label: the author and the named people;
- an inactive account, like an anonymous visitor, sees CLEAR only;
- a person belongs to a network when they hold a role in it, or when their organisation is a
  member of it. No other role (Secretariat administrator, organisation administrator) widens
  what a person sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CLEAR = "clear"
GREEN = "green"
AMBER = "amber"
AMBER_STRICT = "amber+strict"
RED = "red"
LABELS = (CLEAR, GREEN, AMBER, AMBER_STRICT, RED)


@dataclass(frozen=True)
class Org:
    key: int
    state: str | None  # ISO 3166-1 alpha-2, or None for a partner without a state


@dataclass(frozen=True)
class Person:
    key: int
    org: int | None
    active: bool = True
    # (role slug, network key): roles held in a network (member, observer, national coordinator).
    network_roles: frozenset[tuple[str, int]] = frozenset()
    # Roles that carry no network: platform-wide (Secretariat administrator) or in an organisation.
    secretariat_admin: bool = False
    org_admin: bool = False


@dataclass(frozen=True)
class Record:
    key: int
    owner: int
    author: int
    tlp: str
    networks: frozenset[int] = frozenset()
    orgs: frozenset[int] = frozenset()
    users: frozenset[int] = frozenset()


@dataclass(frozen=True)
class World:
    """Keys of networks index ``networks`` (seeded network slugs)."""

    networks: tuple[str, ...]
    orgs: tuple[Org, ...]
    # (organisation key, network key, role slug): an organisation's membership of a network.
    memberships: frozenset[tuple[int, int, str]] = frozenset()
    people: tuple[Person, ...] = ()
    records: tuple[Record, ...] = field(default=())

    def person(self, key: int) -> Person:
        return next(p for p in self.people if p.key == key)


def networks_of_org(world: World, org: int | None) -> set[int]:
    if org is None:
        return set()
    return {network for (member, network, _role) in world.memberships if member == org}


def networks_of_person(world: World, person: Person) -> set[int]:
    held = {network for (_role, network) in person.network_roles}
    return held | networks_of_org(world, person.org)


def may_see(world: World, person: Person | None, record: Record) -> bool:
    """Whether ``person`` (None: an anonymous visitor) may see ``record``."""
    if record.tlp == CLEAR:
        return True
    if person is None or not person.active:
        return False
    if person.key == record.author or person.key in record.users:
        return True
    if record.tlp == RED:
        return False
    in_organisations = person.org is not None and (
        person.org == record.owner or person.org in record.orgs
    )
    if record.tlp in (AMBER, AMBER_STRICT):
        return in_organisations
    assert record.tlp == GREEN, record.tlp
    if in_organisations:
        return True
    audience = set(record.networks) or networks_of_org(world, record.owner)
    return bool(audience & networks_of_person(world, person))


def visible(world: World, person: Person | None) -> set[int]:
    """The keys of the records ``person`` may see."""
    return {record.key for record in world.records if may_see(world, person, record)}


def leaving_platform(world: World) -> set[int]:
    """Records that may go into bulk feeds, sync and exports at all: never RED."""
    return {record.key for record in world.records if record.tlp != RED}
