"""Re-encrypt every secret stored in the database with the first FIELD_ENCRYPTION_KEY.

Key rotation: put the new key first in FIELD_ENCRYPTION_KEY, keep the old ones after it, run this
command, then drop the old keys.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from cicte.core.fields import EncryptedTextField


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the first key of FIELD_ENCRYPTION_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model in apps.get_models():
            fields = [f.name for f in model._meta.get_fields() if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            count = 0
            with transaction.atomic():
                for instance in (
                    model._default_manager.select_for_update().only("pk", *fields).iterator()
                ):
                    # Reading decrypts with any key; saving encrypts with the first.
                    instance.save(update_fields=fields)
                    count += 1
            self.stdout.write(f"{model._meta.label}: {count} re-encrypted")
            total += count
        self.stdout.write(self.style.SUCCESS(f"{total} records re-encrypted."))
