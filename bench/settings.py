"""Settings of the benchmark's worker processes: the platform's own settings (PostgreSQL from
DATABASE_URL, otherwise the embedded SQLite file in CICTE_VAR_DIR, with its WAL pragmas), with
DEBUG off so that Django does not record every query it runs, as in production.

The worker's environment points CICTE_VAR_DIR at a throwaway directory: the SQLite file and the
development secret key are created there and deleted with it.
"""

import os

# Development defaults for the secret key and hosts; DEBUG itself is turned off below.
os.environ.setdefault("DEBUG", "true")

from cicte.settings import *  # noqa: F403

DEBUG = False
