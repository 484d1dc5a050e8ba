"""The lists as the matching engine sees them: the current entries of the chosen lists, as
FollowTheMoney entities, in one :class:`~cicte.sanctions.matching.Matcher`, built once per
process and set of lists and rebuilt when any of them gains a version.

Used by the ``screen`` command, the batch screening jobs (:mod:`cicte.screening`), and
:func:`screen_name`: the one path of single-name screening, for ``POST /api/sanctions/screen/``
and the screening page.

What is screened is read through the lists' one read rule: ``visible_to(user)`` of the person
screening (the job's author for a batch job), or ``published()`` for the command line (``user``
None: the operator). Entries are visible exactly when their list is, so the matcher built for a
set of visible lists is the same for everyone who sees them, and is cached by the lists' keys.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from followthemoney import model

from cicte.core import audit
from cicte.sanctions.matching import Hit, Matcher, Query
from cicte.sanctions.models import (
    ListEntity,
    ListEntityQuerySet,
    ListVersion,
    SanctionsList,
    SanctionsListQuerySet,
)


class UnknownList(ValueError):
    """A list key that names no list of the platform."""


@dataclass(frozen=True)
class Screening:
    """A matcher over some lists, and each entity's list key and the list's own identifier."""

    matcher: Matcher
    source_ids: dict[str, str]  # FtM id -> the UN reference number, OFAC ent_num...


_LOCK = threading.Lock()
_CACHE: dict[tuple[str, ...], tuple[tuple[int, ...], Screening]] = {}


def readable_lists(user: Any = None) -> SanctionsListQuerySet:
    """The lists ``user`` may screen against (``visible_to``); the published ones for the
    command line (``user`` None)."""
    if user is None:
        return SanctionsList.objects.published()
    return SanctionsList.objects.visible_to(user)


def readable_entities(user: Any = None) -> ListEntityQuerySet:
    """The entries ``user`` may screen against; the published ones for the command line."""
    if user is None:
        return ListEntity.objects.published()
    return ListEntity.objects.visible_to(user)


def list_keys(text: str, *, user: Any = None) -> list[str]:
    """``un,ofac,co`` as keys, each checked against the lists ``user`` reads (the published
    ones for the command line)."""
    keys = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not keys:
        raise UnknownList("name at least one list, e.g. un,ofac")
    known = set(readable_lists(user).values_list("key", flat=True))
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise UnknownList(
            "unknown list {names}: the lists are {known}".format(
                names=", ".join(unknown), known=", ".join(sorted(known)) or "(none imported)"
            )
        )
    return sorted(set(keys))


def screening_for(keys: Sequence[str], *, user: Any = None) -> Screening:
    """The matcher over the current entries of the lists ``keys`` that ``user`` reads (the
    published ones for the command line, ``user`` None), cached per set of lists and versions."""
    visible = set(readable_lists(user).filter(key__in=keys).values_list("key", flat=True))
    chosen = tuple(sorted(key for key in set(keys) if key in visible))
    if user is None:
        versions = ListVersion.objects.filter(sanctions_list__in=readable_lists(None))
    else:
        versions = ListVersion.objects.visible_to(user)
    stamp = tuple(
        versions.filter(sanctions_list__key__in=chosen).order_by("pk").values_list("pk", flat=True)
    )
    with _LOCK:
        cached = _CACHE.get(chosen)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        entities: dict[str, list[object]] = {key: [] for key in chosen}
        source_ids: dict[str, str] = {}
        rows = (
            readable_entities(user)
            .current()
            .filter(sanctions_list__key__in=chosen)
            .values_list("sanctions_list__key", "ftm_id", "schema", "properties", "source_id")
            .order_by("pk")
        )
        for key, ftm_id, schema, properties, source_id in rows.iterator(chunk_size=2000):
            proxy = model.get_proxy({"id": ftm_id, "schema": schema, "properties": properties})
            entities[key].append(proxy)
            source_ids[ftm_id] = source_id
        screening = Screening(matcher=Matcher(entities), source_ids=source_ids)  # type: ignore[arg-type]
        _CACHE[chosen] = (stamp, screening)
        return screening


def resolve_lists(lists: Sequence[str] | None, *, user: Any = None) -> list[str]:
    """The keys ``lists`` checked against the lists ``user`` reads (:class:`UnknownList`), or
    every list they read when none is named."""
    if lists:
        return list_keys(",".join(lists), user=user)
    return sorted(readable_lists(user).values_list("key", flat=True))


def hit_data(hit: Hit, screening: Screening) -> dict[str, Any]:
    """A hit as the API answers it and the pages show it, with its explanation."""
    return {
        "list": hit.list_id,
        "list_entity_id": screening.source_ids.get(hit.entity_id, hit.entity_id),
        "entity_id": hit.entity_id,
        "caption": hit.entity.caption,
        "schema": hit.entity.schema.name,
        "score": round(hit.score, 3),
        "matched_name": hit.matched_name,
        "matched_property": hit.matched_property,
        "summary": hit.summary(),
        "explanation": hit.explanation(),
    }


@dataclass(frozen=True)
class NameScreening:
    """The outcome of one single-name screening: the hits raised, best first, and those left
    out because the customer record's hit was cleared earlier (see ``cleared``)."""

    lists: list[str]
    threshold: float
    hits: list[dict[str, Any]]
    cleared: list[dict[str, Any]] = field(default_factory=list)


def screen_name(
    *,
    actor: Any,
    query: Query,
    lists: Sequence[str] | None,
    threshold: float,
    limit: int,
    cleared: Callable[[list[dict[str, Any]]], set[int]] | None = None,
) -> NameScreening:
    """Screen one name (its birth date, nationality, kind, documents) against ``lists`` (all
    when none): the API's and the page's one path. :class:`UnknownList` or ``QueryError`` say
    what to fix. ``cleared`` (the screening app's decisions, for a customer record) names the
    indices of the hits cleared earlier, left out of ``hits``. Each screening is an audit event
    with the lists and the counts, never the name."""
    keys = resolve_lists(lists, user=actor)
    query = query.validated()
    screening = screening_for(keys, user=actor)
    found = [
        hit_data(hit, screening)
        for hit in screening.matcher.screen(query, threshold=threshold, limit=limit)
    ]
    left_out = cleared(found) if cleared is not None and found else set()
    changes: dict[str, Any] = {
        "lists": keys,
        "hits": len(found) - len(left_out),
        "threshold": threshold,
    }
    if cleared is not None:
        changes["cleared"] = len(left_out)
    audit.record(actor=actor, action="sanctions.screen", changes=changes)
    return NameScreening(
        lists=keys,
        threshold=threshold,
        hits=[hit for i, hit in enumerate(found) if i not in left_out],
        cleared=[hit for i, hit in enumerate(found) if i in left_out],
    )
