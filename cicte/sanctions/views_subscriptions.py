"""Pages of the reporting entities' subscriptions to the sanctions lists, and of the notifications
they got, with their delays.

Subscriptions are managed by the subscribing organisation's administrators and the Secretariat
(``ListSubscription.objects.visible_to``; anyone else's answer 404); every write goes through
:mod:`cicte.sanctions.services`. A new webhook's signing secret is shown once, on the core
webhooks' secret page. Notifications are read through ``Notification.objects.visible_to``: the
Secretariat and the financial intelligence units see all, an organisation its own.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods

from cicte.core import webhooks
from cicte.core.forms import apply_validation_error
from cicte.sanctions import notify, services
from cicte.sanctions.forms import ListSubscriptionForm
from cicte.sanctions.models import ListSubscription, Notification, sees_every_notification

PAGE_SIZE = 50


def _subscription(request: HttpRequest, pk: int) -> ListSubscription:
    return get_object_or_404(
        ListSubscription.objects.visible_to(request.user).select_related("organization", "webhook"),
        pk=pk,
    )


def _secret_page(
    request: HttpRequest, subscription: ListSubscription, secret: str, *, created: bool
) -> HttpResponse:
    """The core webhooks' page that shows a signing secret once, with how to verify."""
    return render(
        request,
        "core/webhooks/secret.html",
        {
            "endpoint": subscription.webhook,
            "secret": secret,
            "created": created,
            "tolerance_seconds": 300,
            "retry_delays": [delay // 60 for delay in webhooks.retry_delays()],
        },
        status=201 if created else 200,
    )


@require_GET
def subscription_list(request: HttpRequest) -> HttpResponse:
    """The subscriptions the person manages, and the way to add one."""
    subscriptions = list(
        ListSubscription.objects.visible_to(request.user)
        .select_related("organization", "webhook")
        .prefetch_related("lists")
    )
    return render(
        request,
        "sanctions/subscription_list.html",
        {
            "subscriptions": subscriptions,
            "may_create": services.manageable_organizations(request.user).exists(),
        },
    )


@never_cache
@sensitive_variables("secret")
@require_http_methods(["GET", "POST"])
def subscription_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create a subscription for an organisation the person manages, or change one."""
    actor: Any = request.user
    subscription = _subscription(request, pk) if pk else None
    organizations = None
    if subscription is None:
        organizations = services.manageable_organizations(actor)
        if not organizations.exists():
            raise PermissionDenied(
                _("Only an organisation's administrators and the Secretariat add subscriptions.")
            )
    initial: dict[str, Any] = {"language": getattr(actor, "preferred_language", "") or "en"}
    if subscription is not None:
        initial = {
            "name": subscription.name,
            "lists": list(subscription.lists.all()),
            "emails": "\n".join(subscription.emails),
            "language": subscription.language,
            "webhook_url": subscription.webhook.url if subscription.webhook else "",
            "is_active": subscription.is_active,
        }
    elif organizations is not None and actor.organization_id:
        own = organizations.filter(pk=actor.organization_id).first()
        if own is not None:
            initial["organization"] = own
    form = ListSubscriptionForm(
        request.POST or None, actor=actor, organizations=organizations, initial=initial
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                subscription, secret = services.save_subscription(
                    actor=actor,
                    subscription=subscription,
                    organization=form.cleaned_data.get("organization"),
                    **form.values(),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Subscription saved."))
                if secret:
                    return _secret_page(request, subscription, secret, created=True)
                return redirect("sanctions:subscription_list")
    return render(
        request,
        "sanctions/subscription_form.html",
        {"form": form, "subscription": subscription},
        status=status,
    )


@never_cache
@sensitive_variables("secret")
@require_http_methods(["GET", "POST"])
def subscription_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm (GET) and replace (POST) the signing secret of the subscription's webhook."""
    subscription = _subscription(request, pk)
    if subscription.webhook is None:
        messages.error(request, _("This subscription has no webhook."))
        return redirect("sanctions:subscription_list")
    if request.method == "POST":
        try:
            secret = services.rotate_subscription_secret(
                actor=request.user, subscription=subscription
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("sanctions:subscription_list")
        subscription.refresh_from_db()
        return _secret_page(request, subscription, secret, created=False)
    return render(request, "sanctions/subscription_rotate.html", {"subscription": subscription})


@require_http_methods(["GET", "POST"])
def subscription_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm (GET) and delete (POST) a subscription (its notifications stay)."""
    subscription = _subscription(request, pk)
    if request.method == "POST":
        services.delete_subscription(actor=request.user, subscription=subscription)
        messages.success(request, _("Subscription deleted."))
        return redirect("sanctions:subscription_list")
    return render(request, "sanctions/subscription_delete.html", {"subscription": subscription})


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """The notifications the person may see, newest first, with their delays, and the median
    and worst delays of the last 30 days."""
    notifications = Notification.objects.visible_to(request.user).select_related(
        "version__sanctions_list", "organization", "subscription", "webhook_delivery"
    )
    page = Paginator(notifications.order_by("-changed_at", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context: dict[str, Any] = {"page_obj": page, "rows": page.object_list, "list_url": request.path}
    # htmx swaps in only the results when the page changes; the full page works without it.
    htmx: Any = getattr(request, "htmx", None)
    if htmx and not htmx.boosted:
        response = render(request, "sanctions/_notification_results.html", context)
    else:
        context["sees_all"] = sees_every_notification(request.user)
        context["stats"] = notify.recent_stats(request.user)[None]
        response = render(request, "sanctions/notification_list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response
