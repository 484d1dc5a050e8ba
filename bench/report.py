"""Figures and how they are shown: percentiles, a plain-text table for the terminal, and the
benchmark's own section of docs/benchmarks.md (each benchmark rewrites only its section)."""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEADER = """# Benchmarks

Each benchmark runs with `make bench` (all of them) or `make bench BENCH=<name>`, starts its own
throwaway PostgreSQL cluster and SQLite file, and rewrites its own section below with the
command, the machine and the figures. Benchmarks measure; they assert nothing, and they never run
in `make test`.
"""


def percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    """p50, p95 and p99 (linear interpolation between the closest ranks)."""
    cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98]}


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table for the terminal, columns padded, numbers right-aligned."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        out = []
        for cell, width in zip(cells, widths, strict=True):
            text = str(cell)
            numeric = bool(re.fullmatch(r"[\d.,]+\s*\S*", text))
            out.append(text.rjust(width) if numeric else text.ljust(width))
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    align = ["---:" if re.fullmatch(r"[\d.,]+\s*\S*", str(rows[0][i])) else "---"
             for i in range(len(header))] if rows else ["---"] * len(header)  # fmt: skip
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_section(name: str, body: str, path: Path = DOCS) -> Path:
    """Replace (or add) the section of benchmark ``name`` in docs/benchmarks.md, keeping the
    sections of the other benchmarks as they are."""
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    section = f"{start}\n{body.strip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section, text)
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
