"""The directory's pages: search, contacts, designations and their lifecycle, the Secretariat's
confirmation queue, a coordinator's designations, the emergency roster and network policies.

Reads go through ``visible_to``: what a signed-in user may not see answers 404. Sensitive
fields (mobile and 24/7 phones, personal emails, OpenPGP keys) are shown only where
:func:`cicte.directory.selectors.can_see_sensitive` allows. Every view of a contact's details
and of a designation document is an audit event. Writes go through
:mod:`cicte.directory.services`: a refusal answers 403 (the record was visible), a
ValidationError is shown on the form.
"""

from __future__ import annotations

import mimetypes
import os
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, cast

import django_filters
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cicte.accounts import permissions
from cicte.accounts.models import MemberState, Network, User
from cicte.accounts.selectors import network_ids_for
from cicte.accounts.views.manage import FilteredListView, _collation_key
from cicte.core import audit
from cicte.core.forms import apply_validation_error
from cicte.core.models import AuditEvent
from cicte.core.pagination import KeysFirstPaginator
from cicte.directory import exchange, selectors, services
from cicte.directory.choices import (
    AttributeType,
    Availability,
    DesignationRole,
    DesignationStatus,
    PhoneKind,
    SecureChannelKind,
)
from cicte.directory.filtersets import ContactDesignationFilterSet, stale_condition
from cicte.directory.forms import (
    ContactForm,
    DesignationForm,
    NetworkChoiceForm,
    PolicyForm,
    RejectForm,
    WithdrawForm,
    language_choices,
    language_name,
    weekday_names,
)
from cicte.directory.models import Contact, ContactDesignation, ContactPhone, DirectoryPolicy
from cicte.directory.validation import display_phone

MANAGE = "directory.manage_designations"
VIEW_ALL = "directory.view_all_directories"
CONFIRM = "directory.confirm_designations"
MANAGE_NETWORKS = "accounts.manage_networks"
VIEWERS_SHOWN = 50
# In the roster, the national point of contact first, then the 24/7 operational contact.
ROLE_ORDER: dict[str, int] = {
    DesignationRole.NATIONAL_POC: 0,
    DesignationRole.OPERATIONAL: 1,
    DesignationRole.ALTERNATE: 2,
    DesignationRole.FOCAL_POINT: 3,
}
CURRENT = (DesignationStatus.PENDING, DesignationStatus.ACTIVE)


def _actor(request: HttpRequest) -> User:
    # LoginRequiredMiddleware lets only signed-in people reach these views.
    return cast(User, request.user)


def _next_url(request: HttpRequest, default: str) -> str:
    """Where to go after an action: the page it was made from when that is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# --- Shared reads ------------------------------------------------------------------------------


def sees_directory(user: Any, network: Network) -> bool:
    """A network's directory is seen by its members and the Secretariat (as ``visible_to``)."""
    return network.pk in network_ids_for(user) or permissions.has_global_perm(user, VIEW_ALL)


def _with_policies(designations: Iterable[ContactDesignation]) -> None:
    """Give each designation its network's policy in one query, not one per row."""
    selectors.attach_policies(designations, selectors.policies_by_network())


def _designations(actor: User) -> QuerySet[ContactDesignation]:
    """The designations ``actor`` sees, with what their pages show fetched in few queries."""
    return (
        ContactDesignation.objects.visible_to(actor)
        .select_related("contact__organization__member_state", "network", "member_state")
        .prefetch_related(
            "contact__phones",
            "contact__emails",
            "contact__languages",
            Prefetch(
                "contact__designations",
                queryset=ContactDesignation.objects.visible_to(actor).select_related("network"),
                to_attr="visible_designations",
            ),
        )
    )


def _decorate_phones(phones: Iterable[ContactPhone]) -> list[ContactPhone]:
    phones = list(phones)
    for phone in phones:
        phone.display = display_phone(phone.number)  # type: ignore[attr-defined]
    return phones


def _decorate_contact(
    actor: User, contact: Contact, designations: list[ContactDesignation]
) -> None:
    """Attach to ``contact`` the phones and emails ``actor`` may see (``designations``: the
    contact's designations visible to ``actor``, with their policies)."""
    sensitive = selectors.can_see_sensitive(actor, contact, designations)
    contact.sees_sensitive = sensitive  # type: ignore[attr-defined]
    contact.shown_phones = _decorate_phones(selectors.public_phones(contact, sensitive))  # type: ignore[attr-defined]
    contact.shown_emails = selectors.public_emails(contact, sensitive)  # type: ignore[attr-defined]


def _decorate_rows(rows: list[ContactDesignation], actor: User) -> None:
    """Policies, and the phones and emails ``actor`` may see, for rows of :func:`_designations`."""
    _with_policies(
        [*rows, *(d for row in rows for d in row.contact.visible_designations)]  # type: ignore[attr-defined]
    )
    for designation in rows:
        contact = designation.contact
        if not hasattr(contact, "shown_phones"):
            _decorate_contact(actor, contact, contact.visible_designations)  # type: ignore[attr-defined]


def _attribute_rows(designation: ContactDesignation) -> list[tuple[str, str]]:
    """The network-specific attributes, labelled from the policy in the reader's language."""
    language = (get_language() or "en")[:2]
    policy = designation.policy
    types = {item.get("key"): item.get("type") for item in policy.attribute_schema}
    rows = []
    for key, value in designation.attributes.items():
        if isinstance(value, list):
            text = "; ".join(str(v) for v in value)
        elif types.get(key) == AttributeType.BOOLEAN or isinstance(value, bool):
            text = _("Yes") if value else _("No")
        else:
            text = str(value)
        rows.append((policy.attribute_label(key, language), text))
    return rows


def _may_manage(actor: User, designation: ContactDesignation) -> bool:
    return services.may_designate(
        actor, member_state_id=designation.member_state_id, network=designation.network
    )


def _decorate_actions(actor: User, designation: ContactDesignation) -> None:
    """What ``actor`` may do with ``designation`` (the services check again)."""
    status = designation.status
    manager = _may_manage(actor, designation)
    flags = {
        "can_confirm": status == DesignationStatus.PENDING
        and permissions.has_global_perm(actor, CONFIRM),
        "can_withdraw": manager and status in CURRENT,
        "can_replace": manager and status == DesignationStatus.ACTIVE,
        "can_verify": status == DesignationStatus.ACTIVE
        and (manager or designation.contact.user_id == actor.pk),
    }
    for name, value in flags.items():
        setattr(designation, name, value)


# --- Search ------------------------------------------------------------------------------------


def _own_contacts(actor: User) -> QuerySet[Contact]:
    return Contact.objects.visible_to(actor).filter(user=actor)


def _coordinated_pairs(actor: User) -> set[tuple[int, int]]:
    """(member state, network) where ``actor`` is a national coordinator of designations."""
    return {
        (g.member_state_id, g.network_id)
        for g in permissions.grants_for(actor)
        if MANAGE in g.perms and g.member_state_id and g.network_id
    }


def _may_record_contacts(actor: User) -> bool:
    return services.is_secretariat(actor) or bool(
        permissions.member_states_with_perm(actor, MANAGE)
    )


def directory_menu(actor: User) -> dict[str, Any]:
    """What the directory's own menu offers ``actor``."""
    may_confirm = permissions.has_global_perm(actor, CONFIRM)
    return {
        "may_import": exchange.may_import(actor),
        "has_own_contact": _own_contacts(actor).exists(),
        "may_record_contacts": _may_record_contacts(actor),
        "is_coordinator": bool(_coordinated_pairs(actor)),
        "may_confirm": may_confirm,
        "pending_count": ContactDesignation.objects.visible_to(actor)
        .filter(status=DesignationStatus.PENDING)
        .count()
        if may_confirm
        else 0,
    }


# What the search's rows leave out: long or structured fields that its page does not show.
SEARCH_DEFERRED = (
    "attributes",
    "end_reason",
    "contact__pgp_key",
    "contact__pgp_user_ids",
    "contact__notes",
    "contact__secure_channels",
    "contact__office_days",
)


def _search_designations(actor: User) -> QuerySet[ContactDesignation]:
    """The designations ``actor`` sees, with what the search's page shows (and no more)."""
    return (
        ContactDesignation.objects.visible_to(actor)
        .select_related("contact__organization", "network", "member_state")
        .defer(*SEARCH_DEFERRED)
        .prefetch_related(
            # As lists (``to_attr``): Django's default gives every contact a queryset of each.
            Prefetch("contact__phones", to_attr="listed_phones"),
            Prefetch("contact__emails", to_attr="listed_emails"),
            Prefetch(
                "contact__designations",
                queryset=ContactDesignation.objects.visible_to(actor)
                .only("contact_id", "network_id", "member_state_id", "status")
                .order_by(),
                to_attr="visible_designations",
            ),
        )
    )


class DirectorySearchView(FilteredListView):
    """The directory: the designations the reader sees, searched and filtered by state, network,
    role, organisation, language, 24/7 availability, staleness, status, or in force on a date.
    Without a status or a date, the directory as it stands today (active designations)."""

    template_name = "directory/search.html"
    results_template_name = "directory/_search_results.html"
    filterset_class = ContactDesignationFilterSet

    paginator_class = KeysFirstPaginator

    def get_queryset(self, actor: User) -> QuerySet[ContactDesignation]:
        queryset = _search_designations(actor)
        params = self.request.GET
        if not params.getlist("status") and not params.get("on"):
            queryset = queryset.filter(status=DesignationStatus.ACTIVE)
        return queryset

    def prepare_filterset(self, filterset: django_filters.FilterSet, actor: User) -> None:
        filters = filterset.filters
        filters["language"].extra.update(choices=language_choices(), empty_label=_("Any"))
        filters["on"].extra["widget"] = forms.DateInput(attrs={"type": "date"})
        filters["on"].extra["help_text"] = _("Who was designated on that date.")
        filters["status"].extra["help_text"] = _(
            "Active designations unless you choose statuses or a date."
        )
        filters["status"].extra["initial"] = [DesignationStatus.ACTIVE]

    def decorate(self, rows: list[Any], actor: User) -> None:
        _decorate_rows(rows, actor)

    def get_context(self, actor: User) -> dict[str, Any]:
        networks = [n for n in Network.objects.visible_to(actor) if sees_directory(actor, n)]
        # Exports take the search's filters, and the same default: the directory as it stands.
        export_query = self.request.GET.copy()
        export_query.pop("page", None)
        if not export_query.getlist("status") and not export_query.get("on"):
            export_query.setlist("status", [DesignationStatus.ACTIVE])
        return {
            "menu": directory_menu(actor),
            "roster_networks": networks,
            "may_export": bool(exchange.ExportScope.of(actor)),
            "export_query": export_query.urlencode(),
        }


# --- Contacts ----------------------------------------------------------------------------------


def _visible_contact(actor: User, pk: int) -> Contact:
    return get_object_or_404(
        Contact.objects.visible_to(actor)
        .select_related("organization__member_state", "user")
        .prefetch_related("phones", "emails", "languages"),
        pk=pk,
    )


def _sees_viewers(actor: User, contact: Contact) -> bool:
    """The designating state's coordinators and the Secretariat see who looked at a contact."""
    if permissions.has_global_perm(actor, VIEW_ALL):
        return True
    state_id = contact.organization.member_state_id
    return bool(state_id) and state_id in permissions.member_states_with_perm(actor, MANAGE)


def _availability(contact: Contact) -> dict[str, Any]:
    """The contact's local time now, and whether it is within their office hours."""
    try:
        zone = zoneinfo.ZoneInfo(contact.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    local = timezone.now().astimezone(zone)
    in_office = None
    if contact.availability == Availability.OFFICE_HOURS:
        start, end = contact.office_hours_start, contact.office_hours_end
        in_office = bool(
            start
            and end
            and local.isoweekday() in (contact.office_days or [])
            and start <= local.time().replace(tzinfo=None) < end
        )
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    return {
        # Naive, so that the template shows the contact's clock and not the reader's.
        "local_now": local.replace(tzinfo=None),
        "utc_offset": f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}",
        "in_office": in_office,
        "office_days": weekday_names(contact.office_days or []),
    }


def _channels(contact: Contact) -> list[tuple[str, str]]:
    """The secure channels as (label, handle); ``{"kind", "address"}`` items, or plain text."""
    labels = dict(SecureChannelKind.choices)
    rows = []
    for item in contact.secure_channels or []:
        if isinstance(item, dict):
            kind = str(item.get("kind") or "")
            rows.append((str(labels.get(kind, kind)), str(item.get("address") or "")))
        elif item:
            rows.append(("", str(item)))
    return rows


def _fingerprint(text: str) -> str:
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _order_history(designations: list[ContactDesignation]) -> list[ContactDesignation]:
    """Current designations first, then the history, most recent first."""
    return sorted(
        designations,
        key=lambda d: (
            d.status not in CURRENT,
            -(d.effective_from or d.valid_from).toordinal(),
            d.pk,
        ),
    )


@require_GET
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A contact's details as the reader may see them, and their designations (current and
    past) in the networks whose directory the reader sees. Each view is on the record; the
    designating state's coordinators and the Secretariat see who looked."""
    actor = _actor(request)
    contact = _visible_contact(actor, pk)
    designations = list(
        ContactDesignation.objects.visible_to(actor)
        .filter(contact=contact)
        .select_related("network", "member_state", "contact")
    )
    _with_policies(designations)
    _decorate_contact(actor, contact, designations)
    for designation in designations:
        designation.attribute_rows = _attribute_rows(designation)  # type: ignore[attr-defined]
        _decorate_actions(actor, designation)
    audit.record_view(actor=actor, obj=contact)
    viewers = None
    if _sees_viewers(actor, contact):
        viewers = list(
            AuditEvent.objects.visible_to(actor)
            .filter(
                object_type="directory.contact",
                object_id=str(contact.pk),
                action="directory.contact.view",
            )
            .select_related("actor", "organization")[:VIEWERS_SHOWN]
        )
    context = {
        "contact": contact,
        "designations": _order_history(designations),
        "working_languages": [language_name(code) for code in contact.language_codes],
        "channels": _channels(contact),
        "availability": _availability(contact),
        "fingerprint": _fingerprint(contact.pgp_fingerprint),
        "viewers": viewers,
        "viewers_shown": VIEWERS_SHOWN,
        "can_edit": services.may_edit_contact(actor, contact),
        "may_export": exchange.ExportScope.of(actor).covers_contact(actor, contact, designations),
        "can_designate": contact.is_active
        and contact.organization.member_state_id is not None
        and bool(_networks_for_designating(actor, contact.organization.member_state_id)),
        "is_self": contact.user_id == actor.pk,
    }
    return render(request, "directory/contact_detail.html", context)


@require_GET
def my_contact(request: HttpRequest) -> HttpResponse:
    """The reader's own contact record (or the list of them, when they have several)."""
    actor = _actor(request)
    contacts = list(_own_contacts(actor).select_related("organization"))
    if not contacts:
        raise Http404
    if len(contacts) == 1:
        return redirect("directory:contact_detail", pk=contacts[0].pk)
    return render(request, "directory/my_contacts.html", {"contacts": contacts})


@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest) -> HttpResponse:
    """Record a contact of an organisation of the actor's state (any, for the Secretariat)."""
    actor = _actor(request)
    if not _may_record_contacts(actor):
        raise PermissionDenied
    organization = request.GET.get("organization", "")
    form = ContactForm(
        request.POST if request.method == "POST" else None,
        actor=actor,
        initial_organization=int(organization) if organization.isdigit() else None,
    )
    if form.is_bound and form.is_valid():
        try:
            contact = services.create_contact(actor=actor, **form.service_kwargs())
        except ValidationError as error:
            form.show_error(error)
        else:
            messages.success(request, _("{name} is recorded.").format(name=contact.name))
            return redirect("directory:contact_detail", pk=contact.pk)
    return render(request, "directory/contact_form.html", {"form": form, "contact": None})


@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a contact's details: their state's coordinators and the Secretariat all of them,
    the contact themselves (with their own account) the details that are theirs to keep."""
    actor = _actor(request)
    contact = _visible_contact(actor, pk)
    manager = services.may_manage_contacts_of(actor, contact.organization)
    if not manager and contact.user_id != actor.pk:
        raise PermissionDenied
    form = ContactForm(
        request.POST if request.method == "POST" else None,
        actor=actor,
        instance=contact,
        self_service=not manager,
    )
    if form.is_bound and form.is_valid():
        try:
            services.update_contact(actor=actor, contact=contact, **form.service_kwargs())
        except ValidationError as error:
            form.show_error(error)
        else:
            messages.success(
                request,
                _("The details of {name} are updated; its designations count as verified.").format(
                    name=contact.name
                ),
            )
            return redirect("directory:contact_detail", pk=contact.pk)
    return render(request, "directory/contact_form.html", {"form": form, "contact": contact})


# --- Designations ------------------------------------------------------------------------------


def _visible_designation(actor: User, pk: int) -> ContactDesignation:
    designation = get_object_or_404(
        ContactDesignation.objects.visible_to(actor).select_related(
            "contact__organization__member_state",
            "network",
            "member_state",
            "designated_by",
            "confirmed_by",
            "ended_by",
        ),
        pk=pk,
    )
    _with_policies([designation])
    return designation


def _designation_page(
    request: HttpRequest,
    actor: User,
    designation: ContactDesignation,
    *,
    reject_form: RejectForm | None = None,
    withdraw_form: WithdrawForm | None = None,
    status: int = 200,
) -> HttpResponse:
    _decorate_actions(actor, designation)
    visible = ContactDesignation.objects.visible_to(actor).select_related("contact")
    context = {
        "designation": designation,
        "attribute_rows": _attribute_rows(designation),
        "replaces": visible.filter(pk=designation.replaces_id).first()
        if designation.replaces_id
        else None,
        "replaced_by": list(visible.filter(replaces=designation)),
        "reject_form": reject_form or RejectForm(),
        "withdraw_form": withdraw_form or WithdrawForm(designation=designation),
    }
    return render(request, "directory/designation_detail.html", context, status=status)


@require_GET
def designation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One designation: who, where, in what role, by which note verbale, when in force; and the
    actions the reader may take on it."""
    actor = _actor(request)
    return _designation_page(request, actor, _visible_designation(actor, pk))


@require_GET
def designation_document(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The designation document, from private storage, to those who see the designation; a
    download, never shown inline; on the record."""
    actor = _actor(request)
    designation = _visible_designation(actor, pk)
    if not designation.document:
        raise Http404
    try:
        handle = designation.document.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    filename = os.path.basename(designation.document.name)
    audit.record(
        actor=actor,
        action="directory.contactdesignation.view",
        obj=designation,
        changes={"document": filename},
    )
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _networks_for_designating(actor: User, member_state_id: int | None = None) -> QuerySet[Network]:
    """The active networks where ``actor`` designates (for ``member_state_id``, when given)."""
    networks = Network.objects.filter(is_active=True)
    if services.is_secretariat(actor):
        return networks
    return networks.filter(
        pk__in=permissions.networks_with_perm(actor, MANAGE, member_state_id=member_state_id)
    )


def _contacts_for_designating(
    actor: User, network: Network, replaces: ContactDesignation | None
) -> QuerySet[Contact]:
    """The active contacts ``actor`` may designate to ``network``."""
    contacts = Contact.objects.visible_to(actor).filter(
        is_active=True, organization__member_state__isnull=False
    )
    if replaces is not None:
        contacts = contacts.filter(organization__member_state_id=replaces.member_state_id)
    if not services.is_secretariat(actor):
        states = {state for state, net in _coordinated_pairs(actor) if net == network.pk}
        contacts = contacts.filter(organization__member_state_id__in=states)
    return contacts.order_by("name", "pk")


def _designation_form_view(
    request: HttpRequest,
    actor: User,
    *,
    contact: Contact | None = None,
    replaces: ContactDesignation | None = None,
) -> HttpResponse:
    """Designate: first the network (unless there is only one to choose, or a designation is
    being replaced), then the contact, role, note verbale and the network's attributes."""
    networks: QuerySet[Network]
    if replaces is not None:
        networks = Network.objects.filter(pk=replaces.network_id)
    else:
        state_id = contact.organization.member_state_id if contact is not None else None
        networks = _networks_for_designating(actor, state_id)
    choices = list(networks)
    if not choices:
        raise PermissionDenied
    slug = request.POST.get("network") or request.GET.get("network")
    network = next((n for n in choices if n.slug == slug), None)
    if network is None and len(choices) == 1:
        network = choices[0]
    context: dict[str, Any] = {"contact": contact, "replaces": replaces}
    if network is None:
        context["network_form"] = NetworkChoiceForm(
            request.GET if slug else None, networks=networks
        )
        return render(request, "directory/designation_form.html", context)
    policy = services.policy_for(network)
    form = DesignationForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        network=network,
        policy=policy,
        contacts=None
        if contact is not None
        else _contacts_for_designating(actor, network, replaces),
        replaces=replaces,
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            designation = services.designate(
                actor=actor,
                contact=contact or data["contact"],
                network=network,
                role=data["role"],
                note_verbale_number=data["note_verbale_number"],
                note_verbale_date=data["note_verbale_date"],
                document=data["document"] or None,
                valid_from=data["valid_from"],
                attributes=form.attributes(),
                replaces=replaces,
            )
        except ValidationError as error:
            form.show_error(error)
        else:
            if designation.status == DesignationStatus.PENDING:
                text = _(
                    "The designation is recorded; it takes effect when the Secretariat confirms it."
                )
            else:
                text = _("The designation is in force.")
            messages.success(request, text)
            return redirect("directory:designation_detail", pk=designation.pk)
    context.update(
        form=form,
        network=network,
        policy=policy,
        other_networks=len(choices) > 1 and replaces is None,
    )
    return render(request, "directory/designation_form.html", context)


@require_http_methods(["GET", "POST"])
def designation_create(request: HttpRequest) -> HttpResponse:
    """Designate one of the actor's state's contacts to a network they coordinate."""
    return _designation_form_view(request, _actor(request))


@require_http_methods(["GET", "POST"])
def contact_designate(request: HttpRequest, pk: int) -> HttpResponse:
    """Designate this contact to a network."""
    actor = _actor(request)
    contact = _visible_contact(actor, pk)
    if not contact.is_active or contact.organization.member_state_id is None:
        raise PermissionDenied
    return _designation_form_view(request, actor, contact=contact)


@require_http_methods(["GET", "POST"])
def designation_replace(request: HttpRequest, pk: int) -> HttpResponse:
    """Designate another contact in place of this one; the old designation ends when the new
    one takes effect."""
    actor = _actor(request)
    designation = _visible_designation(actor, pk)
    if not _may_manage(actor, designation):
        raise PermissionDenied
    if designation.status != DesignationStatus.ACTIVE:
        messages.error(request, _("Only an active designation can be replaced."))
        return redirect("directory:designation_detail", pk=designation.pk)
    return _designation_form_view(request, actor, replaces=designation)


@require_POST
def designation_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The Secretariat confirms a pending designation."""
    actor = _actor(request)
    designation = _visible_designation(actor, pk)
    try:
        services.confirm_designation(actor=actor, designation=designation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The designation of {name} is confirmed and in force.").format(
                name=designation.contact.name
            ),
        )
    return redirect(_next_url(request, reverse("directory:designation_detail", kwargs={"pk": pk})))


@require_POST
def designation_reject(request: HttpRequest, pk: int) -> HttpResponse:
    """The Secretariat rejects a pending designation, saying why."""
    actor = _actor(request)
    designation = _visible_designation(actor, pk)
    if not permissions.has_global_perm(actor, CONFIRM):
        raise PermissionDenied
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.reject_designation(
                actor=actor, designation=designation, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The designation is rejected."))
            return redirect("directory:designation_detail", pk=pk)
    return _designation_page(request, actor, designation, reject_form=form, status=400)


@require_POST
def designation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The designating state (or the Secretariat) withdraws a designation; it stays in the
    history."""
    actor = _actor(request)
    designation = _visible_designation(actor, pk)
    if not _may_manage(actor, designation):
        raise PermissionDenied
    form = WithdrawForm(request.POST, designation=designation)
    if form.is_valid():
        try:
            services.withdraw_designation(
                actor=actor,
                designation=designation,
                reason=form.cleaned_data["reason"],
                on=form.cleaned_data.get("on"),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The designation is withdrawn."))
            return redirect("directory:designation_detail", pk=pk)
    return _designation_page(request, actor, designation, withdraw_form=form, status=400)


@require_POST
def designation_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """The contact or their coordinator confirms that the details are current."""
    actor = _actor(request)
    designation = _visible_designation(actor, pk)
    try:
        services.verify_designation(actor=actor, designation=designation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Thank you: the details of {name} are marked current.").format(
                name=designation.contact.name
            ),
        )
    return redirect(_next_url(request, reverse("directory:designation_detail", kwargs={"pk": pk})))


# --- Work queues -------------------------------------------------------------------------------


def _with_overdue(queryset: QuerySet[ContactDesignation]) -> QuerySet[ContactDesignation]:
    return queryset.annotate(
        overdue=Case(
            When(stale_condition(), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


@require_GET
def pending(request: HttpRequest) -> HttpResponse:
    """Designations awaiting the Secretariat's confirmation, oldest first."""
    actor = _actor(request)
    if not permissions.has_global_perm(actor, CONFIRM):
        raise PermissionDenied
    rows = list(
        _designations(actor)
        .filter(status=DesignationStatus.PENDING)
        .select_related("replaces__contact", "designated_by")
        .order_by("designated_at", "pk")
    )
    _decorate_rows(rows, actor)
    return render(request, "directory/pending.html", {"rows": rows, "menu": directory_menu(actor)})


@require_GET
def state_designations(request: HttpRequest) -> HttpResponse:
    """A national coordinator's designations: their state's, in the networks they coordinate,
    stale ones first."""
    actor = _actor(request)
    pairs = _coordinated_pairs(actor)
    if not pairs:
        raise PermissionDenied
    condition = Q(pk__in=[])
    for state_id, network_id in sorted(pairs):
        condition |= Q(member_state_id=state_id, network_id=network_id)
    rows = list(
        _with_overdue(_designations(actor).filter(condition, status__in=CURRENT)).order_by(
            "-overdue", "network__name", "member_state__name", "role", "contact__name", "pk"
        )
    )
    _decorate_rows(rows, actor)
    for row in rows:
        _decorate_actions(actor, row)
    networks = Network.objects.filter(pk__in={network for _state, network in pairs})
    states = MemberState.objects.filter(pk__in={state for state, _network in pairs})
    context = {
        "rows": rows,
        "stale_count": sum(1 for row in rows if row.is_stale),
        "networks": networks,
        "states": states,
        "menu": directory_menu(actor),
    }
    return render(request, "directory/state_designations.html", context)


# --- Emergency roster --------------------------------------------------------------------------


def _visible_network_directory(actor: User, slug: str) -> Network:
    network = get_object_or_404(Network.objects.visible_to(actor), slug=slug)
    if not sees_directory(actor, network):
        raise Http404
    return network


@require_GET
def roster(request: HttpRequest, slug: str) -> HttpResponse:
    """The 24/7 contacts of every member state in a network, on one printable page: the
    contacts available around the clock or with a 24/7 line among each state's active
    designations, national point of contact first."""
    actor = _actor(request)
    network = _visible_network_directory(actor, slug)
    hotline = ContactPhone.objects.filter(contact_id=OuterRef("contact_id"), kind=PhoneKind.HOTLINE)
    designations = list(
        _designations(actor)
        .filter(network=network, status=DesignationStatus.ACTIVE)
        .filter(Q(contact__availability=Availability.ALWAYS) | Q(Exists(hotline)))
    )
    _decorate_rows(designations, actor)
    by_state: dict[int, list[ContactDesignation]] = defaultdict(list)
    for designation in designations:
        contact = designation.contact
        contact.hotlines = [p for p in contact.shown_phones if p.kind == PhoneKind.HOTLINE]  # type: ignore[attr-defined]
        contact.other_phones = [p for p in contact.shown_phones if p.kind != PhoneKind.HOTLINE]  # type: ignore[attr-defined]
        contact.hotline_hidden = not contact.sees_sensitive and any(  # type: ignore[attr-defined]
            p.kind == PhoneKind.HOTLINE for p in contact.phones.all()
        )
        by_state[designation.member_state_id].append(designation)
    states = sorted(MemberState.objects.all(), key=lambda s: _collation_key(s.localized_name))
    rows = [
        {
            "state": state,
            "designations": sorted(
                by_state.get(state.pk, []),
                key=lambda d: (ROLE_ORDER.get(d.role, 9), _collation_key(d.contact.name)),
            ),
        }
        for state in states
    ]
    context = {
        "network": network,
        "rows": rows,
        "covered": sum(1 for row in rows if row["designations"]),
        "generated_at": timezone.now(),
    }
    return render(request, "directory/roster.html", context)


# --- Network policies --------------------------------------------------------------------------


def _policy_of(network: Network) -> DirectoryPolicy:
    return DirectoryPolicy.objects.filter(network=network).first() or DirectoryPolicy(
        network=network
    )


@require_GET
def policy_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """How a network keeps its directory, for those who see it."""
    actor = _actor(request)
    network = _visible_network_directory(actor, slug)
    policy = _policy_of(network)
    language = (get_language() or "en")[:2]
    attributes = [
        {
            "key": item.get("key"),
            "label": policy.attribute_label(item.get("key", ""), language),
            "type": AttributeType(item["type"]).label
            if item.get("type") in AttributeType.values
            else item.get("type"),
            "required": bool(item.get("required")),
        }
        for item in policy.attribute_schema
    ]
    context = {
        "network": network,
        "policy": policy,
        "roles": [str(label) for _value, label in policy.role_choices],
        "attributes": attributes,
        "can_edit": permissions.has_global_perm(actor, MANAGE_NETWORKS),
        # The secure exchange's escalation delay: the network's own, or the platform default.
        "escalation_minutes": policy.exchange_escalate_after_minutes
        or settings.EXCHANGE_ESCALATE_AFTER_MINUTES,
        "escalation_is_default": policy.exchange_escalate_after_minutes is None,
    }
    return render(request, "directory/policy_detail.html", context)


@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """The Secretariat sets a network's directory policy."""
    actor = _actor(request)
    network = _visible_network_directory(actor, slug)
    if not permissions.has_global_perm(actor, MANAGE_NETWORKS):
        raise PermissionDenied
    policy = _policy_of(network)
    form = PolicyForm(request.POST if request.method == "POST" else None, policy=policy)
    if form.is_bound and form.is_valid():
        try:
            services.update_policy(actor=actor, network=network, **form.service_kwargs())
        except ValidationError as error:
            form.show_error(error)
        else:
            messages.success(
                request,
                _("The directory policy of {network} is updated.").format(
                    network=network.localized_name
                ),
            )
            return redirect("directory:policy_detail", slug=network.slug)
    status = 400 if form.is_bound else 200
    return render(
        request, "directory/policy_form.html", {"form": form, "network": network}, status=status
    )
