"""``POST /api/sanctions/screen/``: screen one name against the chosen lists (all by default).

A POST, so that the names of customers never appear in addresses (and so in access logs); it
changes nothing, so a token needs only ``sanctions:read``. Each screening is an audit event
(the lists and the number of hits, not the name). With a ``record_id``, hits that the caller's
organisation cleared earlier for that customer record (unchanged since) are left out of
``hits`` and listed in ``cleared`` (:mod:`cicte.screening`)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cicte.core.api import error_responses
from cicte.sanctions.api import serializers
from cicte.sanctions.matching import Query, QueryError
from cicte.sanctions.screening import UnknownList


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
        # The screening page's path too (cicte.screening.services.screen_name).
        from cicte.screening import services as screening_services

        try:
            result = screening_services.screen_name(
                actor=request.user,  # type: ignore[arg-type]
                query=Query(
                    name=data["name"],
                    birth_date=data.get("birth_date") or None,
                    nationality=data.get("nationality") or None,
                    kind=data.get("kind") or None,
                    documents=tuple(data.get("documents") or ()),
                ),
                lists=data.get("lists") or None,
                threshold=data["threshold"],
                limit=data["limit"],
                record_id=data.get("record_id") or "",
            )
        except UnknownList as exc:
            return Response({"detail": {"lists": [str(exc)]}}, status=400)
        except QueryError as exc:
            return Response({"detail": {"query": [str(exc)]}}, status=400)
        body = {"lists": result.lists, "threshold": result.threshold, "hits": result.hits}
        if data.get("record_id"):
            body["cleared"] = result.cleared
        return Response(body)
