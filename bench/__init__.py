"""Benchmarks of the CICTE Platform: ``python -m bench [name ...]`` (``make bench BENCH=name``).

Each benchmark measures the real code path on SQLite and on a throwaway PostgreSQL cluster in
the same run, prints a table and records command, machine and figures in docs/benchmarks.md.
Benchmarks measure and assert nothing; they are not part of ``make test``.
"""
