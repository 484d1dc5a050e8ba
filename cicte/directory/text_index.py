"""SQLite's index for the directory's free-text search: the FTS5 trigram table
``directory_contact_text`` (migration 0003), one row per contact with its name, title and email
addresses, kept by triggers. On PostgreSQL, trigram indexes serve Django's ``icontains``
directly and this module answers ``None``."""

from __future__ import annotations

from django.db import connection

TABLE = "directory_contact_text"
_present: dict[str, bool] = {}


def _available() -> bool:
    """Whether this database has the table (SQLite built with FTS5), asked once per database."""
    if connection.vendor != "sqlite":
        return False
    name = str(connection.settings_dict["NAME"])
    if name not in _present:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [TABLE]
            )
            _present[name] = cursor.fetchone() is not None
    return _present[name]


def contact_ids(text: str, *, limit: int) -> list[int] | None:
    """Up to ``limit`` ids of the contacts whose name, title or an address contains ``text``
    (case-insensitive), or ``None`` when the index cannot answer: another database, or a text
    of fewer than three characters or with LIKE's wildcards (the trigram index needs three
    characters, and serves no ESCAPE clause)."""
    if len(text) < 3 or "%" in text or "_" in text or not _available():
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid FROM {TABLE} WHERE text LIKE %s LIMIT %s",  # noqa: S608
            [f"%{text}%", limit],
        )
        return [row[0] for row in cursor.fetchall()]
