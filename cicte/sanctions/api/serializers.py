"""Single-name screening through the REST API: the query in, the explained hits out."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from cicte.sanctions.matching import DEFAULT_THRESHOLD


class ScreenQuerySerializer(serializers.Serializer[dict[str, Any]]):
    name = serializers.CharField(max_length=500, help_text="The name to screen.")
    birth_date = serializers.CharField(
        required=False, allow_blank=True, help_text="YYYY, YYYY-MM or YYYY-MM-DD."
    )
    nationality = serializers.CharField(
        required=False, allow_blank=True, help_text="ISO 3166-1 alpha-2 code or a country name."
    )
    kind = serializers.ChoiceField(
        choices=["person", "organization"], required=False, allow_blank=True
    )
    documents = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        max_length=20,
        help_text="Passport or ID numbers (an exact match is decisive).",
    )
    lists = serializers.ListField(
        child=serializers.CharField(max_length=10),
        required=False,
        help_text="List keys (un, ofac, a domestic list's ISO code); all lists when absent.",
    )
    threshold = serializers.FloatField(
        required=False, min_value=0, max_value=1, default=DEFAULT_THRESHOLD
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=50, default=10)
    record_id = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Your customer record's id: hits your organisation cleared as false positives "
        "for this record (with the same name, birth date, nationality and kind, and the list "
        "entry unchanged) are not raised again but listed in `cleared`.",
    )


class HitSerializer(serializers.Serializer[Any]):
    list = serializers.CharField(help_text="un, ofac or a domestic list's ISO code.")
    list_entity_id = serializers.CharField(help_text="The list's own identifier.")
    entity_id = serializers.CharField(help_text="The FollowTheMoney id of the entry.")
    caption = serializers.CharField()
    schema = serializers.CharField()
    score = serializers.FloatField()
    matched_name = serializers.CharField()
    matched_property = serializers.CharField()
    summary = serializers.CharField(help_text="A one-line account of the hit.")
    explanation = serializers.DictField(
        help_text="Token pairs with their rule and similarity, each feature's contribution, "
        "the score and the threshold."
    )


class ScreenResultSerializer(serializers.Serializer[Any]):
    lists = serializers.ListField(child=serializers.CharField())
    threshold = serializers.FloatField()
    hits = HitSerializer(many=True)
    cleared = HitSerializer(
        many=True,
        required=False,
        help_text="With a record_id: the hits cleared earlier as false positives, not raised.",
    )
