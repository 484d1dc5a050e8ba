"""Serializers of the designations API.

Reading: a designation with its public fields for every signed-in caller (what the domestic
list publishes); the state's officials also get the confidential ones (statement of case,
delisting reason, exemptions, the actions with their payloads). Writing: the services validate
the payloads (:mod:`cicte.designations.details`); the serializers here only document their shape.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from cicte.designations.choices import ActionKind, UnfreezeScope
from cicte.designations.models import Action, Designation

CONFIDENTIAL = ("statement_of_case", "delisting_reason", "exemptions", "actions")


class ActionSerializer(serializers.ModelSerializer[Action]):
    """One proposed change and its decision; ``list_version``: the number of the domestic list
    version its approval published (null when the list did not change)."""

    designation = serializers.CharField(source="designation.reference", read_only=True)
    proposed_by = serializers.CharField(source="proposed_by.username", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, allow_null=True, default=None
    )
    list_version = serializers.IntegerField(
        source="list_version.number", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Action
        fields = [
            "id",
            "designation",
            "kind",
            "status",
            "payload",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "list_version",
            "published_at",
        ]
        read_only_fields = fields


class DesignationSerializer(serializers.ModelSerializer[Designation]):
    """A designation. ``statement_of_case``, ``delisting_reason``, ``exemptions`` and
    ``actions`` appear only for the designating state's officials."""

    member_state = serializers.CharField(source="member_state.code", read_only=True)
    list_key = serializers.CharField(read_only=True)
    actions = ActionSerializer(many=True, read_only=True)

    class Meta:
        model = Designation
        fields = [
            "reference",
            "member_state",
            "kind",
            "name",
            "details",
            "domestic_law",
            "article",
            "public_summary",
            "authority",
            "status",
            "listed_at",
            "delisted_at",
            "freeze_status",
            "list_key",
            "ftm_id",
            "statement_of_case",
            "delisting_reason",
            "exemptions",
            "actions",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Designation) -> dict[str, Any]:
        if instance.member_state_id in self.context.get("official_states", set()):
            return dict(super().to_representation(instance))
        # Anyone else: the public fields only; the confidential ones are not even read.
        data: dict[str, Any] = {}
        for name, field in self.fields.items():
            if name in CONFIDENTIAL:
                continue
            attribute = field.get_attribute(instance)
            data[name] = None if attribute is None else field.to_representation(attribute)
        return data


class DesignationInputSerializer(serializers.Serializer[Any]):
    """A proposed designation (also the payload of an amendment): the identifying details as
    ``cicte.designations.details`` describes them, the legal basis and the case."""

    member_state = serializers.CharField(
        required=False, help_text="ISO code of the designating state; the caller's by default."
    )
    kind = serializers.ChoiceField(choices=["person", "organization"])
    name = serializers.CharField(required=False, help_text="The primary name.")
    first_name = serializers.CharField(required=False)
    second_name = serializers.CharField(required=False)
    third_name = serializers.CharField(required=False)
    fourth_name = serializers.CharField(required=False)
    aliases = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text='[{"name": ..., "quality": "good" | "low" | "former" | "original_script"}]',
    )
    gender = serializers.CharField(required=False)
    dates_of_birth = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="YYYY-MM-DD or YYYY."
    )
    place_of_birth = serializers.CharField(required=False)
    birth_country = serializers.CharField(required=False)
    nationalities = serializers.ListField(child=serializers.CharField(), required=False)
    documents = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text='[{"type": "passport" | "national_id" | "tax_number" | "registration" | '
        '"other", "number": ..., "country": ISO code, "note": ...}]',
    )
    addresses = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text='[{"street", "city", "region", "postal_code", "country"}]',
    )
    legal_form = serializers.CharField(required=False)
    registration_number = serializers.CharField(required=False)
    jurisdiction = serializers.CharField(required=False)
    domestic_law = serializers.CharField()
    article = serializers.CharField(required=False)
    statement_of_case = serializers.CharField()
    public_summary = serializers.CharField()


class ActionInputSerializer(serializers.Serializer[Any]):
    """A proposed change of a designation: ``kind`` and its ``payload`` (amend: the full
    details as for a designation; delist: ``{"reason"}``; unfreeze: ``{"scope", "reason"}`` with
    ``amount``, ``currency``, ``terms`` for an exemption, ``subject`` for a false positive)."""

    kind = serializers.ChoiceField(
        choices=[ActionKind.AMEND, ActionKind.DELIST, ActionKind.UNFREEZE]
    )
    payload = serializers.DictField(
        help_text="Unfreeze scopes: " + ", ".join(UnfreezeScope.values) + "."
    )


class DecisionSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required to reject."
    )
