"""Serializers of the intel API: collections, STIX object versions (``object`` is the STIX JSON
exactly as posted), ingests (the status of an upload)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cicte.intel.models import Collection, Ingest, StixObject


class CollectionSerializer(serializers.ModelSerializer[Collection]):
    """A collection the caller may read; ``can_write`` says whether they may add to it, and
    ``object_count`` how many objects in it they see."""

    network = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]
    can_write = serializers.SerializerMethodField()
    object_count = serializers.SerializerMethodField()

    class Meta:
        model = Collection
        fields = [
            "id",
            "title",
            "alias",
            "description",
            "network",
            "default_tlp",
            "can_write",
            "object_count",
        ]
        read_only_fields = fields

    def get_can_write(self, obj: Collection) -> bool:
        return obj.pk in self.context.get("writable", set())

    def get_object_count(self, obj: Collection) -> int:
        counts: dict[Any, int] = self.context.get("counts", {})
        return counts.get(obj.pk, 0)


class StixObjectSerializer(serializers.ModelSerializer[StixObject]):
    """One version of one STIX object in one collection, with the platform's metadata."""

    owner_organization = serializers.SerializerMethodField(
        help_text="The slug of the organisation that shared it; null for a sighting that names "
        "no reporter (posted anonymously)."
    )
    object = serializers.SerializerMethodField(help_text="The STIX object as it was posted.")

    class Meta:
        model = StixObject
        fields = [
            "id",
            "collection",
            "stix_id",
            "type",
            "spec_version",
            "version",
            "tlp",
            "created_by_ref",
            "revoked",
            "date_added",
            "owner_organization",
            "object",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "nullable": True})
    def get_owner_organization(self, obj: StixObject) -> str | None:
        if obj.reporter_hidden:
            return None
        return obj.owner_organization.slug

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_object(self, obj: StixObject) -> dict[str, Any]:
        return obj.data


class StixVersionSerializer(serializers.ModelSerializer[StixObject]):
    """A version of an object, without its content (follow its ``id``)."""

    class Meta:
        model = StixObject
        fields = ["id", "collection", "version", "tlp", "revoked", "date_added"]
        read_only_fields = fields


class IngestSerializer(serializers.ModelSerializer[Ingest]):
    """The status of an upload: pending until the worker has validated and stored every object;
    each refused object is listed in ``failures`` with the reason."""

    class Meta:
        model = Ingest
        fields = [
            "id",
            "collection",
            "status",
            "requested_at",
            "completed_at",
            "total_count",
            "success_count",
            "failure_count",
            "pending_count",
            "successes",
            "failures",
        ]
        read_only_fields = fields


class BundleSerializer(serializers.Serializer[Any]):
    """A STIX 2.1 bundle (``{"type": "bundle", "id": ..., "objects": [...]}``) or a TAXII 2.1
    envelope (``{"objects": [...]}``)."""

    type = serializers.CharField(required=False)
    id = serializers.CharField(required=False)
    objects = serializers.ListField(child=serializers.JSONField())
