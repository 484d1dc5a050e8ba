"""Model fields shared by every module."""

from __future__ import annotations

from typing import Any

from django.db import models

from cicte.core import crypto


class EncryptedTextField(models.TextField):
    """A text field stored encrypted with the platform's field-encryption keys.

    It cannot be searched or indexed: use it for secrets only.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)
