"""``python -m bench [name ...]``: run the named benchmarks (all by default).

A throwaway PostgreSQL cluster is started once for the whole run and deleted at the end; each
benchmark also uses its own throwaway SQLite file. Figures are printed and recorded in the
benchmark's section of docs/benchmarks.md (unless ``--no-docs``).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import shlex
import sys
import time
from collections.abc import Iterator
from types import ModuleType

from bench import postgres, report

# name -> module with add_arguments(parser), run(args, postgres_url, log), document(...)
BENCHMARKS = {
    "directory": "bench.directory",
    "taxii": "bench.taxii",
    "hunt": "bench.hunt",
    "sanctions": "bench.sanctions",
}


def _log(message: str) -> None:
    print(message, flush=True)


@contextlib.contextmanager
def _postgres(args: argparse.Namespace) -> Iterator[str | None]:
    if args.sqlite_only:
        yield None
        return
    with postgres.throwaway_cluster(log=_log) as url:
        yield url


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    modules: dict[str, ModuleType] = {
        name: importlib.import_module(path) for name, path in BENCHMARKS.items()
    }
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmarks of the CICTE Platform, on SQLite and on a throwaway PostgreSQL.",
    )
    parser.add_argument(
        "names",
        nargs="*",
        metavar="name",
        help=f"benchmarks to run (default: all): {', '.join(BENCHMARKS)}",
    )
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    parser.add_argument(
        "--sqlite-only", action="store_true", help="skip PostgreSQL (a quick local look)"
    )
    for module in modules.values():
        module.add_arguments(parser)
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    selected = args.names or list(BENCHMARKS)

    started = time.perf_counter()
    try:
        with _postgres(args) as postgres_url:
            for name in selected:
                module = modules[name]
                outcome = module.run(args, postgres_url, _log)
                if not args.no_docs:
                    command = "make bench BENCH=" + name
                    extra = [a for a in argv if a not in args.names]
                    if extra:
                        command = "python -m bench " + shlex.join([name, *extra])
                    path = report.write_section(name, module.document(args, outcome, command))
                    _log(f"\nRecorded in {path.relative_to(path.parents[1])}")
    except postgres.PostgresUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _log(f"\nBenchmarks done in {time.perf_counter() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
