"""Checks of contact details, with maintained libraries: phone numbers with ``phonenumbers``
(Google's libphonenumber), OpenPGP keys with ``pysequoia`` (Sequoia-PGP)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import phonenumbers
import pysequoia
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def normalize_phone(number: str, region: str | None = None) -> str:
    """The number in E.164 (+5411...), or a ValidationError saying what is wrong. ``region`` is
    the ISO code of the contact's state, for numbers written without the country code."""
    raw = (number or "").strip()
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _(
                "{number} is not a phone number: write it with its country code, e.g. +54 11 4000 0000."
            ).format(number=raw)
        ) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            _(
                "{number} is not a valid number for its country: check the digits and the country code."
            ).format(number=raw)
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """The number written the international way (+54 11 4000-0000)."""
    try:
        return phonenumbers.format_number(
            phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
    except phonenumbers.NumberParseException:
        return e164


@dataclass(frozen=True)
class PGPKey:
    armored: str
    fingerprint: str
    expires_at: dt.datetime | None
    user_ids: list[str]


def parse_pgp_key(text: str) -> PGPKey:
    """Parse an OpenPGP public key; refuse a private key, an invalid, revoked or expired one with a
    message that says so."""
    text = (text or "").strip()
    try:
        cert = pysequoia.Cert.from_bytes(text.encode())
    except Exception as exc:
        raise ValidationError(
            _(
                "This is not a valid OpenPGP public key: paste the whole ASCII-armoured block "
                "(-----BEGIN PGP PUBLIC KEY BLOCK----- ...)."
            )
        ) from exc
    if cert.has_secret_keys:
        raise ValidationError(
            _("This is a private key. Never share it: paste the public key instead.")
        )
    if cert.is_revoked:
        raise ValidationError(
            _("This OpenPGP key has been revoked: ask the contact for their current key.")
        )
    expires_at = cert.expiration
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError(
            _("This OpenPGP key expired on {date}: ask the contact for a renewed key.").format(
                date=expires_at.date().isoformat()
            )
        )
    return PGPKey(
        armored=str(cert),
        fingerprint=cert.fingerprint.upper(),
        expires_at=expires_at,
        user_ids=[str(uid) for uid in cert.user_ids],
    )
