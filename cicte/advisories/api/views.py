"""Views of the advisories API, under /api/advisories/.

Reads go through :func:`cicte.advisories.views_edit.visible_advisories`, the pages' rule:
published and withdrawn advisories under TLP (``visible_to``), drafts and advisories under review
only for their own organisation. What the caller may not see answers 404, like what does not
exist; each look at one advisory is an audit event, as on its page. Lists take the filters of
:class:`~cicte.advisories.filtersets.AdvisoryFilterSet`. The text follows the request's
``Accept-Language`` when the advisory has a translation in that language.

Writes call :mod:`cicte.advisories.services` with the caller as the actor, as the pages do: the
services decide (four-eyes review, who may act on what, in which status). Their refusals answer
403 (with what is missing: the right, another reviewer, the status the action needs) and their
ValidationErrors 400 (:mod:`cicte.core.api`). Tokens need ``advisories:read`` to read and
``advisories:write`` to write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cicte.accounts.models import User
from cicte.advisories import services
from cicte.advisories.api import serializers
from cicte.advisories.choices import AdvisoryStatus
from cicte.advisories.filtersets import AdvisoryFilterSet
from cicte.advisories.models import Advisory, AdvisoryVersion
from cicte.advisories.views_edit import possible_reviewers, visible_advisories
from cicte.core import audit
from cicte.core.api import error_responses

LIST_ERRORS = error_responses(400, 401, 403)
DETAIL_ERRORS = error_responses(401, 403, 404)
CREATE_ERRORS = error_responses(400, 401, 403)
ACTION_ERRORS = error_responses(400, 401, 403, 404)
CHANGEABLE = (AdvisoryStatus.DRAFT, AdvisoryStatus.IN_REVIEW, AdvisoryStatus.PUBLISHED)


class AdvisoriesAPIMixin:
    # Tokens need advisories:read to read and advisories:write to write
    # (cicte.accounts.api.permissions.TokenScopePermission).
    token_module = "advisories"  # noqa: S105 - a module name, not a secret


def _author_side(user: User, advisory: Advisory) -> bool:
    return bool(
        user.organization_id
        and user.organization_id == advisory.owner_organization_id
        and services.may_publish_in(user, advisory.network)
    )


def _refusal(user: User, advisory: Advisory, statuses: tuple[str, ...]) -> str | None:
    """Why a service refused ``user`` an action that needs one of ``statuses``, in words: the
    service has decided; this only says what is missing."""
    if not _author_side(user, advisory):
        return _(
            "Only people of the advisory's organisation who may write advisories in its "
            "network may do this."
        )
    if advisory.status in statuses:
        return None
    if advisory.status == AdvisoryStatus.WITHDRAWN:
        return _("The advisory is withdrawn: it can no longer change.")
    return _("The advisory is “{status}”: this needs it to be “{expected}”.").format(
        status=advisory.get_status_display(), expected=AdvisoryStatus(statuses[0]).label
    )


def _advisories(user: Any) -> QuerySet[Advisory]:
    """What the caller sees, with what a row shows, in a constant number of queries."""
    return (
        visible_advisories(user)
        .select_related("network", "owner_organization")
        .prefetch_related("translations")
        .order_by("-updated_at", "-pk")
    )


def _action(summary: str, description: str, request: Any = None) -> Any:
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses={200: serializers.AdvisoryDetailSerializer, **ACTION_ERRORS},
    )


@extend_schema_view(
    list=extend_schema(
        summary="Advisories",
        description="The advisories the caller may see (published and withdrawn ones under "
        "TLP; drafts and those under review of their own organisation), most recently changed "
        "first, with the filters `network` (slug), `severity`, `status`, `tlp` (each "
        "repeatable), `product` (a vendor, product or CVE id in the affected products or the "
        "title), `cve` (exactly this CVE id) and `updated_since` (ISO 8601). `text` is in the "
        "request's language (`Accept-Language`) when there is a translation.",
        responses={200: serializers.AdvisorySerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One advisory",
        description="With its translations, the summary of its versions and the actions the "
        "caller may take. Each look is recorded in the audit trail.",
        responses={200: serializers.AdvisoryDetailSerializer, **DETAIL_ERRORS},
    ),
    create=extend_schema(
        summary="Write a draft",
        description="A new draft in a network where the caller may write advisories, owned by "
        "their organisation. Submit it for review when it is ready.",
        request=serializers.AdvisoryCreateSerializer,
        responses={201: serializers.AdvisoryDetailSerializer, **CREATE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change an advisory",
        description="By people of its organisation who may write advisories in its network. "
        "A draft changes in place; one under review returns to draft (the reviewer approves "
        "what is published); a published one becomes a new version, published at once and "
        "sent to the subscribers with `note`. A withdrawn advisory cannot change.",
        request=serializers.AdvisoryUpdateSerializer,
        responses={200: serializers.AdvisoryDetailSerializer, **ACTION_ERRORS},
    ),
)
class AdvisoryViewSet(
    AdvisoriesAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Advisory],
):
    """Security advisories and warnings of the networks' CSIRTs and the Secretariat."""

    serializer_class = serializers.AdvisorySerializer
    filterset_class = AdvisoryFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Advisory]:
        if getattr(self, "swagger_fake_view", False):  # the schema, made without a request
            return Advisory.objects.none()
        queryset = _advisories(self.request.user)
        if self.action != "list":
            queryset = queryset.prefetch_related(
                Prefetch("versions", queryset=AdvisoryVersion.objects.order_by("-number"))
            )
        return queryset

    def get_serializer_class(self) -> type[drf_serializers.BaseSerializer[Any]]:
        if self.action == "list":
            return serializers.AdvisorySerializer
        return serializers.AdvisoryDetailSerializer

    def filter_queryset(self, queryset: Any) -> Any:
        # The filters are the list's; one advisory is found by its id whatever they say.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    @property
    def actor(self) -> User:
        # IsAuthenticated lets only signed-in people and token holders here.
        user: Any = self.request.user
        return user

    def _input(self, serializer_class: type[Any], *, partial: bool = False) -> dict[str, Any]:
        serializer = serializer_class(
            data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _respond(self, advisory: Advisory, code: int = status.HTTP_200_OK) -> Response:
        # Read back as a reader reads it: visible, with its translations and versions.
        fresh = self.get_queryset().filter(pk=advisory.pk).first()
        serializer = serializers.AdvisoryDetailSerializer(
            fresh or advisory, context=self.get_serializer_context()
        )
        return Response(serializer.data, status=code)

    def _act(
        self,
        service: Callable[..., Any],
        advisory: Advisory,
        statuses: tuple[str, ...],
        **kwargs: Any,
    ) -> Any:
        """Call ``service`` as the caller; a refusal says what is missing."""
        try:
            return service(actor=self.actor, advisory=advisory, **kwargs)
        except PermissionDenied as exc:
            advisory.refresh_from_db()
            raise PermissionDenied(_refusal(self.actor, advisory, statuses) or str(exc)) from exc

    # --- Reading ---------------------------------------------------------------------------

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        advisory = self.get_object()
        audit.record_view(actor=request.user, obj=advisory)
        return Response(self.get_serializer(advisory).data)

    @extend_schema(
        summary="Versions of an advisory",
        description="Each version as published (version 1) or changed after publication, "
        "newest first, with the advisory as it was then.",
        responses={200: serializers.AdvisoryVersionSerializer(many=True), **DETAIL_ERRORS},
    )
    @action(detail=True, methods=["get"])
    def versions(self, request: Request, pk: Any = None) -> Response:
        advisory = self.get_object()
        versions = advisory.versions.order_by("-number")
        return Response(serializers.AdvisoryVersionSerializer(versions, many=True).data)

    # --- Writing ---------------------------------------------------------------------------

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._input(serializers.AdvisoryCreateSerializer)
        actor = self.actor
        network = data.pop("network")
        try:
            advisory = services.create_draft(actor=actor, network=network, **data)
        except PermissionDenied as exc:
            if actor.organization_id is None:
                raise PermissionDenied(
                    _("Only people of an organisation may write advisories.")
                ) from exc
            if not services.may_publish_in(actor, network):
                raise PermissionDenied(
                    _("You may not write advisories in {network}.").format(
                        network=network.localized_name
                    )
                ) from exc
            raise
        return self._respond(advisory, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        advisory = self.get_object()
        data = self._input(serializers.AdvisoryUpdateSerializer, partial=True)
        note = data.pop("note", "")
        self._act(services.update, advisory, CHANGEABLE, note=note, **data)
        return self._respond(advisory)

    @extend_schema(
        summary="Translate an advisory",
        description="Add its title, summary and recommendations in another of the four "
        "languages, or replace the translation there is (201 when added, 200 when replaced).",
        request=serializers.TranslationInputSerializer,
        responses={
            200: serializers.AdvisoryTranslationSerializer,
            201: serializers.AdvisoryTranslationSerializer,
            **ACTION_ERRORS,
        },
    )
    @action(detail=True, methods=["post"])
    def translations(self, request: Request, pk: Any = None) -> Response:
        advisory = self.get_object()
        data = self._input(serializers.TranslationInputSerializer)
        existed = advisory.translations.filter(language=data["language"]).exists()
        translation = self._act(services.translate, advisory, CHANGEABLE, **data)
        return Response(
            serializers.AdvisoryTranslationSerializer(translation).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    @_action(
        "Submit for review",
        "Ask another person of the organisation to review the draft; where the organisation "
        "has no four-eyes rule, it is published at once. A TLP:RED advisory reaches only the "
        "people named: give `reviewer`, a colleague who may review it.",
        request=serializers.SubmitSerializer,
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        advisory = self.get_object()
        data = self._input(serializers.SubmitSerializer)
        reviewer = None
        username = (data.get("reviewer") or "").strip()
        if username:
            reviewer = next(
                (p for p in possible_reviewers(advisory) if p.get_username() == username), None
            )
            if reviewer is None:
                raise drf_serializers.ValidationError(
                    {
                        "reviewer": [
                            _("{username} is not a colleague who may review this advisory.").format(
                                username=username
                            )
                        ]
                    }
                )
        self._act(services.submit, advisory, (AdvisoryStatus.DRAFT,), reviewer=reviewer)
        return self._respond(advisory)

    @_action(
        "Approve and publish",
        "Another person of the advisory's organisation than its author and submitter "
        "approves it (four eyes): it is published, stored as a STIX report in its collection "
        "and sent to the subscribers.",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        advisory = self.get_object()
        self._act(services.approve, advisory, (AdvisoryStatus.IN_REVIEW,))
        return self._respond(advisory)

    @_action(
        "Send back to the author",
        "The reviewer returns an advisory under review to its author as a draft, saying why.",
        request=serializers.ReasonSerializer,
    )
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request: Request, pk: Any = None) -> Response:
        advisory = self.get_object()
        data = self._input(serializers.ReasonSerializer)
        self._act(services.send_back, advisory, (AdvisoryStatus.IN_REVIEW,), **data)
        return self._respond(advisory)

    @_action(
        "Withdraw",
        "Withdraw a published advisory, saying why: its STIX report is revoked and the "
        "subscribers are told.",
        request=serializers.ReasonSerializer,
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: Any = None) -> Response:
        advisory = self.get_object()
        data = self._input(serializers.ReasonSerializer)
        self._act(services.withdraw, advisory, (AdvisoryStatus.PUBLISHED,), **data)
        return self._respond(advisory)
