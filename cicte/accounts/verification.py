"""The signed links that prove an account holder receives mail at the account's address.

A link carries the account's id and a digest of the address it was sent to, signed with the
project's key and a timestamp (``django.core.signing``, salted for this use only). It verifies
while it is younger than ``ACCOUNTS_EMAIL_VERIFY_HOURS``, only for its account, and only while
the account's address is still the one it was sent to. The address itself is not in the link
(links end up in proxy and browser logs): only a digest that the server can compare.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare

SALT = "cicte.accounts.email-verification"


class LinkExpired(Exception):
    """The link's signature is good but it is older than the allowed hours."""


class LinkInvalid(Exception):
    """The link was changed, cut short or made with another key."""


@dataclass(frozen=True)
class VerificationClaim:
    """What a valid link says: the account and a digest of the address it was sent to."""

    user_id: int
    email_digest: str

    def matches(self, email: str) -> bool:
        """Whether ``email`` is still the address the link was sent to."""
        return constant_time_compare(self.email_digest, email_digest(email))


def email_digest(email: str) -> str:
    """A digest of the address, case-insensitive like every address comparison on the
    platform."""
    return hashlib.sha256((email or "").strip().casefold().encode()).hexdigest()[:32]


def max_age_seconds() -> int:
    return max(1, int(settings.ACCOUNTS_EMAIL_VERIFY_HOURS)) * 3600


def make_token(user_id: int, email: str) -> str:
    return signing.dumps({"u": user_id, "e": email_digest(email)}, salt=SALT)


def read_token(token: str) -> VerificationClaim:
    """The claim of a link, or :class:`LinkExpired` / :class:`LinkInvalid`."""
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age_seconds())
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except signing.BadSignature as exc:
        raise LinkInvalid from exc
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("u"), int)
        or not isinstance(data.get("e"), str)
    ):
        raise LinkInvalid
    return VerificationClaim(user_id=data["u"], email_digest=data["e"])


def verification_url(user_id: int, email: str) -> str:
    """The absolute address of the link, for an email."""
    return settings.BASE_URL + reverse(
        "accounts:email_verify", kwargs={"token": make_token(user_id, email)}
    )
