"""What the MISP commands share: the acting account and the collection, by name and id."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from cicte.accounts.models import User
from cicte.intel.models import Collection


def actor_and_collection(username: str, collection_id: str) -> tuple[User, Collection]:
    try:
        actor = User.objects.get(username=username, is_active=True)
    except User.DoesNotExist as exc:
        raise CommandError(f"No active account has the username {username!r}.") from exc
    try:
        collection = Collection.objects.readable_by(actor).get(pk=collection_id)
    except (Collection.DoesNotExist, ValidationError, ValueError) as exc:
        # A collection the account may not read answers as an absent one.
        raise CommandError(f"{username} has no collection {collection_id!r}.") from exc
    return actor, collection
