"""Batch screening shared out to other processes: the screening pool (fork server, safe in the
task queue's threaded worker) and ``screen_many(workers=)`` (fork, for single-threaded
processes) give exactly the hits of screening in this process, with their entities."""

from __future__ import annotations

import os
import pickle
from multiprocessing import forkserver

import pytest

from cicte.sanctions.matching import Hit, Matcher, Query, ScreeningPool
from cicte.sanctions.matching.engine import _CHUNK
from cicte.sanctions.matching.tests.test_matching import LIST

NAMES = [
    "Jose de la Cruz Perez Garcia",
    "Muhammad bin Abdul Rahman",
    "Osama Bin Ladin",
    "Wladimir Putin",
    "Maria Gonzalez",
    "Inversiones Andinas S.A.",
    "Ana Lucia Torres",  # no one
    "National Bank of Cuba",
]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher({"un": LIST[:4], "ofac": LIST[4:]})


def _seen(hits: list[list[Hit]]) -> list[list[tuple]]:
    return [
        [(h.list_id, h.entity.id, round(h.score, 6), h.matched_name, h.explanation()) for h in row]
        for row in hits
    ]


def _queries(count: int) -> list[Query]:
    return [Query(name=NAMES[i % len(NAMES)]) for i in range(count)]


def test_the_pool_gives_the_hits_of_this_process_in_order(matcher: Matcher) -> None:
    queries = _queries(2 * _CHUNK + 7)  # three parts, the last short
    here = [matcher.screen(q, threshold=0.7, limit=3) for q in queries]
    assert sum(map(len, here)) > len(queries) // 2  # most names are someone
    with ScreeningPool(matcher, 2) as pool:
        first = pool.submit(queries, threshold=0.7, limit=3)
        second = pool.submit(queries[:5], threshold=0.99, limit=1)  # both in flight
        shared, few = first(), second()
    assert _seen(shared) == _seen(here)
    assert _seen(few) == _seen([matcher.screen(q, threshold=0.99, limit=1) for q in queries[:5]])
    # the parent's own entity objects are put back
    assert shared[0][0].entity is matcher.entries[shared[0][0].entry].entity


def test_forked_workers_give_the_same_hits(matcher: Matcher) -> None:
    queries = _queries(2 * _CHUNK)
    alone = matcher.screen_many(queries, threshold=0.7, limit=3)
    assert _seen(matcher.screen_many(queries, threshold=0.7, limit=3, workers=2)) == _seen(alone)


def test_a_failing_query_stops_the_pool_with_its_error(matcher: Matcher) -> None:
    with pytest.raises(Exception, match="name"), ScreeningPool(matcher, 2) as pool:
        pool.submit([Query(name="Osama bin Ladin"), Query(name="")])()


def test_the_snapshot_is_made_once_without_the_caches(matcher: Matcher) -> None:
    matcher.screen(Query(name="Osama bin Ladin"))
    assert matcher._hit_cache
    snapshot = matcher.snapshot()
    assert matcher.snapshot() is snapshot
    copy = pickle.loads(snapshot)  # noqa: S301 - made just above
    assert copy._hit_cache == {} and copy._snapshot is None and copy.pairs_scored == 0
    assert len(copy.entries) == len(matcher.entries) and copy.names == matcher.names


def test_the_fork_server_starts_ahead_of_the_first_pool(matcher: Matcher) -> None:
    ScreeningPool.start_server()
    pid = forkserver._forkserver._forkserver_pid
    assert pid is not None
    os.kill(pid, 0)  # alive
    ScreeningPool.start_server()  # already running: the same server
    assert forkserver._forkserver._forkserver_pid == pid
    with ScreeningPool(matcher, 1) as pool:
        assert _seen(pool.submit([Query(name="Osama bin Ladin")])()) == _seen(
            [matcher.screen(Query(name="Osama bin Ladin"))]
        )
    assert forkserver._forkserver._forkserver_pid == pid
