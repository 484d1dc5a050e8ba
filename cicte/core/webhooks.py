"""Outgoing webhooks, built once for every module (advisories, sanctions lists...).

A module decides *which* endpoints an event goes to (its subscriptions, which know what each
subscriber may see) and calls :func:`emit` inside its service's transaction. Each delivery is a
POST of the JSON body ``{"event", "id", "occurred_at", "data"}`` with:

- ``X-CICTE-Timestamp``: Unix seconds of the attempt;
- ``X-CICTE-Signature: sha256=<hex>``: HMAC-SHA256 with the endpoint's secret over
  ``"<timestamp>.<body>"`` (the receiver recomputes it and rejects stale timestamps);
- ``X-CICTE-Event`` and ``X-CICTE-Delivery`` (the delivery's id, stable across retries).

A 2xx answer delivers; anything else (another status, a redirect, a timeout, a refused
connection) is retried after WEBHOOK_RETRY_DELAYS seconds (by default 1 min, 5 min, 30 min, 2 h,
6 h, 12 h: the last attempt a day after the first), then the delivery fails. Each attempt is
logged on the delivery, which its subscriber sees. The worker runs first attempts at once and a
periodic job the retries that fall due (:mod:`cicte.core.tasks`).

Targets on private, loopback or link-local addresses are refused (server-side request
forgery) unless WEBHOOK_ALLOW_PRIVATE_TARGETS is set, and plain http is refused unless
WEBHOOK_ALLOW_HTTP is set (both are set in development and tests).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cicte.core import audit
from cicte.core.models import WebhookDelivery, WebhookEndpoint
from cicte.core.targets import check_public_url

DEFAULT_RETRY_DELAYS = (60, 300, 1800, 7200, 21600, 43200)
TIMEOUT_SECONDS = 10
USER_AGENT = "CICTE-Platform-Webhooks/1"
Status = WebhookDelivery.Status


def retry_delays() -> tuple[int, ...]:
    return tuple(getattr(settings, "WEBHOOK_RETRY_DELAYS", DEFAULT_RETRY_DELAYS))


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of ``"<timestamp>.<body>"`` with ``secret``."""
    message = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, *, tolerance: int = 300
) -> bool:
    """What a receiver does (and the tests): the signature matches and the timestamp is recent."""
    try:
        fresh = abs(time.time() - int(timestamp)) <= tolerance
    except ValueError:
        return False
    return fresh and hmac.compare_digest(sign(secret, timestamp, body), signature)


# --- Targets -----------------------------------------------------------------------------------


def check_target(url: str) -> None:
    """Refuse a URL the platform must not call: not http(s), plain http, or a host that
    resolves to a non-public address (unless the settings allow them)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("Give an https:// address."))
    if parts.scheme == "http" and not getattr(settings, "WEBHOOK_ALLOW_HTTP", False):
        raise ValidationError(_("Webhooks are sent over https only: give an https:// address."))
    if not getattr(settings, "WEBHOOK_ALLOW_PRIVATE_TARGETS", False):
        check_public_url(url)


# --- Endpoints ---------------------------------------------------------------------------------


@transaction.atomic
def create_endpoint(
    *, actor: Any, url: str, events: Iterable[str] = (), description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint of ``actor`` and its signing secret (shown once)."""
    check_target(url)
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint.objects.create(
        owner=actor, url=url, events=sorted(set(events)), description=description, secret=secret
    )
    audit.record(
        actor=actor,
        action="webhook.endpoint_create",
        obj=endpoint,
        changes={"url": url, "events": endpoint.events},
    )
    return endpoint, secret


@transaction.atomic
def rotate_secret(*, actor: Any, endpoint: WebhookEndpoint) -> str:
    if endpoint.owner_id != actor.pk:
        raise WebhookEndpoint.DoesNotExist
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint.secret = secret
    endpoint.save(update_fields=["secret"])
    audit.record(actor=actor, action="webhook.secret_rotate", obj=endpoint)
    return secret


@transaction.atomic
def delete_endpoint(*, actor: Any, endpoint: WebhookEndpoint) -> None:
    if endpoint.owner_id != actor.pk:
        raise WebhookEndpoint.DoesNotExist
    audit.record(actor=actor, action="webhook.endpoint_delete", obj=endpoint)
    endpoint.delete()


# --- Events and deliveries ---------------------------------------------------------------------


def emit(
    *,
    event: str,
    data: dict[str, Any],
    endpoints: Iterable[WebhookEndpoint],
    occurred_at: dt.datetime | None = None,
) -> list[WebhookDelivery]:
    """Queue ``event`` for each endpoint that wants it. Call inside the service's transaction:
    the deliveries commit with the change, and the worker sends them after the commit."""
    event_id = uuid.uuid4()
    occurred = occurred_at or timezone.now()
    body = json.dumps(
        {"event": event, "id": str(event_id), "occurred_at": occurred.isoformat(), "data": data},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint=endpoint,
                event=event,
                event_id=event_id,
                body=body,
                next_attempt_at=timezone.now(),
            )
            for endpoint in endpoints
            if endpoint.wants(event)
        ]
    )
    if deliveries:
        from cicte.core import tasks

        ids = [delivery.pk for delivery in deliveries]
        transaction.on_commit(lambda: [tasks.deliver_webhook(pk) for pk in ids])
    return deliveries


def attempt(delivery_id: int, *, now: dt.datetime | None = None) -> WebhookDelivery:
    """One attempt at a pending delivery (a no-op for one delivered, failed or not yet due)."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint")
            .get(pk=delivery_id)
        )
        if delivery.status != Status.PENDING or (
            delivery.next_attempt_at and delivery.next_attempt_at > now
        ):
            return delivery
        # Claimed: a concurrent worker sees it as not yet due.
        delivery.next_attempt_at = now + dt.timedelta(seconds=TIMEOUT_SECONDS * 3)
        delivery.save(update_fields=["next_attempt_at"])
    endpoint = delivery.endpoint
    body = delivery.body.encode()
    timestamp = int(time.time())
    status_code: int | None = None
    error = ""
    started = time.perf_counter()
    if not endpoint.is_active:
        error = "The endpoint is disabled."
    else:
        try:
            check_target(endpoint.url)
            response = requests.post(
                endpoint.url,
                data=body,
                headers={
                    "Content-Type": "application/json",
                    "User-Agent": USER_AGENT,
                    "X-CICTE-Event": delivery.event,
                    "X-CICTE-Delivery": str(delivery.pk),
                    "X-CICTE-Timestamp": str(timestamp),
                    "X-CICTE-Signature": sign(endpoint.secret, timestamp, body),
                },
                timeout=TIMEOUT_SECONDS,
                allow_redirects=False,
            )
            status_code = response.status_code
            if not 200 <= status_code < 300:
                error = f"HTTP {status_code}"
        except ValidationError as exc:
            error = "; ".join(exc.messages)
        except requests.RequestException as exc:
            error = exc.__class__.__name__ + (f": {exc}" if str(exc) else "")
    elapsed = round((time.perf_counter() - started) * 1000)
    delivery.attempts += 1
    delivery.attempt_log = [
        *delivery.attempt_log,
        {"at": now.isoformat(), "status_code": status_code, "error": error[:300], "ms": elapsed},
    ]
    delays = retry_delays()
    if not error:
        delivery.status = Status.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts > len(delays):
        delivery.status = Status.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = now + dt.timedelta(seconds=delays[delivery.attempts - 1])
    delivery.save(
        update_fields=["attempts", "attempt_log", "status", "delivered_at", "next_attempt_at"]
    )
    return delivery


def due(now: dt.datetime | None = None) -> list[int]:
    """Pending deliveries whose next attempt has come."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )
