"""Serializers of the retro-hunt API: jobs (status, progress, counts), matches, the upload form
and the report of sightings."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cicte.core.jobs_api import links_schema, route_links
from cicte.hunts.choices import SightingOutcome
from cicte.hunts.models import HuntJob, HuntMatch


class ProgressSerializer(serializers.Serializer[HuntJob]):
    """How far the worker is (updated while the job runs, and at its end)."""

    characters = serializers.IntegerField(help_text="Characters of text read (decompressed).")
    lines = serializers.IntegerField()
    values = serializers.IntegerField(help_text="Valid values (addresses, domains...) found.")
    matches = serializers.IntegerField()
    suppressed = serializers.IntegerField(
        help_text="Matches left out: the value is on a MISP warninglist (known-benign)."
    )
    percent = serializers.IntegerField(
        source="progress_percent",
        allow_null=True,
        help_text="Share of the upload read; null for gzip (its text size is not known).",
    )


class SightingsStateSerializer(serializers.Serializer[HuntJob]):
    reported_at = serializers.DateTimeField(source="sightings_reported_at", allow_null=True)
    anonymous = serializers.BooleanField(source="sightings_anonymous")
    stored = serializers.IntegerField(source="sightings_stored")
    skipped = serializers.IntegerField(source="sightings_skipped")


class HuntJobSerializer(serializers.ModelSerializer[HuntJob]):
    """A retro-hunt job of the caller's."""

    name = serializers.CharField(source="display_name", read_only=True)
    progress = ProgressSerializer(source="*", read_only=True)
    sightings = SightingsStateSerializer(source="*", read_only=True)
    upload_kept = serializers.BooleanField(source="has_upload", read_only=True)
    links = serializers.SerializerMethodField()

    class Meta:
        model = HuntJob
        fields = [
            "id",
            "name",
            "source",
            "status",
            "size",
            "gzip",
            "progress",
            "matches_stored",
            "indicator_count",
            "indicators_skipped",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "upload_kept",
            "upload_removed_at",
            "sightings",
            "links",
        ]
        read_only_fields = fields

    @extend_schema_field(links_schema("self", "page", "matches", "matches_csv", "file"))
    def get_links(self, obj: HuntJob) -> dict[str, str]:
        routes = {
            "self": "hunts-job-detail",
            "page": "hunts:job_detail",
            "matches": "hunts-job-matches",
            "matches_csv": "hunts-job-matches-csv",
        }
        if obj.has_upload:
            routes["file"] = "hunts-job-file"
        return route_links(self, obj, routes)


class HuntMatchSerializer(serializers.ModelSerializer[HuntMatch]):
    """One line's value that matched one indicator, with what the caller saw of the indicator
    when it matched (``object_id``: the intel API's id of the object version, while it exists)."""

    match = serializers.CharField(source="match_kind")
    collection = serializers.CharField(source="collection_title")
    shared_by = serializers.CharField(source="organization_name")
    object_id = serializers.IntegerField(source="stix_object_id", allow_null=True)

    class Meta:
        model = HuntMatch
        fields = [
            "line",
            "value",
            "kind",
            "indicator",
            "indicator_kind",
            "match",
            "stix_id",
            "stix_type",
            "object_id",
            "tlp",
            "collection",
            "shared_by",
        ]
        read_only_fields = fields


class HuntUploadSerializer(serializers.Serializer[Any]):
    """A multipart upload (or send the text as the body, see the operation's description)."""

    file = serializers.FileField(
        help_text="Plain text, CSV or JSON lines, optionally gzip-compressed."
    )


class SightingsRequestSerializer(serializers.Serializer[Any]):
    anonymous = serializers.BooleanField(
        default=False,
        help_text="Without created_by_ref and where_sighted_refs: the sightings do not name "
        "the caller's organisation.",
    )


class SightingRowSerializer(serializers.Serializer[Any]):
    stix_id = serializers.CharField(help_text="The matched object.")
    indicator = serializers.CharField(help_text="One of its values that matched.")
    collection = serializers.CharField()
    matches = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=SightingOutcome.choices)
    sighting_id = serializers.CharField(required=False, help_text="The sighting stored.")


class SightingsReportSerializer(serializers.Serializer[Any]):
    stored = serializers.IntegerField()
    skipped = serializers.IntegerField()
    rows = SightingRowSerializer(many=True)
