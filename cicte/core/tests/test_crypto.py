import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from cicte.accounts.models import TOTPDevice
from cicte.accounts.tests import factories
from cicte.core import crypto


def _stored_key(device):
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_totpdevice WHERE id = %s", [device.pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_key_rotation_reencrypts_stored_secrets():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    try:
        with override_settings(FIELD_ENCRYPTION_KEYS=[old]):
            crypto.fernet.cache_clear()
            device = factories.add_totp(factories.UserFactory())
            secret = device.key
            assert Fernet(old.encode()).decrypt(_stored_key(device).encode()).decode() == secret
        with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
            crypto.fernet.cache_clear()
            call_command("reencrypt_secrets", verbosity=0)
            assert Fernet(new.encode()).decrypt(_stored_key(device).encode()).decode() == secret
        with override_settings(FIELD_ENCRYPTION_KEYS=[new]):
            crypto.fernet.cache_clear()
            assert TOTPDevice.objects.get(pk=device.pk).key == secret
    finally:
        crypto.fernet.cache_clear()
