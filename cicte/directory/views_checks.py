"""Pages of communication checks ("pings"), the pages behind the links in the directory's emails,
and the bounce endpoint.

Checks are read through ``CommunicationCheck.objects.visible_to``: the Secretariat sees every
check, national coordinators those of the networks they coordinate; anyone else gets 404. Only the
Secretariat launches, reminds and closes (403 for a coordinator who sees the check). The links in
emails work without signing in, reveal only the network's name and the contact's own name, and
change nothing on GET (mail scanners follow links): the page's one button confirms.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import defaultdict
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cicte.accounts.models import Network, User
from cicte.accounts.views.manage import FilteredListView, _actor, _collation_key, _results_only
from cicte.core.forms import apply_validation_error
from cicte.directory import checks
from cicte.directory.choices import CheckStatus, DesignationStatus
from cicte.directory.filtersets import CommunicationCheckFilterSet
from cicte.directory.models import CheckRecipient, CommunicationCheck, ContactEmail

POLL_SECONDS = 10
# htmx stops polling when a poll answers 286: the check has closed.
STOP_POLLING = 286


def _visible_check(actor: User, pk: int) -> CommunicationCheck:
    return get_object_or_404(
        CommunicationCheck.objects.visible_to(actor).select_related("network", "launched_by"),
        pk=pk,
    )


def _is_open(check: CommunicationCheck) -> bool:
    return check.status == CheckStatus.OPEN and timezone.now() < check.deadline


# --- The list of checks, with their history --------------------------------------------------


class CheckListView(FilteredListView):
    """Every check the reader may see, newest first, with its response rate and median response
    time; the Secretariat launches new ones from here."""

    template_name = "directory/checks/list.html"
    results_template_name = "directory/checks/_list_results.html"
    filterset_class = CommunicationCheckFilterSet

    def check(self, actor: User) -> None:
        if not checks.may_see_checks(actor):
            raise Http404

    def get_queryset(self, actor: User) -> QuerySet[CommunicationCheck]:
        return CommunicationCheck.objects.visible_to(actor).select_related("network", "launched_by")

    def decorate(self, rows: list[Any], actor: User) -> None:
        by_check: dict[int, list[Any]] = defaultdict(list)
        answers = CheckRecipient.objects.filter(check_run__in=[c.pk for c in rows]).values_list(
            "check_run_id", "sent_at", "responded_at", "delivery_failed_at", named=True
        )
        for answer in answers:
            by_check[answer.check_run_id].append(answer)
        for check in rows:
            check.stats = checks.stats_for(by_check[check.pk])
            check.median = checks.format_duration(check.stats.median_seconds)
            check.is_open = _is_open(check)

    def get_context(self, actor: User) -> dict[str, Any]:
        return {"can_launch": checks.may_launch_checks(actor)}


# --- Launching a check -----------------------------------------------------------------------


class NetworkChoiceField(forms.ModelChoiceField):
    """Networks named in the reader's language, with how many contacts a check would ask."""

    def label_from_instance(self, obj: Any) -> str:
        count = getattr(obj, "designated", 0)
        return ngettext(
            "{network} ({count} designation)", "{network} ({count} designations)", count
        ).format(network=obj.localized_name, count=count)


class CheckLaunchForm(forms.Form):
    network = NetworkChoiceField(queryset=Network.objects.none(), label=gettext_lazy("Network"))
    deadline_hours = forms.IntegerField(
        label=gettext_lazy("Answer within (hours)"),
        min_value=1,
        max_value=checks.MAX_DEADLINE_HOURS,
        initial=checks.DEFAULT_DEADLINE_HOURS,
        help_text=gettext_lazy(
            "The links stop working after this time. Reminders go to those who have not "
            "answered after a day, then half-way through the time that remains."
        ),
    )
    message = forms.CharField(
        label=gettext_lazy("Message to the contacts"),
        required=False,
        max_length=checks.MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Optional; shown in the email above the link."),
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        in_force = (
            Q(designations__status=DesignationStatus.ACTIVE)
            & Q(designations__effective_from__lte=today)
            & (Q(designations__valid_to__isnull=True) | Q(designations__valid_to__gt=today))
        )
        self.fields["network"].queryset = (  # type: ignore[attr-defined]
            Network.objects.visible_to(actor)
            .filter(is_active=True)
            .annotate(designated=Count("designations", filter=in_force))
            .order_by("name")
        )


@require_http_methods(["GET", "POST"])
def check_launch(request: HttpRequest) -> HttpResponse:
    """The Secretariat launches a check of a network."""
    actor = _actor(request)
    if not checks.may_see_checks(actor):
        raise Http404
    if not checks.may_launch_checks(actor):
        raise PermissionDenied
    initial = {}
    if request.method == "GET" and request.GET.get("network"):
        initial["network"] = Network.objects.filter(slug=request.GET["network"]).first()
    form = CheckLaunchForm(
        request.POST if request.method == "POST" else None, actor=actor, initial=initial
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            check = checks.launch_check(
                actor=actor,
                network=data["network"],
                deadline=timezone.now() + dt.timedelta(hours=data["deadline_hours"]),
                message=data["message"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            count = check.recipients.count()
            messages.success(
                request,
                ngettext(
                    "The check is launched: {count} contact is asked.",
                    "The check is launched: {count} contacts are asked.",
                    count,
                ).format(count=count),
            )
            return redirect("directory:check_detail", pk=check.pk)
    return render(request, "directory/checks/launch.html", {"form": form})


# --- The live page of a check ----------------------------------------------------------------


def _recipient_state(recipient: CheckRecipient, failure: ContactEmail | None) -> dict[str, Any]:
    """What the live page says about one recipient: a word, never a colour alone."""
    if recipient.responded_at is not None:
        return {"code": "answered", "label": _("Answered"), "badge": "ok"}
    if not recipient.email:
        return {"code": "failed", "label": _("No working email address"), "badge": "error"}
    if recipient.delivery_failed_at is not None or failure is not None:
        return {"code": "failed", "label": _("Delivery failed"), "badge": "error"}
    if recipient.sent_at is None:
        return {"code": "sending", "label": _("Being sent"), "badge": ""}
    return {"code": "waiting", "label": _("No answer yet"), "badge": "warn"}


def _live_context(check: CommunicationCheck, actor: User, request: HttpRequest) -> dict[str, Any]:
    recipients = list(
        check.recipients.select_related(
            "designation__contact", "designation__member_state", "designation__network"
        )
    )
    failures = {
        (email.contact_id, email.address): email
        for email in ContactEmail.objects.filter(
            contact_id__in={r.designation.contact_id for r in recipients},
            bounced_at__isnull=False,
        )
    }
    states: dict[int, dict[str, Any]] = {}
    for recipient in recipients:
        designation = recipient.designation
        failure = failures.get((designation.contact_id, recipient.email.lower()))
        recipient.state = _recipient_state(recipient, failure)  # type: ignore[attr-defined]
        recipient.failure_reason = failure.bounce_reason if failure else ""  # type: ignore[attr-defined]
        recipient.response = checks.format_duration(  # type: ignore[attr-defined]
            recipient.response_time.total_seconds() if recipient.response_time else None
        )
        group = states.setdefault(
            designation.member_state_id,
            {"state": designation.member_state, "rows": []},
        )
        group["rows"].append(recipient)
    groups = sorted(states.values(), key=lambda g: _collation_key(g["state"].localized_name))
    for group in groups:
        group["rows"].sort(key=lambda r: _collation_key(r.designation.contact.name))
        group["stats"] = checks.stats_for(group["rows"])
        group["median"] = checks.format_duration(group["stats"].median_seconds)
    stats = checks.stats_for(recipients)
    is_open = _is_open(check)
    return {
        "check": check,
        "groups": groups,
        "stats": stats,
        "median": checks.format_duration(stats.median_seconds),
        "is_open": is_open,
        "polling": is_open and request.GET.get("refresh") != "off",
        "poll_seconds": POLL_SECONDS,
        "can_manage": checks.may_launch_checks(actor),
        "now": timezone.now(),
    }


@require_GET
def check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Per member state: who was asked, who answered and how fast, whose delivery failed.
    While the check is open, htmx asks for the live part every 10 seconds; the answer to the
    first poll after the check closed stops the polling."""
    actor = _actor(request)
    check = _visible_check(actor, pk)
    context = _live_context(check, actor, request)
    if _results_only(request):
        response = render(request, "directory/checks/_live.html", context)
        if not context["is_open"]:
            response.status_code = STOP_POLLING
    else:
        response = render(request, "directory/checks/detail.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
def check_remind(request: HttpRequest, pk: int) -> HttpResponse:
    """Send reminders now to those who have not answered."""
    actor = _actor(request)
    check = _visible_check(actor, pk)
    if not checks.may_launch_checks(actor):
        raise PermissionDenied
    try:
        count = checks.remind_non_responders(actor=actor, check=check)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if count:
            messages.success(
                request,
                ngettext(
                    "A reminder is on its way to {count} contact.",
                    "Reminders are on their way to {count} contacts.",
                    count,
                ).format(count=count),
            )
        else:
            messages.info(
                request,
                _(
                    "No one to remind: everyone answered, was reminded within the last hour, "
                    "or has no working address."
                ),
            )
    return redirect("directory:check_detail", pk=check.pk)


@require_POST
def check_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close a check before its deadline: its links stop working."""
    actor = _actor(request)
    check = _visible_check(actor, pk)
    if not checks.may_launch_checks(actor):
        raise PermissionDenied
    checks.close_check(actor=actor, check=check)
    messages.success(request, _("The check is closed."))
    return redirect("directory:check_detail", pk=check.pk)


# --- The links in emails ---------------------------------------------------------------------


def _link_page(
    request: HttpRequest,
    *,
    kind: str,
    status: checks.LinkStatus,
    network: Any = None,
    contact: Any = None,
    answered_at: Any = None,
) -> HttpResponse:
    context = {
        "kind": kind,
        "status": str(status),
        "network_name": network.localized_name if network is not None else "",
        "contact_name": contact.name if contact is not None else "",
        "answered_at": answered_at,
    }
    if status == checks.LinkStatus.VALID:
        template = "directory/checks/respond.html"
    elif status == checks.LinkStatus.CONFIRMED:
        template = "directory/checks/respond_done.html"
    else:
        template = "directory/checks/link_problem.html"
    response = render(request, template, context, status=status.http_status)
    # The address is a credential: no search engine or cache keeps it (never_cache), and the
    # platform's Referrer-Policy (same-origin) keeps it from other sites. Not "no-referrer":
    # browsers would then send "Origin: null" with the form, which CSRF protection refuses.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def check_respond(request: HttpRequest, token: str) -> HttpResponse:
    """A contact's answer to a communication check: GET shows the button, POST confirms."""
    if request.method == "POST":
        link = checks.record_response(token=token)
    else:
        link = checks.resolve_response_link(token)
    recipient = link.recipient
    if link.status == checks.LinkStatus.FORGED or recipient is None:
        return _link_page(request, kind="check", status=link.status)
    return _link_page(
        request,
        kind="check",
        status=link.status,
        network=recipient.check_run.network,
        contact=recipient.designation.contact,
        answered_at=recipient.responded_at,
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def verification_respond(request: HttpRequest, token: str) -> HttpResponse:
    """A contact confirms, from the verification cycle's email, that their details are current:
    GET shows the button, POST confirms."""
    if request.method == "POST":
        link = checks.confirm_verification(token=token)
    else:
        link = checks.resolve_verification_link(token)
    designation = link.designation
    if link.status == checks.LinkStatus.FORGED or designation is None:
        return _link_page(request, kind="verification", status=link.status)
    return _link_page(
        request,
        kind="verification",
        status=link.status,
        network=designation.network,
        contact=designation.contact,
        answered_at=designation.last_verified_at,
    )


# --- Bounces ---------------------------------------------------------------------------------


def _error(status: int, message: str, detail: Any = None) -> JsonResponse:
    return JsonResponse({"error": message, "detail": detail}, status=status)


@csrf_exempt
@login_not_required
@never_cache
@require_POST
def bounce(request: HttpRequest) -> JsonResponse:
    """A mail system reports an address that cannot be delivered to: JSON ``{"email", "reason"}``
    signed with DIRECTORY_BOUNCE_SECRET (``X-CICTE-Signature: sha256=<hex>``, HMAC-SHA256 over
    ``timestamp.body``, and ``X-CICTE-Timestamp`` within five minutes). Every directory address
    equal to it is flagged."""
    secret = settings.DIRECTORY_BOUNCE_SECRET
    if not secret:
        return _error(503, "Bounce reports are not accepted: DIRECTORY_BOUNCE_SECRET is not set.")
    try:
        checks.verify_bounce_signature(
            secret=secret,
            timestamp=request.headers.get("X-CICTE-Timestamp"),
            signature=request.headers.get("X-CICTE-Signature"),
            body=request.body,
            now=time.time(),
        )
    except checks.BounceRejected as exc:
        return _error(401, str(exc))
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _error(400, "The body is not JSON.")
    if not isinstance(data, dict):
        return _error(400, "The body must be a JSON object.")
    raw_email, reason = data.get("email"), data.get("reason", "")
    email = raw_email.strip() if isinstance(raw_email, str) else ""
    errors = {}
    if not email:
        errors["email"] = ["This field is required."]
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = ["Enter a valid email address."]
    if reason is not None and not isinstance(reason, str):
        errors["reason"] = ["Must be a string."]
    if errors:
        return _error(400, "The report is not valid.", errors)
    flagged = checks.flag_failed_delivery(address=email, reason=reason or "", source="bounce")
    return JsonResponse({"status": "ok", "flagged": flagged})
