"""Parsers of official sanctions lists into FollowTheMoney entities (no Django imports).

Each parser returns a :class:`ParsedList`:

- ``entities``: the listed people, organisations, vessels and aircraft (FtM ``Person``,
  ``Organization``, ``LegalEntity``, ``Vessel``, ``Airplane``), with their names, aliases
  (``alias``; low-quality ones in ``weakAlias``; former names in ``previousName``), name parts,
  dates and places of birth, nationalities, document numbers, addresses as text, notes and
  ``topics: ["sanction"]``. Names in their original script are kept as ``alias`` values.
- ``related_of(entity)``: the entities that hang on one listed entity: its ``Sanction`` (authority,
  program, listing date, reason, provisions, source URL), its ``Identification``/``Passport``
  documents and its ``Address`` entities. ``sanctions``/``documents``/``addresses`` hold them all.
- ``source_id_of(entity)``: the list's own identifier (the UN REFERENCE_NUMBER such as
  ``QDi.001``, the OFAC ent_num).
- ``list_key`` (``"un"``, ``"ofac"``) and ``published_at`` (the file's own date, if it has one).

Entity ids are deterministic (``un-qdi-001``, ``ofac-306``, related ones derived from them), so
that two versions of a list compare by id.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from followthemoney import EntityProxy, model

__all__ = ["ListFormatError", "ParsedList", "related_id", "slug_id"]


class ListFormatError(ValueError):
    """The file is not a readable list of this kind; the message says where and why."""


def slug_id(prefix: str, source_id: str) -> str:
    """A stable FtM id for a list's own identifier: ``slug_id("un", "QDi.001") == "un-qdi-001"``."""
    slug = re.sub(r"[^a-z0-9]+", "-", source_id.strip().lower()).strip("-")
    return f"{prefix}-{slug}"


def related_id(owner_id: str, kind: str, *parts: str | None) -> str:
    """A stable id for an entity hanging on ``owner_id`` (its sanction, a document, an address)."""
    if not parts:
        return f"{owner_id}-{kind}"
    digest = hashlib.sha1("\x1f".join(p or "" for p in parts).encode(), usedforsecurity=False)
    return f"{owner_id}-{kind}-{digest.hexdigest()[:12]}"


@dataclass
class ParsedList:
    """The content of one list file, as FollowTheMoney entities."""

    list_key: str
    entities: list[EntityProxy] = field(default_factory=list)
    sanctions: list[EntityProxy] = field(default_factory=list)
    documents: list[EntityProxy] = field(default_factory=list)
    addresses: list[EntityProxy] = field(default_factory=list)
    published_at: datetime | None = None
    source_ids: dict[str, str] = field(default_factory=dict)
    _related: dict[str, list[EntityProxy]] = field(default_factory=dict, repr=False)

    def add(self, entity: EntityProxy, source_id: str) -> None:
        """Add a listed entity with the list's own identifier for it."""
        if entity.id in self.source_ids:
            raise ListFormatError(f"identifier {source_id!r} appears twice in the list")
        assert entity.id is not None
        self.entities.append(entity)
        self.source_ids[entity.id] = source_id
        self._related.setdefault(entity.id, [])

    def add_related(self, owner: EntityProxy, related: EntityProxy) -> None:
        """Attach a Sanction, Identification/Passport or Address entity to a listed entity."""
        assert owner.id is not None
        bucket = self._related.setdefault(owner.id, [])
        if any(r.id == related.id for r in bucket):
            return  # the same document or address given twice: FtM keeps it once
        bucket.append(related)
        if related.schema.is_a("Sanction"):
            self.sanctions.append(related)
        elif related.schema.is_a("Identification"):
            self.documents.append(related)
        elif related.schema.is_a("Address"):
            self.addresses.append(related)

    def add_address(
        self,
        owner: EntityProxy,
        *,
        full: str,
        street: str = "",
        city: str = "",
        state: str = "",
        postal_code: str = "",
        country: str = "",
        remarks: str = "",
    ) -> EntityProxy:
        """An FtM ``Address`` of a listed entity (the UN and OFAC parsers', the domestic lists'
        publication): its parts, its id derived from the owner's and the full address, and on
        the owner the ``address`` text, the ``addressEntity`` link and the ``country``."""
        assert owner.id is not None
        address = model.make_entity("Address")
        address.id = related_id(owner.id, "address", full)
        address.add("full", full)
        address.add("street", street)
        address.add("city", city)
        address.add("state", state)
        address.add("postalCode", postal_code)
        address.add("country", country, quiet=True)
        address.add("remarks", remarks)
        owner.add("address", full)
        owner.add("addressEntity", address.id)
        owner.add("country", country, quiet=True)
        self.add_related(owner, address)
        return address

    def source_id_of(self, entity: EntityProxy) -> str:
        """The list's own identifier of a listed entity (UN reference number, OFAC ent_num)."""
        assert entity.id is not None
        return self.source_ids[entity.id]

    def related_of(self, entity: EntityProxy) -> list[EntityProxy]:
        """The Sanction, documents and addresses of a listed entity."""
        assert entity.id is not None
        return list(self._related.get(entity.id, []))

    def all_entities(self) -> Iterator[EntityProxy]:
        """Every entity: each listed one followed by its related ones."""
        for entity in self.entities:
            yield entity
            yield from self.related_of(entity)

    def get(self, source_id: str) -> EntityProxy | None:
        """The listed entity with this list identifier, if any."""
        for entity in self.entities:
            if self.source_ids.get(entity.id or "") == source_id:
                return entity
        return None
