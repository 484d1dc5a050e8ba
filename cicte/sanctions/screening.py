"""The lists as the matching engine sees them: the current entries of the chosen lists, as
FollowTheMoney entities, in one :class:`~cicte.sanctions.matching.Matcher`, built once per
process and set of lists and rebuilt when any of them gains a version.

Used by the ``screen`` command (and later the screening pages, API and batch jobs).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from followthemoney import model

from cicte.sanctions.matching import Matcher
from cicte.sanctions.models import ListEntity, ListVersion, SanctionsList


class UnknownList(ValueError):
    """A list key that names no list of the platform."""


@dataclass(frozen=True)
class Screening:
    """A matcher over some lists, and each entity's list key and the list's own identifier."""

    matcher: Matcher
    source_ids: dict[str, str]  # FtM id -> the UN reference number, OFAC ent_num...


_LOCK = threading.Lock()
_CACHE: dict[tuple[str, ...], tuple[tuple[int, ...], Screening]] = {}


def list_keys(text: str) -> list[str]:
    """``un,ofac,co`` as keys, each checked against the platform's lists."""
    keys = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not keys:
        raise UnknownList("name at least one list, e.g. un,ofac")
    known = set(SanctionsList.objects.values_list("key", flat=True))
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise UnknownList(
            "unknown list {names}: the lists are {known}".format(
                names=", ".join(unknown), known=", ".join(sorted(known)) or "(none imported)"
            )
        )
    return sorted(set(keys))


def screening_for(keys: Sequence[str]) -> Screening:
    """The matcher over the current entries of the lists ``keys`` (cached per version)."""
    chosen = tuple(sorted(keys))
    stamp = tuple(
        ListVersion.objects.filter(sanctions_list__key__in=chosen)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    with _LOCK:
        cached = _CACHE.get(chosen)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        entities: dict[str, list[object]] = {key: [] for key in chosen}
        source_ids: dict[str, str] = {}
        rows = (
            ListEntity.objects.current()
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
