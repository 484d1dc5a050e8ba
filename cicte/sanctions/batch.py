"""The batch screening file, read and checked once for every reader: the ``screen`` command and
the batch screening jobs of :mod:`cicte.screening` (on the worker).

INPUT (UTF-8, RFC 4180): a header with ``id`` and ``name`` and optionally ``birth_date`` (YYYY,
YYYY-MM or YYYY-MM-DD), ``nationality`` (ISO 3166-1 alpha-2 or a country name) and ``kind``
(person or organization); other columns are ignored; blank lines are skipped. Every row is
checked (field count, an id present and unique, the query valid for the engine); a bad row is
reported as ``line N: reason`` (N: the physical line where the record starts).

OUTPUT: a header and one row per hit, :data:`COLUMNS`: ``id,score,list,list_entity_id,
matched_name,explanation`` (score between 0 and 1, three decimals; list ``un``, ``ofac`` or a
domestic list's ISO code; list_entity_id the list's own identifier; explanation
:meth:`Hit.summary`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from cicte.sanctions.matching import Hit, Query, QueryError

COLUMNS = ("id", "score", "list", "list_entity_id", "matched_name", "explanation")
OPTIONAL = ("birth_date", "nationality", "kind")
# Hits kept per input row at most (the best ones).
MAX_HITS_PER_ROW = 10


class InputErrors(Exception):
    """Every invalid row of an input file, as ``line N: reason`` lines."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


@dataclass(frozen=True, slots=True)
class Row:
    """A valid input row: where it starts, the customer record's id, and its query (validated)."""

    line: int
    record_id: str
    query: Query


@dataclass(frozen=True, slots=True)
class RowError:
    """An invalid input row."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


def open_input(path: Path) -> TextIO:
    """The file as the reader wants it (UTF-8, a byte order mark allowed, newlines kept)."""
    return path.open(encoding="utf-8-sig", newline="")


def parse(handle: TextIO) -> Iterator[Row | RowError]:
    """Each row of INPUT in order: a :class:`Row`, or a :class:`RowError` saying what is wrong.
    A header that cannot be used, or text that is not CSV or not UTF-8, ends the file with one
    last error (nothing after it can be trusted)."""
    reader = csv.reader(handle, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        yield RowError(1, "the file is empty: a header id,name is needed")
        return
    except (csv.Error, UnicodeDecodeError) as exc:
        yield RowError(1, str(exc))
        return
    names = [column.strip().lower() for column in header]
    missing = [column for column in ("id", "name") if column not in names]
    if missing:
        yield RowError(1, f"the header lacks {', '.join(missing)}")
        return
    doubled = sorted({column for column in names if column and names.count(column) > 1})
    if doubled:
        yield RowError(1, f"the header repeats {', '.join(doubled)}")
        return
    index = {column: names.index(column) for column in ("id", "name", *OPTIONAL) if column in names}
    seen: dict[str, int] = {}
    line = reader.line_num
    while True:
        start = line + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as exc:
            yield RowError(start, str(exc))
            return
        line = reader.line_num
        if not any(field.strip() for field in row):
            continue
        if len(row) != len(names):
            yield RowError(start, f"{len(row)} fields where the header has {len(names)}")
            continue
        values = {column: row[i].strip() for column, i in index.items()}
        record_id = values["id"]
        if not record_id:
            yield RowError(start, "id is empty")
            continue
        if record_id in seen:
            yield RowError(start, f"id {record_id} is already on line {seen[record_id]}")
            continue
        seen[record_id] = start
        query = Query(
            name=values["name"],
            birth_date=values.get("birth_date") or None,
            nationality=values.get("nationality") or None,
            kind=values.get("kind") or None,
        )
        try:
            query = query.validated()
        except QueryError as exc:
            yield RowError(start, str(exc))
            continue
        yield Row(start, record_id, query)


def read_input(path: Path) -> tuple[list[str], list[Query]]:
    """The ids and queries of INPUT, or :class:`InputErrors` naming every bad row."""
    errors: list[str] = []
    ids: list[str] = []
    queries: list[Query] = []
    with open_input(path) as handle:
        for item in parse(handle):
            if isinstance(item, RowError):
                errors.append(str(item))
            else:
                ids.append(item.record_id)
                queries.append(item.query)
    if errors:
        raise InputErrors(errors)
    return ids, queries


def output_row(record_id: str, hit: Hit, list_entity_id: str) -> list[str]:
    """One OUTPUT row of a hit (:data:`COLUMNS`)."""
    return [
        record_id,
        f"{hit.score:.3f}",
        hit.list_id,
        list_entity_id,
        hit.matched_name,
        hit.summary(),
    ]
