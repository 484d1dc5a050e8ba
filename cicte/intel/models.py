"""The STIX 2.1 store: collections, every version of every object, and the status of each
ingest (a TAXII status resource).

- A *collection* belongs to a network (its TAXII API root is the network's) or is a *sharing
  group* of named organisations; the roles that may read and write it are data.
- A *STIX object version* is one row: the object exactly as posted (its JSON text), with the
  columns that the filters of TAXII and of the UI need indexed. It is ``Shareable``: its TLP
  comes from its ``object_marking_refs`` (or the collection's default), its owner is the
  poster's organisation, its audience the collection's network or group; every read goes through
  ``visible_to`` *and* the collection's read right (:meth:`StixObjectQuerySet.readable_by`).
- ``date_added`` is unique and increasing within a collection (writes to a collection are
  serialised), so that TAXII's pagination by ``date_added`` sees every version exactly once.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cicte.core.choices import TLP
from cicte.core.sharing import Shareable, ShareableQuerySet
from cicte.intel.choices import IngestStatus


def _role_slugs_by_network(user: Any) -> tuple[dict[int, set[str]], set[str]]:
    """The user's role slugs per network, and all their role slugs (any scope)."""
    from cicte.accounts import permissions

    by_network: dict[int, set[str]] = {}
    every: set[str] = set()
    for grant in permissions.grants_for(user):
        every.add(grant.role)
        if grant.network_id is not None:
            by_network.setdefault(grant.network_id, set()).add(grant.role)
    return by_network, every


class CollectionQuerySet(models.QuerySet["Collection"]):
    def _with_right(self, user: Any, field: str) -> CollectionQuerySet:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        by_network, every = _role_slugs_by_network(user)
        through: Any = getattr(Collection, field).through

        def holds(roles: set[str]) -> Exists:
            return Exists(
                through.objects.filter(collection_id=OuterRef("pk"), role__slug__in=sorted(roles))
            )

        condition: Any = Q(pk__in=[])
        for network_id, roles in sorted(by_network.items()):
            condition |= Q(network_id=network_id) & holds(roles)
        if user.organization_id and every:
            members = Collection.organizations.through.objects.filter(
                collection_id=OuterRef("pk"), organization_id=user.organization_id
            )
            condition |= Q(network__isnull=True) & Exists(members) & holds(every)
        return self.filter(condition, is_active=True)

    def readable_by(self, user: Any) -> CollectionQuerySet:
        """Collections ``user`` may read: a network's, when one of their roles in that network
        may read it; a sharing group's, when their organisation is in the group and one of their
        roles may read it."""
        return self._with_right(user, "read_roles")

    def writable_by(self, user: Any) -> CollectionQuerySet:
        """Collections ``user`` may add objects to (same rule, with the write roles)."""
        return self._with_right(user, "write_roles")


class Collection(models.Model):
    """A TAXII collection of STIX objects."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(
        "accounts.Network",
        verbose_name=_("network"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="collections",
        help_text=_("Empty for a sharing group of named organisations."),
    )
    organizations = models.ManyToManyField(
        "accounts.Organization",
        verbose_name=_("sharing group"),
        blank=True,
        related_name="sharing_group_collections",
        help_text=_("The organisations of a sharing group (a collection without a network)."),
    )
    title = models.CharField(_("title"), max_length=200)
    alias = models.SlugField(_("alias"), max_length=80, blank=True)
    description = models.TextField(_("description"), blank=True)
    default_tlp = models.CharField(
        _("default TLP"),
        max_length=12,
        choices=TLP.choices,
        default=TLP.AMBER,
        help_text=_("The label of objects posted without a TLP marking."),
    )
    read_roles = models.ManyToManyField(
        "accounts.Role", verbose_name=_("roles that may read"), blank=True, related_name="+"
    )
    write_roles = models.ManyToManyField(
        "accounts.Role", verbose_name=_("roles that may write"), blank=True, related_name="+"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The last date_added given in this collection (writes lock this row; see services).
    last_date_added = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CollectionQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        permissions = [("manage_collections", "Can create and change collections")]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "alias"],
                condition=~Q(alias=""),
                name="intel_collection_alias_unique",
            )
        ]

    def __str__(self) -> str:
        return self.title

    # The rule of CollectionQuerySet._with_right for this one collection, decided in Python
    # from the user's cached grants: what a request that already holds the collection uses
    # instead of compiling the EXISTS sub-queries again (TAXII reads it on every request). The
    # tests check that both always agree.

    @classmethod
    def load_with_read_roles(
        cls, key: Any, build: Callable[[], models.QuerySet[Collection]]
    ) -> Collection | None:
        """The first collection of ``build()`` with the slugs of the roles that may read it, in
        one statement compiled once (:mod:`cicte.core.statements`, ``key`` naming the query):
        what a TAXII request needs before anything else."""
        from cicte.core import statements

        names = [field.attname for field in cls._meta.concrete_fields]
        rows = statements.rows(
            ("intel.collection.with_read_roles", key),
            lambda: build().order_by().values_list(*names, "read_roles__slug"),
        )
        if not rows:
            return None
        collection = cls.from_db(DEFAULT_DB_ALIAS, names, rows[0][:-1])
        slugs = {row[-1] for row in rows if row[0] == collection.pk and row[-1] is not None}
        collection.__dict__.setdefault("_role_slug_cache", {})["read_roles"] = slugs
        return collection

    def _role_slugs(self, field: str) -> set[str]:
        cache: dict[str, set[str]] = self.__dict__.setdefault("_role_slug_cache", {})
        if field not in cache:
            from cicte.core import statements

            through: Any = getattr(Collection, field).through
            rows = statements.rows(
                ("intel.collection.roles", field, self.pk),
                lambda: through.objects.filter(collection_id=self.pk).values_list("role__slug"),
            )
            cache[field] = {slug for (slug,) in rows}
        return cache[field]

    def _has_right(self, user: Any, field: str) -> bool:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        if not self.is_active:
            return False
        by_network, every = _role_slugs_by_network(user)
        if self.network_id is not None:
            roles = by_network.get(self.network_id)
            return bool(roles and roles & self._role_slugs(field))
        if not (user.organization_id and every and every & self._role_slugs(field)):
            return False
        members: dict[int, bool] = self.__dict__.setdefault("_member_cache", {})
        if user.organization_id not in members:
            members[user.organization_id] = Collection.organizations.through.objects.filter(
                collection_id=self.pk, organization_id=user.organization_id
            ).exists()
        return members[user.organization_id]

    def is_readable_by(self, user: Any) -> bool:
        """Whether ``user`` may read this collection: the same answer as
        ``Collection.objects.readable_by(user).filter(pk=self.pk).exists()``."""
        return self._has_right(user, "read_roles")

    def is_writable_by(self, user: Any) -> bool:
        """Whether ``user`` may add objects to it (as ``writable_by``)."""
        return self._has_right(user, "write_roles")


# The versions whose sharing organisation is not shown (see StixObject.reporter_hidden).
REPORTER_HIDDEN = Q(type="sighting", created_by_ref="")


class StixObjectQuerySet(ShareableQuerySet):
    def readable_by(self, user: Any) -> StixObjectQuerySet:
        """The versions ``user`` may see: TLP (``visible_to``) *and* the collection's read
        right. Every read of STIX objects (UI, REST API, TAXII) starts here."""
        collections = Collection.objects.readable_by(user).values("pk")
        return self.visible_to(user).filter(collection_id__in=collections)

    def readable_in(self, user: Any, collection: Collection) -> StixObjectQuerySet:
        """``readable_by(user)`` within one collection (the same rows), with the collection's
        read right decided once in Python (:meth:`Collection.is_readable_by`) rather than as a
        sub-query: what TAXII's endpoints use, the collection being already in hand."""
        if not collection.is_readable_by(user):
            return self.none()
        return self.visible_to(user).filter(collection_id=collection.pk)


class StixObject(Shareable):
    """One version of one STIX 2.1 object in one collection."""

    collection = models.ForeignKey(
        Collection, verbose_name=_("collection"), on_delete=models.PROTECT, related_name="+"
    )
    stix_id = models.CharField(_("STIX id"), max_length=255)
    type = models.CharField(_("type"), max_length=250)
    spec_version = models.CharField(_("spec version"), max_length=10, default="2.1")
    # TAXII's version: modified, else created, else date_added, as the object gives it.
    version = models.CharField(_("version"), max_length=40)
    version_at = models.DateTimeField(_("version time"))
    created_by_ref = models.CharField(_("created by"), max_length=255, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)
    date_added = models.DateTimeField(_("added"))
    # The object exactly as posted, as compact JSON text.
    raw = models.TextField(_("STIX JSON"))
    ingest = models.ForeignKey(
        "intel.Ingest", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = StixObjectQuerySet.as_manager()  # type: ignore[misc]

    @property
    def reporter_hidden(self) -> bool:
        """A sighting that names no reporter (no ``created_by_ref``: posted anonymously, e.g.
        a retro-hunt's "report anonymously") never shows which organisation shared it: not on
        the pages, not in the API, and the "shared by" filter does not find it. The owner is
        still kept, for the TLP rule (and the audit trail)."""
        return self.type == "sighting" and not self.created_by_ref

    class Meta:
        ordering = ["date_added"]
        permissions = [("publish_clear", "Can publish TLP:CLEAR intelligence")]
        verbose_name = _("STIX object")
        verbose_name_plural = _("STIX objects")
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "stix_id", "version"], name="intel_object_version_unique"
            ),
            models.UniqueConstraint(
                fields=["collection", "date_added"], name="intel_object_date_added_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["collection", "type", "date_added"]),
            models.Index(fields=["collection", "stix_id", "version_at"]),
            models.Index(fields=["stix_id"]),
            models.Index(fields=["type"]),
            models.Index(fields=["spec_version"]),
            models.Index(fields=["created_by_ref"]),
            models.Index(fields=["revoked"]),
            models.Index(fields=["date_added"]),
        ]

    def __str__(self) -> str:
        return f"{self.stix_id} ({self.version})"

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.raw)
        return data


class Ingest(models.Model):
    """One POST of an envelope to a collection: TAXII's status resource. The worker validates
    and stores its objects; the outcome of each is kept (successes, failures with a reason)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    collection = models.ForeignKey(
        Collection, verbose_name=_("collection"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=IngestStatus.choices, default=IngestStatus.PENDING
    )
    total_count = models.PositiveIntegerField(default=0)
    success_count = models.PositiveIntegerField(default=0)
    failure_count = models.PositiveIntegerField(default=0)
    pending_count = models.PositiveIntegerField(default=0)
    # [{"id", "version", "message"}] as TAXII's status resource lists them.
    successes = models.JSONField(default=list)
    failures = models.JSONField(default=list)
    # The envelope's objects until the worker has stored them (then emptied).
    payload = models.TextField(blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("ingest")
        verbose_name_plural = _("ingests")

    def __str__(self) -> str:
        return f"{self.collection} · {self.requested_at:%Y-%m-%d %H:%M}"
