"""System checks of the platform's own settings."""

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def field_encryption_key(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.FIELD_ENCRYPTION_KEYS:
        return []
    return [
        checks.Info(
            "FIELD_ENCRYPTION_KEY is not set: secrets stored in the database are encrypted with a "
            "key derived from SECRET_KEY, so SECRET_KEY must never change.",
            hint="Set FIELD_ENCRYPTION_KEY to a Fernet key to rotate SECRET_KEY independently.",
            id="cicte.I001",
        )
    ]
