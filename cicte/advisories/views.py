"""Pages of the advisories: the list and page of those a person may read (each page view
audited), and TLP:CLEAR advisories for anyone, with an Atom feed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cicte.advisories import views_edit
from cicte.advisories.choices import AdvisoryStatus
from cicte.advisories.forms import publishable_networks
from cicte.advisories.models import Advisory
from cicte.core import audit

LISTED = (AdvisoryStatus.PUBLISHED, AdvisoryStatus.WITHDRAWN)


def _published(queryset: QuerySet[Advisory]) -> QuerySet[Advisory]:
    return (
        queryset.filter(status__in=LISTED)
        .select_related("network", "owner_organization")
        .prefetch_related("translations")
        .order_by("-published_at", "-pk")
    )


@require_GET
def advisory_list(request: HttpRequest) -> HttpResponse:
    """Published advisories the reader may see, newest first; their own drafts too."""
    user: Any = request.user
    rows = list(_published(Advisory.objects.visible_to(user))[:200])
    drafts = list(
        Advisory.objects.visible_to(user)
        .filter(owner_organization_id=user.organization_id)
        .exclude(status__in=LISTED)
        .order_by("-updated_at")[:50]
        if user.organization_id
        else []
    )
    may_write = bool(user.organization_id) and publishable_networks(user).exists()
    return render(
        request,
        "advisories/list.html",
        {"rows": rows, "drafts": drafts, "may_write": may_write},
    )


@require_GET
def advisory_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Drafts and advisories under review: their own organisation's people only.
    advisory = get_object_or_404(
        views_edit.visible_advisories(request.user)
        .select_related("network", "owner_organization")
        .prefetch_related("translations", "versions"),
        pk=pk,
    )
    audit.record_view(actor=request.user, obj=advisory)
    return render(
        request,
        "advisories/detail.html",
        {
            "advisory": advisory,
            "text": advisory.in_language(),
            "public": False,
            **views_edit.detail_context(request.user, advisory),
        },
    )


def _public() -> QuerySet[Advisory]:
    return _published(Advisory.objects.visible_to(None))


@login_not_required
@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    return render(request, "advisories/public_list.html", {"rows": list(_public()[:100])})


@login_not_required
@require_GET
def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    advisory = _public().filter(pk=pk).first()
    if advisory is None:
        raise Http404
    return render(
        request,
        "advisories/detail.html",
        {"advisory": advisory, "text": advisory.in_language(), "public": True},
    )


class PublicFeed(Feed):
    """Atom feed of TLP:CLEAR advisories."""

    feed_type = Atom1Feed

    def title(self) -> str:
        return _("CICTE Platform: public advisories")

    def link(self) -> str:
        return reverse("advisories:public_list")

    def subtitle(self) -> str:
        return _("Security advisories marked TLP:CLEAR by the networks' CSIRTs.")

    def items(self) -> list[Advisory]:
        return list(_public()[:50])

    def item_title(self, item: Advisory) -> str:
        text = item.in_language()
        prefix = f"[{item.get_severity_display()}] {item.reference}"
        suffix = f" ({_('withdrawn')})" if item.status == AdvisoryStatus.WITHDRAWN else ""
        return f"{prefix} {text['title']}{suffix}"

    def item_description(self, item: Advisory) -> str:
        return str(item.in_language()["summary"])

    def item_link(self, item: Advisory) -> str:
        return reverse("advisories:public_detail", args=[item.pk])

    def item_pubdate(self, item: Advisory) -> Any:
        return item.published_at

    def item_updateddate(self, item: Advisory) -> Any:
        return item.updated_at

    def item_guid(self, item: Advisory) -> str:
        return f"{settings.BASE_URL}/advisories/public/{item.pk}/"


public_feed = login_not_required(PublicFeed())
