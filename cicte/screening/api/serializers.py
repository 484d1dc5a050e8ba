"""Serializers of the screening API: jobs (status, progress, counts, the rejection report),
hits (with their explanation and decision), the upload form and decisions."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cicte.core.jobs_api import links_schema, route_links
from cicte.sanctions.matching import DEFAULT_THRESHOLD
from cicte.screening.choices import Verdict
from cicte.screening.models import HitDecision, ScreeningHit, ScreeningJob


class ScreeningProgressSerializer(serializers.Serializer[ScreeningJob]):
    """How far the worker is (updated every few thousand rows, and at the end)."""

    rows = serializers.IntegerField(help_text="Valid rows of the file (once all are checked).")
    rows_screened = serializers.IntegerField()
    percent = serializers.IntegerField(source="progress_percent", allow_null=True)
    hits = serializers.IntegerField(help_text="Hits raised.")
    cleared = serializers.IntegerField(
        help_text="Hits not raised: cleared earlier as false positives (record and entry "
        "unchanged)."
    )


class ScreeningJobSerializer(serializers.ModelSerializer[ScreeningJob]):
    """A batch screening job of the caller's organisation."""

    name = serializers.CharField(source="display_name", read_only=True)
    progress = ScreeningProgressSerializer(source="*", read_only=True)
    report = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="A rejected file's invalid rows, `line N: reason` (the first 1,000).",
    )
    upload_kept = serializers.BooleanField(source="has_upload", read_only=True)
    links = serializers.SerializerMethodField()

    class Meta:
        model = ScreeningJob
        fields = [
            "id",
            "name",
            "source",
            "status",
            "lists",
            "list_versions",
            "threshold",
            "size",
            "progress",
            "invalid_rows",
            "report",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "upload_kept",
            "links",
        ]
        read_only_fields = fields

    @extend_schema_field(links_schema("self", "page", "hits", "hits_csv"))
    def get_links(self, obj: ScreeningJob) -> dict[str, str]:
        routes = {
            "self": "screening-job-detail",
            "page": "screening:job_detail",
            "hits": "screening-job-hits",
            "hits_csv": "screening-job-hits-csv",
        }
        return route_links(self, obj, routes)


class DecisionSerializer(serializers.ModelSerializer[HitDecision]):
    decided_by = serializers.CharField(source="decided_by.username", read_only=True)

    class Meta:
        model = HitDecision
        fields = ["id", "verdict", "reason", "decided_by", "decided_at", "current"]
        read_only_fields = fields


class ScreeningHitSerializer(serializers.ModelSerializer[ScreeningHit]):
    """One customer record that matched one list entry, with the engine's explanation and the
    decision in force (made on it, or, for a hit cleared earlier, the one that cleared it)."""

    list = serializers.CharField(source="list_key")
    list_entity_id = serializers.CharField(source="source_id", help_text="The list's own id.")
    entity_id = serializers.CharField(source="entity_ftm_id", help_text="The FtM id.")
    decision = DecisionSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ScreeningHit
        fields = [
            "id",
            "line",
            "record_id",
            "name",
            "birth_date",
            "nationality",
            "kind",
            "list",
            "list_entity_id",
            "entity_id",
            "caption",
            "score",
            "matched_name",
            "summary",
            "explanation",
            "cleared",
            "decision",
        ]
        read_only_fields = fields


class ScreeningUploadSerializer(serializers.Serializer[Any]):
    """A multipart upload (or send the CSV as the body, see the operation's description)."""

    file = serializers.FileField(help_text="UTF-8 CSV: id,name[,birth_date,nationality,kind].")
    lists = serializers.CharField(
        required=False, help_text="Comma-separated list keys (un,ofac,co); all lists when absent."
    )
    threshold = serializers.FloatField(required=False, min_value=0, max_value=1)


class ScreeningOptionsSerializer(serializers.Serializer[Any]):
    """The job's lists and threshold, from the form fields or the query string."""

    lists = serializers.CharField(required=False, allow_blank=True)
    threshold = serializers.FloatField(
        required=False, min_value=0, max_value=1, default=DEFAULT_THRESHOLD
    )
    name = serializers.CharField(required=False, allow_blank=True, max_length=255)


class DecisionRequestSerializer(serializers.Serializer[Any]):
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    reason = serializers.CharField(max_length=4000, help_text="Why (required).")
