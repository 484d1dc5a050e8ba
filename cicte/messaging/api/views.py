"""The exchange API, under /api/exchange/: send, list and search, read, acknowledge, answer,
close, the delivery record, attachments and the metrics, so that a state's own case-management
system can connect. The same services and the same filterset as the pages, the same rule
(``readable_by``): what the caller may not read answers 404; each read of a message is an
audit event. Tokens need ``exchange:read`` to read and ``exchange:write`` to write."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponseBase
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cicte.core.api import error_responses
from cicte.core.jobs_api import download_action
from cicte.messaging import escalation, metrics, services
from cicte.messaging.api import serializers
from cicte.messaging.filtersets import MessageFilterSet
from cicte.messaging.models import Attachment, Delivery, Message, represented_states
from cicte.messaging.views import serve_attachment

TOKEN_MODULE = "exchange"  # noqa: S105 - a module name, not a secret


def _queryset(user: Any) -> QuerySet[Message]:
    return (
        Message.objects.readable_by(user)
        .select_related("network", "sender_state")
        .prefetch_related(
            Prefetch("deliveries", queryset=Delivery.objects.select_related("member_state")),
            "attachments",
        )
        .order_by("-sent_at", "-pk")
    )


@extend_schema_view(
    list=extend_schema(
        summary="Messages",
        description="The messages the caller may read (TLP and being part of the "
        "conversation), newest first. Filters: `q` (reference, subject, text), `network` "
        "(slug), `kind`, `urgency` (repeatable), `state` (ISO code: sent by or to it), "
        "`sent_after` / `sent_before` (dates), `open_requests`.",
        responses={200: serializers.MessageSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="One message",
        description="With its text and attachments. Recorded in the audit trail; the first "
        "read by someone of an addressed state marks that state's delivery read.",
        responses={200: serializers.MessageDetailSerializer, **error_responses(401, 403, 404)},
    ),
    create=extend_schema(
        summary="Send a message",
        description="An alert, a request for information (with `due_at`) or a notice, in a "
        "network where the caller may send, to the whole network or to `states`. JSON, or "
        "multipart/form-data with `attachments` (files: PDF, PNG, JPEG, text, CSV, DOCX, "
        "XLSX, JSON/STIX; checked by content). The addressed states' designated contacts are "
        "emailed (no subject or text above TLP:GREEN).",
        request={
            "application/json": serializers.MessageCreateSerializer,
            "multipart/form-data": serializers.MessageCreateSerializer,
        },
        responses={201: serializers.MessageDetailSerializer, **error_responses(400, 401, 403)},
    ),
)
class MessageViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Message],
):
    """Messages of the secure exchange."""

    token_module = TOKEN_MODULE
    serializer_class = serializers.MessageSerializer
    filterset_class = MessageFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Message]:
        if getattr(self, "swagger_fake_view", False):
            return Message.objects.none()
        return _queryset(self.request.user)

    def get_serializer_class(self) -> Any:
        if self.action == "list":
            return serializers.MessageSerializer
        return serializers.MessageDetailSerializer

    def filter_queryset(self, queryset: Any) -> Any:
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def _detail(self, message: Message, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().filter(pk=message.pk).first() or message
        data = serializers.MessageDetailSerializer(fresh, context=self.get_serializer_context())
        return Response(data.data, status=code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        message = self.get_object()
        services.record_read(actor=request.user, message=message)  # type: ignore[arg-type]
        return self._detail(message)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = serializers.MessageCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        message = services.send_message(
            actor=request.user,  # type: ignore[arg-type]
            **{name: data[name] for name in services.SEND_FIELDS},
            sender_state=data["sender_state"],
            states=data.get("states", []),
            files=data["attachments"],
        )
        return self._detail(message, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Acknowledge a message",
        description="For the caller's member state (one of its designated contacts or network "
        "members): the time and the person are recorded, once; acknowledging again changes "
        "nothing. 403 when the caller speaks for no addressed state.",
        request=None,
        responses={
            200: serializers.DeliverySerializer(many=True),
            **error_responses(401, 403, 404),
        },
    )
    @action(detail=True, methods=["post"], url_path="acknowledge")
    def acknowledge(self, request: Request, pk: Any = None) -> Response:
        message = self.get_object()
        deliveries = services.acknowledge(actor=request.user, message=message)  # type: ignore[arg-type]
        data = serializers.DeliverySerializer(
            Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).select_related(
                "message", "member_state", "read_by", "acknowledged_by", "answered_by"
            ),
            many=True,
        ).data
        return Response(data)

    @extend_schema(
        summary="Answer in the thread",
        description="A response from the caller's member state (to the requester's side), or "
        "from the requester's side (to the state answered, or to every state of the thread). "
        "JSON, or multipart/form-data with `attachments`.",
        request={
            "application/json": serializers.ReplySerializer,
            "multipart/form-data": serializers.ReplySerializer,
        },
        responses={201: serializers.MessageDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="reply")
    def reply(self, request: Request, pk: Any = None) -> Response:
        message = self.get_object()
        body = serializers.ReplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        response = services.reply(
            actor=request.user,  # type: ignore[arg-type]
            message=message,
            body=data["body"],
            subject=data["subject"],
            tlp=data["tlp"],
            language=data["language"],
            files=data["attachments"],
        )
        return self._detail(response, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Close a request for information",
        description="By the requester's side only (403 otherwise); no more responses.",
        request=None,
        responses={200: serializers.MessageDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="close")
    def close(self, request: Request, pk: Any = None) -> Response:
        message = self.get_object()
        root = services.close_request(actor=request.user, message=message)  # type: ignore[arg-type]
        return self._detail(root)

    @extend_schema(
        summary="The delivery record",
        description="Per addressed member state: delivered, read, acknowledged, answered (times "
        "and who) and escalation. The sender's side sees every state; an addressed state its "
        "own.",
        responses={
            200: serializers.DeliverySerializer(many=True),
            **error_responses(401, 403, 404),
        },
    )
    @action(detail=True, methods=["get"], url_path="deliveries")
    def deliveries(self, request: Request, pk: Any = None) -> Response:
        message = self.get_object()
        user: Any = request.user
        rows = (
            Delivery.objects.filter(message=message)
            .select_related("message", "member_state", "read_by", "acknowledged_by", "answered_by")
            .prefetch_related("escalations")
        )
        if not services.sees_all_deliveries(user, message):
            states = sorted(represented_states(user).get(message.network_id, set()))
            rows = rows.filter(member_state_id__in=states)
        data = serializers.DeliverySerializer(
            rows.order_by("member_state__code"),
            many=True,
            context={"delays": escalation.minutes_by_network([message.network_id])},
        ).data
        return Response(data)

    @extend_schema(
        summary="Download an attachment",
        description="As it was sent (`Content-Disposition: attachment`). Audited.",
        parameters=[OpenApiParameter("attachment_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            **error_responses(401, 403, 404),
        },
    )
    @download_action(url_path=r"attachments/(?P<attachment_id>\d+)")
    def attachment(
        self, request: Request, pk: Any = None, attachment_id: Any = None
    ) -> HttpResponseBase:
        message = self.get_object()
        attachment = get_object_or_404(Attachment, message=message, pk=attachment_id)
        return serve_attachment(request.user, attachment)  # type: ignore[arg-type]


class MetricsView(APIView):
    """Median times to acknowledge and to answer, per network and per member state."""

    token_module = TOKEN_MODULE

    @extend_schema(
        summary="Acknowledgment and response times",
        description="Over the messages sent from `start` to `end` (dates, both included; "
        "optional), in one `network` (slug) or all: per network (`member_state` null) and per "
        "member state, the deliveries, how many were acknowledged and answered, and the median "
        "seconds from sending. Over the messages the caller may read, and every message of "
        "the networks whose communication checks they see.",
        parameters=[serializers.MetricsQuerySerializer],
        responses={200: serializers.FiguresSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        query = serializers.MetricsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = metrics.compute(
            request.user,
            start=query.validated_data["start"],
            end=query.validated_data["end"],
            network=query.validated_data["network"],
        )
        return Response(serializers.FiguresSerializer(rows, many=True).data)
