"""``python manage.py screen INPUT.csv --lists un,ofac --output OUT.csv [--threshold T]``

Batch name screening against the current entries of the chosen lists.

INPUT.csv: UTF-8, RFC 4180, a header with ``id`` and ``name`` and optionally ``birth_date``
(YYYY, YYYY-MM or YYYY-MM-DD), ``nationality`` (ISO 3166-1 alpha-2 or a country name) and
``kind`` (person or organization); other columns are ignored.

OUT.csv: a header and one row per hit at or above the threshold:
``id,score,list,list_entity_id,matched_name,explanation`` (score between 0 and 1, three
decimals; list ``un``, ``ofac`` or a domestic list's ISO code; list_entity_id the list's own
identifier; explanation a one-line account). Rows come in input order, best hit first.

Every invalid input row is reported on stderr as ``line N: reason``; then the command exits 2
and writes no output file. The output is written to a temporary file beside it and renamed at
the end, so a failure never leaves half a file.
"""

from __future__ import annotations

import csv
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser

from cicte.sanctions.batch import COLUMNS, MAX_HITS_PER_ROW, InputErrors, output_row, read_input
from cicte.sanctions.matching import DEFAULT_THRESHOLD
from cicte.sanctions.screening import UnknownList, list_keys, screening_for

# The input's reading and checking, and the output's columns, are shared with the batch
# screening jobs (cicte.screening): cicte.sanctions.batch.


class Command(BaseCommand):
    help = "Screen the names of a CSV file against sanctions lists; write the hits as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", help="INPUT.csv with a header: id,name[,birth_date,...]")
        parser.add_argument("--lists", required=True, help="comma-separated keys: un,ofac,co...")
        parser.add_argument("--output", required=True, help="OUT.csv (written only on success)")
        parser.add_argument(
            "--threshold",
            type=float,
            default=DEFAULT_THRESHOLD,
            help=f"lowest score reported, between 0 and 1 (default {DEFAULT_THRESHOLD})",
        )
        parser.add_argument(
            "--workers", type=int, default=2, help="processes screening in parallel (2)"
        )

    def _fail(self, *lines: str) -> NoReturn:
        for line in lines:
            self.stderr.write(line)
        sys.exit(2)

    def handle(self, *args: Any, **options: Any) -> None:
        threshold = options["threshold"]
        if not 0 <= threshold <= 1:
            self._fail(f"--threshold must be between 0 and 1, not {threshold}")
        try:
            keys = list_keys(options["lists"])
        except UnknownList as exc:
            self._fail(f"--lists: {exc}")
        path = Path(options["input"])
        try:
            ids, queries = read_input(path)
        except InputErrors as exc:
            self._fail(*exc.lines)
        except OSError as exc:
            self._fail(f"{path}: {exc.strerror or exc}")
        screening = screening_for(keys)
        hits = screening.matcher.screen_many(
            queries,
            threshold=threshold,
            limit=MAX_HITS_PER_ROW,
            workers=max(1, options["workers"]),
        )
        output = Path(options["output"])
        count = write_output(output, ids, hits, screening.source_ids)
        self.stdout.write(
            f"{len(queries)} names screened against {', '.join(keys)}: {count} hits at or above "
            f"{threshold:.3f}, written to {output}"
        )


def write_output(
    output: Path, ids: list[str], hits: list[list[Any]], source_ids: dict[str, str]
) -> int:
    """Write OUT.csv through a temporary file renamed at the end; the number of hit rows."""
    output.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")
    count = 0
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(COLUMNS)
            for record_id, found in zip(ids, hits, strict=True):
                for hit in found:
                    writer.writerow(
                        output_row(record_id, hit, source_ids.get(hit.entity_id, hit.entity_id))
                    )
                    count += 1
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count
