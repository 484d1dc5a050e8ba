"""Settings of the TAXII benchmark's web server: the benchmark's settings (the platform's own,
DEBUG off) with a URL conf that adds one bench-only view (:mod:`bench.taxii.urls`)."""

from bench.settings import *  # noqa: F403

ROOT_URLCONF = "bench.taxii.urls"
