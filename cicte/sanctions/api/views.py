"""``POST /api/sanctions/screen/``: screen one name against the chosen lists (all by default).

A POST, so that the names of customers never appear in addresses (and so in access logs); it
changes nothing, so a token needs only ``sanctions:read``. Each screening is an audit event
(the lists and the number of hits, not the name)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cicte.core import audit
from cicte.core.api import error_responses
from cicte.sanctions.api import serializers
from cicte.sanctions.matching import Query, QueryError
from cicte.sanctions.models import SanctionsList
from cicte.sanctions.screening import UnknownList, list_keys, screening_for


class ScreenView(APIView):
    token_module = "sanctions"  # noqa: S105 - a module name, not a secret
    token_read_only = True  # a POST that reads (cicte.accounts.api.permissions)

    @extend_schema(
        summary="Screen a name",
        description="The entries of the chosen sanctions lists that the name (with its optional "
        "birth date, nationality, kind and document numbers) matches at or above the "
        "threshold, best first, each with its explanation.",
        request=serializers.ScreenQuerySerializer,
        responses={200: serializers.ScreenResultSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        given = serializers.ScreenQuerySerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data: dict[str, Any] = given.validated_data
        try:
            keys = (
                list_keys(",".join(data["lists"]))
                if data.get("lists")
                else sorted(SanctionsList.objects.values_list("key", flat=True))
            )
        except UnknownList as exc:
            return Response({"detail": {"lists": [str(exc)]}}, status=400)
        query = Query(
            name=data["name"],
            birth_date=data.get("birth_date") or None,
            nationality=data.get("nationality") or None,
            kind=data.get("kind") or None,
            documents=tuple(data.get("documents") or ()),
        )
        try:
            query = query.validated()
        except QueryError as exc:
            return Response({"detail": {"query": [str(exc)]}}, status=400)
        screening = screening_for(keys)
        hits = screening.matcher.screen(query, threshold=data["threshold"], limit=data["limit"])
        audit.record(
            actor=request.user,
            action="sanctions.screen",
            changes={"lists": keys, "hits": len(hits), "threshold": data["threshold"]},
        )
        body = {
            "lists": keys,
            "threshold": data["threshold"],
            "hits": [
                {
                    "list": hit.list_id,
                    "list_entity_id": screening.source_ids.get(hit.entity_id, hit.entity_id),
                    "entity_id": hit.entity_id,
                    "caption": hit.entity.caption,
                    "schema": hit.entity.schema.name,
                    "score": round(hit.score, 3),
                    "matched_name": hit.matched_name,
                    "matched_property": hit.matched_property,
                    "summary": hit.summary(),
                    "explanation": hit.explanation(),
                }
                for hit in hits
            ],
        }
        return Response(body)
