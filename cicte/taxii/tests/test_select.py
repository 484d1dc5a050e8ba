"""query.select (the fast path of match[version]=first/last) returns exactly what
query.page(query.apply(...)) returns: for every user, filter and page size, including objects
whose later or earlier versions some readers may not see."""

from __future__ import annotations

import pytest

from cicte.core.choices import TLP, TLP2_MARKING_IDS
from cicte.intel.models import StixObject
from cicte.intel.tests import factories as f
from cicte.taxii import query

pytestmark = pytest.mark.django_db

RED = [TLP2_MARKING_IDS[TLP.RED]]


def walk(user, target, versions, limit, fast):
    """Every page of the collection for ``user``, as lists of pks."""
    pages, after = [], None
    while True:
        filters = query.Filters(limit=limit, versions=versions, after=after)
        queryset = StixObject.objects.readable_in(user, target)
        if fast:
            page = query.select(queryset, filters, user, "stix_id")
        else:
            page = query.page(query.apply(queryset, filters, user), filters, "stix_id")
        pages.append([row[0] for row in page.rows])
        if not page.more:
            return pages
        after = (page.rows[-1][1], page.rows[-1][0])


def test_select_is_page_of_apply(world):
    target = world["collection"]
    plain = [f.indicator(f"192.0.2.{n}") for n in range(4)]
    one = f.indicator("198.51.100.1", modified="2026-11-21T08:30:00.000Z")
    two = dict(one, modified="2026-11-22T08:30:00.000Z")
    # A later RED version, and an earlier RED one of another object: only their author sees them.
    hidden_later = dict(one, modified="2026-11-23T08:30:00.000Z", object_marking_refs=RED)
    other = f.indicator("198.51.100.2", modified="2026-11-22T08:30:00.000Z")
    hidden_earlier = dict(other, modified="2026-11-20T13:00:00.000Z", object_marking_refs=RED)
    amber = f.indicator("198.51.100.3", label=TLP.AMBER)
    f.post(world["co"], target, [*plain[:2], one, other])
    f.post(world["co"], target, [two, amber])
    f.post(world["co"], target, [hidden_later, plain[2]])
    f.post(world["co"], target, [hidden_earlier, plain[3]])
    users = [world["co"], world["co2"], world["mx"], world["outsider"]]
    for user in users:
        for versions in (["last"], ["first"], ["all"], ["first", "last"]):
            for limit in (1, 2, 3, 100):
                expected = walk(user, target, versions, limit, fast=False)
                assert walk(user, target, versions, limit, fast=True) == expected, (
                    user,
                    versions,
                    limit,
                )
    # The fast path and the exact one both serve the visible last and first versions.
    ids = dict(StixObject.objects.filter(collection=target).values_list("pk", "version"))
    [mx_last] = walk(world["mx"], target, ["last"], 100, fast=True)
    assert two["modified"] in {ids[pk] for pk in mx_last}
    assert hidden_later["modified"] not in {ids[pk] for pk in mx_last}
    [mx_first] = walk(world["mx"], target, ["first"], 100, fast=True)
    assert other["modified"] in {ids[pk] for pk in mx_first}
    [co_first] = walk(world["co"], target, ["first"], 100, fast=True)
    assert hidden_earlier["modified"] in {ids[pk] for pk in co_first}
