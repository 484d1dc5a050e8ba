"""WSGI entry point (gunicorn cicte.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cicte.settings")
application = get_wsgi_application()

# What start-up loaded (Django, the apps, the URL configuration) lives as long as the worker:
# frozen out of the garbage collector's full passes, which otherwise walk it on every pass and
# add tens of milliseconds to some requests (docs/benchmarks.md, directory search).
gc.collect()
gc.freeze()
