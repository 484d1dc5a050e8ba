"""Indexes for the directory's free-text search (contact name, title and email addresses).

- PostgreSQL: trigram GIN indexes (pg_trgm, a trusted extension that a database owner may
  create) on the very expressions of Django's ``icontains`` (``UPPER(col::text)``), so that a
  ``LIKE '%text%'`` no longer scans every contact and address. Without GIN's "fast update"
  (``fastupdate = off``): new entries go straight into the index rather than into a pending
  list that every search scans until the next vacuum (contacts are written rarely).
- SQLite: an FTS5 table with the trigram tokenizer, ``directory_contact_text``, one row per
  contact (rowid = contact id) holding its name, title and addresses, kept by triggers; FTS5's
  trigram index serves ``LIKE '%text%'`` on it. Skipped when the SQLite library lacks FTS5 (the
  search then scans, as before).

See docs/benchmarks.md (directory search) for the figures.
"""

from django.db import migrations

PG_INDEXES = [
    ("directory_contact_name_trgm", "directory_contact", "name"),
    ("directory_contact_title_trgm", "directory_contact", "title"),
    ("directory_contactemail_address_trgm", "directory_contactemail", "address"),
]

FTS_TABLE = "directory_contact_text"
# The text of contact X: name, title and addresses, one per line.
_ROW = (
    "INSERT INTO directory_contact_text(rowid, text) "
    "SELECT c.id, c.name || char(10) || c.title || char(10) || COALESCE("
    "(SELECT group_concat(e.address, char(10)) FROM directory_contactemail e "
    "WHERE e.contact_id = c.id), '') FROM directory_contact c WHERE c.id = {id};"
)
_DELETE = "DELETE FROM directory_contact_text WHERE rowid = {id};"
SQLITE_TRIGGERS = {
    "directory_contact_text_ai": (
        "AFTER INSERT ON directory_contact",
        _DELETE.format(id="NEW.id") + _ROW.format(id="NEW.id"),
    ),
    "directory_contact_text_au": (
        "AFTER UPDATE OF name, title ON directory_contact",
        _DELETE.format(id="OLD.id") + _ROW.format(id="NEW.id"),
    ),
    "directory_contact_text_ad": (
        "AFTER DELETE ON directory_contact",
        _DELETE.format(id="OLD.id"),
    ),
    "directory_contact_text_eai": (
        "AFTER INSERT ON directory_contactemail",
        _DELETE.format(id="NEW.contact_id") + _ROW.format(id="NEW.contact_id"),
    ),
    "directory_contact_text_eau": (
        "AFTER UPDATE OF address, contact_id ON directory_contactemail",
        _DELETE.format(id="OLD.contact_id")
        + _ROW.format(id="OLD.contact_id")
        + _DELETE.format(id="NEW.contact_id")
        + _ROW.format(id="NEW.contact_id"),
    ),
    "directory_contact_text_ead": (
        "AFTER DELETE ON directory_contactemail",
        _DELETE.format(id="OLD.contact_id") + _ROW.format(id="OLD.contact_id"),
    ),
}


def _has_fts5(cursor) -> bool:
    cursor.execute("SELECT sqlite_compileoption_used('ENABLE_FTS5')")
    return bool(cursor.fetchone()[0])


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for name, table, column in PG_INDEXES:
                cursor.execute(
                    f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
                    f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops) WITH (fastupdate = off)'
                )
        elif connection.vendor == "sqlite" and _has_fts5(cursor):
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} "
                "USING fts5(text, tokenize='trigram')"
            )
            for name, (event, body) in SQLITE_TRIGGERS.items():
                cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {event} BEGIN {body} END")
            cursor.execute(f"DELETE FROM {FTS_TABLE}")
            cursor.execute(
                "INSERT INTO directory_contact_text(rowid, text) "
                "SELECT c.id, c.name || char(10) || c.title || char(10) || COALESCE("
                "(SELECT group_concat(e.address, char(10)) FROM directory_contactemail e "
                "WHERE e.contact_id = c.id), '') FROM directory_contact c"
            )


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name, _table, _column in PG_INDEXES:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        elif connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_roles_and_policies")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
