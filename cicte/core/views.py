"""Views of the core app: the dashboard and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from cicte.accounts import permissions, selectors
from cicte.accounts.models import Network, Organization
from cicte.core.models import AuditEvent


def dashboard(request: HttpRequest) -> HttpResponse:
    """The signed-in person's start page: who they act for, their networks, their roles and what
    needs their attention."""
    user = request.user
    network_ids = selectors.network_ids_for(user)
    context = {
        "networks": Network.objects.visible_to(user).filter(pk__in=network_ids),
        "grants": permissions.grants_for(user),
        "roles": user.role_assignments.select_related("role", "network", "organization"),  # type: ignore[union-attr]
        "organization_count": Organization.objects.visible_to(user).count(),
        "recent_events": AuditEvent.objects.visible_to(user).filter(actor_id=user.pk)[:5],
    }
    return render(request, "core/dashboard.html", context)


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
