"""Encryption of secrets stored in the database (TOTP seeds, webhook secrets).

Fernet (AES-128-CBC with HMAC-SHA256, from the ``cryptography`` package) under the keys of
FIELD_ENCRYPTION_KEY; MultiFernet lets an operator rotate keys: the first key encrypts, every key
decrypts. Without a configured key one is derived from SECRET_KEY with HKDF, so a development
checkout works out of the box.
"""

from __future__ import annotations

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _derived_key() -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"cicte field encryption")
    return base64.urlsafe_b64encode(hkdf.derive(settings.SECRET_KEY.encode()))


@cache
def fernet() -> MultiFernet:
    # The key derived from SECRET_KEY always comes last, for decryption only once keys are
    # configured: secrets written before FIELD_ENCRYPTION_KEY was set still decrypt until
    # `manage.py reencrypt_secrets` has moved them to the configured key.
    keys = [*settings.FIELD_ENCRYPTION_KEYS, _derived_key().decode()]
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be one or more comma-separated Fernet keys "
            "(32 url-safe base64-encoded bytes; make one with "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`)."
        ) from exc


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted: FIELD_ENCRYPTION_KEY (or SECRET_KEY, when no "
            "FIELD_ENCRYPTION_KEY is set) is not the key it was encrypted with."
        ) from exc
