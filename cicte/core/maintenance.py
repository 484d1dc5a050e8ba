"""Database upkeep that Django leaves to the operator.

SQLite keeps no statistics of its own: without ``ANALYZE`` its query planner guesses, and with
50,000 contacts it guesses badly for the directory's searches (a member's search by
organisation: 90 ms with guesses, 25 ms with statistics; see docs/benchmarks.md). PostgreSQL's
autovacuum analyses tables by itself; running ``ANALYZE`` there too is harmless and brings
statistics up to date right after a bulk import.
"""

from __future__ import annotations

from django.db import connection


def refresh_statistics() -> None:
    """Gather the query planner's statistics (``ANALYZE``) on the default database."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
