"""Test settings: the real settings, with a throwaway shareable model and fast hashing."""

import os

os.environ.setdefault("DEBUG", "true")

from cicte.settings import *  # noqa: F403
from cicte.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.shareables"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher"
]  # speed; Argon2 has its own test
HUEY = {"huey_class": "huey.MemoryHuey", "name": "cicte-test", "immediate": True}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Test databases are flushed between tests; production never sets this (see core migration 0002).
AUDIT_TRAIL_UNLOCKED = True
