"""Pages that write advisories and subscriptions, all through ``services``.

An advisory is found among those the person may see (drafts and advisories under review only
by their own organisation): anything else answers 404. An action on a visible advisory that
the person may not take answers 403; the detail page shows only the buttons of the actions
``actions_for`` allows, with the same rules as the services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cicte.accounts.models import User
from cicte.advisories import services
from cicte.advisories.choices import AdvisoryStatus, Severity
from cicte.advisories.forms import (
    AdvisoryForm,
    ReasonForm,
    SubscriptionForm,
    TranslationForm,
    publishable_networks,
)
from cicte.advisories.models import Advisory, Subscription
from cicte.core.forms import apply_validation_error

LISTED = (AdvisoryStatus.PUBLISHED, AdvisoryStatus.WITHDRAWN)


def visible_advisories(user: Any) -> QuerySet[Advisory]:
    """What the person may see: published or withdrawn advisories under TLP, and the drafts and
    advisories under review of their own organisation."""
    queryset = Advisory.objects.visible_to(user)
    own = Q(owner_organization_id=user.organization_id) if user.organization_id else Q(pk=None)
    return queryset.filter(Q(status__in=LISTED) | own)


def _advisory(request: HttpRequest, pk: int) -> Advisory:
    return get_object_or_404(
        visible_advisories(request.user).select_related("network", "owner_organization"), pk=pk
    )


def _author_side(user: Any, advisory: Advisory) -> bool:
    return bool(
        user.organization_id
        and user.organization_id == advisory.owner_organization_id
        and services.may_publish_in(user, advisory.network)
    )


def actions_for(user: Any, advisory: Advisory) -> dict[str, bool]:
    """Which actions ``user`` may take on ``advisory`` (the services' rules)."""
    author = _author_side(user, advisory)
    status = advisory.status
    reviewer = author and user.pk not in (advisory.submitted_by_id, advisory.created_by_id)
    return {
        "edit": author and status != AdvisoryStatus.WITHDRAWN,
        "translate": author and status != AdvisoryStatus.WITHDRAWN,
        "submit": author and status == AdvisoryStatus.DRAFT,
        "approve": reviewer and status == AdvisoryStatus.IN_REVIEW,
        "send_back": author and status == AdvisoryStatus.IN_REVIEW,
        "withdraw": author and status == AdvisoryStatus.PUBLISHED,
    }


def possible_reviewers(advisory: Advisory) -> list[User]:
    """The people of the advisory's organisation who may approve it."""
    people = User.objects.filter(
        organization_id=advisory.owner_organization_id, is_active=True
    ).exclude(pk__in=[pk for pk in (advisory.submitted_by_id, advisory.created_by_id) if pk])
    return [
        person
        for person in people.order_by("full_name", "username")[:200]
        if services.may_publish_in(person, advisory.network)
    ]


def detail_context(user: Any, advisory: Advisory) -> dict[str, Any]:
    """What the detail page adds for the people who may act on the advisory."""
    actions = actions_for(user, advisory)
    context: dict[str, Any] = {"actions": actions, "any_action": any(actions.values())}
    if _author_side(user, advisory) and advisory.status in (
        AdvisoryStatus.DRAFT,
        AdvisoryStatus.IN_REVIEW,
    ):
        context["four_eyes"] = services.four_eyes(advisory.owner_organization_id)
        context["reviewers"] = possible_reviewers(advisory) if context["four_eyes"] else []
    return context


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- Advisories --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def advisory_create(request: HttpRequest) -> HttpResponse:
    """A new draft, in a network where the person may write advisories."""
    actor: Any = request.user
    _require(bool(actor.organization_id) and publishable_networks(actor).exists())
    form = AdvisoryForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            advisory = services.create_draft(
                actor=actor,
                network=form.cleaned_data["network"],
                collection=form.cleaned_data["collection"],
                **form.content(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Draft saved: submit it for review when it is ready."))
            return redirect("advisories:detail", pk=advisory.pk)
    return render(request, "advisories/form.html", {"form": form, "advisory": None})


@require_http_methods(["GET", "POST"])
def advisory_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft, or a published advisory (a new version, sent again with its note)."""
    advisory = _advisory(request, pk)
    _require(actions_for(request.user, advisory)["edit"])
    form = AdvisoryForm(request.POST or None, actor=request.user, advisory=advisory)
    if request.method == "POST" and form.is_valid():
        published = advisory.status == AdvisoryStatus.PUBLISHED
        try:
            services.update(
                actor=request.user,  # type: ignore[arg-type]
                advisory=advisory,
                note=form.cleaned_data.get("note", ""),
                **form.content(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if published:
                messages.success(
                    request,
                    _("Version {version} published and sent to the subscribers.").format(
                        version=advisory.version
                    ),
                )
            else:
                messages.success(request, _("Changes saved."))
            return redirect("advisories:detail", pk=advisory.pk)
    return render(request, "advisories/form.html", {"form": form, "advisory": advisory})


@require_http_methods(["GET", "POST"])
def advisory_translate(request: HttpRequest, pk: int) -> HttpResponse:
    """Add or change the advisory's text in another language (``?language=es`` picks one)."""
    advisory = _advisory(request, pk)
    _require(actions_for(request.user, advisory)["translate"])
    existing = {t.language: t for t in advisory.translations.all()}
    initial: dict[str, Any] = {}
    wanted = request.GET.get("language", "")
    if wanted in existing:
        translation = existing[wanted]
        initial = {
            "language": wanted,
            "title": translation.title,
            "summary": translation.summary,
            "recommendations": translation.recommendations,
        }
    elif wanted:
        initial = {"language": wanted}
    form = TranslationForm(request.POST or None, advisory=advisory, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.translate(
                actor=request.user,  # type: ignore[arg-type]
                advisory=advisory,
                language=data["language"],
                title=data["title"],
                summary=data["summary"],
                recommendations=data["recommendations"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Translation saved."))
            return redirect("advisories:detail", pk=advisory.pk)
    return render(
        request,
        "advisories/translation_form.html",
        {"form": form, "advisory": advisory, "existing": sorted(existing)},
    )


@require_POST
def advisory_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for review (or publish at once where the organisation has no four-eyes rule)."""
    advisory = _advisory(request, pk)
    _require(actions_for(request.user, advisory)["submit"])
    reviewer = None
    wanted = request.POST.get("reviewer", "")
    if wanted.isdigit():
        reviewer = next((p for p in possible_reviewers(advisory) if p.pk == int(wanted)), None)
    try:
        services.submit(actor=request.user, advisory=advisory, reviewer=reviewer)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("advisories:detail", pk=advisory.pk)
    if advisory.status == AdvisoryStatus.PUBLISHED:
        messages.success(
            request,
            _("Advisory {reference} published.").format(reference=advisory.reference),
        )
    else:
        messages.success(request, _("Submitted: another person of your organisation reviews it."))
    return redirect("advisories:detail", pk=advisory.pk)


@require_POST
def advisory_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """The second person approves: the advisory is published and sent to subscribers."""
    advisory = _advisory(request, pk)
    _require(actions_for(request.user, advisory)["approve"])
    services.approve(actor=request.user, advisory=advisory)  # type: ignore[arg-type]
    messages.success(
        request, _("Advisory {reference} published.").format(reference=advisory.reference)
    )
    return redirect("advisories:detail", pk=advisory.pk)


def _with_reason(
    request: HttpRequest, pk: int, action: str, template: str, service: Any, done: str
) -> HttpResponse:
    advisory = _advisory(request, pk)
    _require(actions_for(request.user, advisory)[action])
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=request.user, advisory=advisory, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, done)
            return redirect("advisories:detail", pk=advisory.pk)
    return render(request, template, {"form": form, "advisory": advisory})


@require_http_methods(["GET", "POST"])
def advisory_send_back(request: HttpRequest, pk: int) -> HttpResponse:
    """The reviewer returns the advisory to its author as a draft, saying why."""
    return _with_reason(
        request,
        pk,
        "send_back",
        "advisories/send_back.html",
        services.send_back,
        _("Sent back to its author as a draft."),
    )


@require_http_methods(["GET", "POST"])
def advisory_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a published advisory, saying why (subscribers are told)."""
    return _with_reason(
        request,
        pk,
        "withdraw",
        "advisories/withdraw.html",
        services.withdraw,
        _("Advisory withdrawn; subscribers are told."),
    )


# --- Subscriptions -----------------------------------------------------------------------------


def _subscription_values(form: SubscriptionForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "networks": list(data["networks"]),
        "severities": list(data["severities"]),
        "products": data["products"],
        "email": data["email"],
        "webhook": data["webhook"],
        "is_active": data["is_active"],
    }


@require_http_methods(["GET"])
def subscription_list(request: HttpRequest) -> HttpResponse:
    """The person's subscriptions to advisories."""
    subscriptions = list(
        Subscription.objects.visible_to(request.user)
        .select_related("webhook")
        .prefetch_related("networks")
    )
    for subscription in subscriptions:
        subscription.severity_labels = [  # type: ignore[attr-defined]
            Severity(value).label for value in subscription.severities if value in Severity.values
        ]
    return render(
        request,
        "advisories/subscription_list.html",
        {"subscriptions": subscriptions},
    )


@require_http_methods(["GET", "POST"])
def subscription_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create a subscription, or change one of the person's own (anyone else's is 404)."""
    actor: Any = request.user
    subscription = get_object_or_404(Subscription.objects.visible_to(actor), pk=pk) if pk else None
    initial: dict[str, Any] = {}
    if subscription is not None:
        initial = {
            "networks": list(subscription.networks.all()),
            "severities": subscription.severities,
            "products": ", ".join(subscription.products),
            "email": subscription.email,
            "webhook": subscription.webhook,
            "is_active": subscription.is_active,
        }
    form = SubscriptionForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if subscription is None:
                services.create_subscription(actor=actor, **_subscription_values(form))
            else:
                services.update_subscription(
                    actor=actor, subscription=subscription, **_subscription_values(form)
                )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Subscription saved."))
            return redirect("advisories:subscription_list")
    return render(
        request,
        "advisories/subscription_form.html",
        {"form": form, "subscription": subscription},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def subscription_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm (GET) and delete (POST) one of the person's own subscriptions."""
    actor: Any = request.user
    subscription = get_object_or_404(Subscription.objects.visible_to(actor), pk=pk)
    if request.method == "POST":
        services.delete_subscription(actor=actor, subscription=subscription)
        messages.success(request, _("Subscription deleted."))
        return redirect("advisories:subscription_list")
    return render(request, "advisories/subscription_delete.html", {"subscription": subscription})
