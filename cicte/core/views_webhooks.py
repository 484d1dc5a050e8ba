"""A person's webhook endpoints: create one (its signing secret shown once), rotate the secret,
delete it, and read its delivery log. Everyone sees only their own endpoints (404 otherwise);
the services in ``core.webhooks`` audit each change."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods

from cicte.core import webhooks
from cicte.core.forms import apply_validation_error
from cicte.core.forms_webhooks import WebhookEndpointForm
from cicte.core.models import WebhookDelivery, WebhookEndpoint

DELIVERIES_SHOWN = 50


def _endpoint(request: HttpRequest, pk: int) -> WebhookEndpoint:
    return get_object_or_404(WebhookEndpoint.objects.visible_to(request.user), pk=pk)


def _list(request: HttpRequest, form: WebhookEndpointForm, status: int = 200) -> HttpResponse:
    endpoints = list(WebhookEndpoint.objects.visible_to(request.user))
    return render(
        request,
        "core/webhooks/list.html",
        {"endpoints": endpoints, "form": form},
        status=status,
    )


@require_GET
def webhook_list(request: HttpRequest) -> HttpResponse:
    """The person's endpoints and the form to add one."""
    return _list(request, WebhookEndpointForm())


def _secret_page(
    request: HttpRequest, endpoint: WebhookEndpoint, secret: str, *, created: bool
) -> HttpResponse:
    return render(
        request,
        "core/webhooks/secret.html",
        {
            "endpoint": endpoint,
            "secret": secret,
            "created": created,
            "tolerance_seconds": 300,
            "retry_delays": [delay // 60 for delay in webhooks.retry_delays()],
        },
        status=201 if created else 200,
    )


@never_cache
@sensitive_variables("secret")
@require_http_methods(["GET", "POST"])
def webhook_create(request: HttpRequest) -> HttpResponse:
    """Add an endpoint and show its signing secret in this response, the only time."""
    if request.method != "POST":
        return redirect("core:webhook_list")
    form = WebhookEndpointForm(request.POST)
    if form.is_valid():
        try:
            endpoint, secret = webhooks.create_endpoint(
                actor=request.user,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                error = ValidationError({"url": error.messages})
            apply_validation_error(form, error)
        else:
            return _secret_page(request, endpoint, secret, created=True)
    return _list(request, form, status=400)


@require_GET
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An endpoint and its delivery log: each event, its outcome and every attempt."""
    endpoint = _endpoint(request, pk)
    deliveries = list(
        WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-pk")[
            :DELIVERIES_SHOWN
        ]
    )
    for delivery in deliveries:
        delivery.attempt_rows = [  # type: ignore[attr-defined]
            {
                "at": parse_datetime(str(entry.get("at", ""))),
                "status_code": entry.get("status_code"),
                "error": entry.get("error", ""),
                "ms": entry.get("ms"),
            }
            for entry in delivery.attempt_log
        ]
    return render(
        request,
        "core/webhooks/detail.html",
        {
            "endpoint": endpoint,
            "deliveries": deliveries,
            "total": WebhookDelivery.objects.filter(endpoint=endpoint).count(),
            "shown": DELIVERIES_SHOWN,
        },
    )


@never_cache
@sensitive_variables("secret")
@require_http_methods(["GET", "POST"])
def webhook_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm (GET) and replace (POST) an endpoint's signing secret; the new one is shown once."""
    endpoint = _endpoint(request, pk)
    if request.method == "POST":
        secret = webhooks.rotate_secret(actor=request.user, endpoint=endpoint)
        return _secret_page(request, endpoint, secret, created=False)
    return render(request, "core/webhooks/rotate.html", {"endpoint": endpoint})


@require_http_methods(["GET", "POST"])
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm (GET) and delete (POST) an endpoint with its delivery log."""
    endpoint = _endpoint(request, pk)
    if request.method == "POST":
        url = endpoint.url
        webhooks.delete_endpoint(actor=request.user, endpoint=endpoint)
        messages.success(request, _("The endpoint {url} is deleted.").format(url=url))
        return redirect("core:webhook_list")
    return render(request, "core/webhooks/delete.html", {"endpoint": endpoint})
