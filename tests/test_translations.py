"""Every message of the UI is translated into Spanish; French and Portuguese catalogs exist.

The check extracts the messages afresh from the code (Django's makemessages, GNU gettext) into a
copy of the catalogs, so a string marked for translation but missing from the Spanish catalog
fails the suite.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "cicte" / "locale"


# makemessages writes temporary copies of the templates beside them: two runs at once (two
# xdist workers) would delete each other's, so runs take turns under a file lock.
LOCK = Path(settings.BASE_DIR) / "var" / "makemessages.lock"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    if not shutil.which("xgettext") or not shutil.which("msgmerge"):
        pytest.fail(
            "GNU gettext is needed to extract messages: apt-get install gettext (make test does)."
        )
    copy = tmp_path_factory.mktemp("catalogs") / "locale"
    shutil.copytree(LOCALE, copy)
    here = os.getcwd()
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    lock = LOCK.open("w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    os.chdir(settings.BASE_DIR)
    try:
        with override_settings(LOCALE_PATHS=[str(copy)]):
            call_command(
                "makemessages",
                locale=["es", "fr", "pt"],
                no_obsolete=True,
                # The real catalogs must not be found while walking the tree: makemessages would
                # write into them instead of into the copy.
                ignore_patterns=[
                    "node_modules/*",
                    "var/*",
                    "tests/*",
                    "bench/*",
                    "docs/*",
                    "cicte/locale/*",
                    "*.egg-info/*",
                ],
                verbosity=0,
            )
    finally:
        os.chdir(here)
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()
    return copy


def test_every_message_has_a_spanish_translation(extracted):
    catalog = polib.pofile(str(extracted / "es" / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in catalog if not entry.obsolete and not entry.translated()]
    assert len(catalog) > 200
    assert missing == [], f"{len(missing)} messages lack a Spanish translation: {missing[:20]}"


@pytest.mark.parametrize("language", ["fr", "pt"])
def test_french_and_portuguese_catalogs_cover_the_ui(extracted, language):
    catalog = polib.pofile(str(extracted / language / "LC_MESSAGES" / "django.po"))
    assert catalog.percent_translated() >= 90


@pytest.mark.parametrize(
    ("language", "expected"),
    [("es", "Iniciar sesión"), ("fr", "Se connecter"), ("pt", "Entrar"), ("en", "Sign in")],
)
def test_compiled_catalogs_are_used(language, expected):
    with translation.override(language):
        assert translation.gettext("Sign in") == expected
