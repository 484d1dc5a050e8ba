"""Participant pages: an event's participants (registration, attendance, completion, scores,
certificates), the import of a participant list, the person registry (with its likely
duplicates and their merge, the Secretariat's), certificate downloads, the holder's "My
certificates" and the public verification page.

Who sees what: events are visible to every signed-in person; the people registered for them
(names, emails, scores, certificates) only to the Secretariat and the event's organisers
(``Person``/``Registration``/``Certificate.objects.visible_to``). Everybody else sees, on an
event's participants page, the counts by sex and by member state. A person, registration or
certificate the user may not see answers 404; an action on a visible event that the user may
not take answers 403. Each look at a person's page or a download of a certificate is audited
(by ids, never by personal data).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cicte.accounts.models import MemberState
from cicte.core import audit
from cicte.core.forms import apply_validation_error
from cicte.workplan import certificates, people_import, privacy
from cicte.workplan import services_people as services
from cicte.workplan.choices import RegistrationStatus, Sex
from cicte.workplan.forms_people import (
    ImportForm,
    MergeForm,
    NewParticipantForm,
    PersonForm,
    PersonSearchForm,
    RegistrationForm,
    RevokeForm,
    VerifyForm,
)
from cicte.workplan.models import Certificate, Event, Person, Registration, is_secretariat

PAGE_SIZE = 50
DUPLICATE_GROUPS_PER_PAGE = 25


def _event(request: HttpRequest, pk: int) -> Event:
    return get_object_or_404(Event.objects.visible_to(request.user), pk=pk)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _audit_read(request: HttpRequest, action: str, obj: Any) -> None:
    with transaction.atomic():
        audit.record(
            actor=request.user,
            action=action,
            obj=obj,
            object_repr=services._repr(obj),
        )


def participant_counts(event: Event, *, exact: bool = True) -> dict[str, Any]:
    """The figures everybody may see: registrations by sex and by member state; with
    ``exact=False`` (readers who may not see the participants) the counts of one to four are
    masked (``cicte.workplan.privacy``), the total exact."""
    registrations = Registration.objects.filter(event=event)
    by_sex = dict(
        registrations.values_list("person__sex")
        .annotate(n=Count("pk"))
        .values_list("person__sex", "n")
    )
    states = (
        registrations.values("person__member_state")
        .annotate(n=Count("pk"))
        .order_by("person__member_state")
    )
    names = {s.pk: s.localized_name for s in MemberState.objects.all()}
    by_state = sorted(
        ((names.get(row["person__member_state"], _("Not stated")), row["n"]) for row in states),
        key=lambda item: str(item[0]),
    )
    sexes = [(label, by_sex.get(value, 0)) for value, label in Sex.choices]
    if not exact:
        sexes, by_state = privacy.mask_pairs(sexes), privacy.mask_pairs(by_state)
    return {"total": registrations.count(), "by_sex": sexes, "by_state": by_state}


# --- An event's participants -------------------------------------------------------------------


def event_participants_context(request: HttpRequest, event: Event) -> dict[str, Any]:
    """What the event's own page (``views.event_detail``) shows of its participants: the counts,
    for everybody who sees the event (``workplan/people/_event_participants.html``)."""
    exact = event.can_see_participants(request.user)
    return {"participant_counts": participant_counts(event, exact=exact)}


@require_GET
def event_participants(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    may_see = event.can_see_participants(request.user)
    context: dict[str, Any] = {
        "event": event,
        "may_see": may_see,
        "counts": participant_counts(event, exact=may_see),
    }
    if may_see:
        context["registrations"] = (
            Registration.objects.visible_to(request.user)
            .filter(event=event)
            .select_related("person", "person__member_state")
            .prefetch_related("certificates")
            .order_by("person__full_name", "pk")
        )
    return render(request, "workplan/people/participants.html", context)


@require_http_methods(["GET", "POST"])
def participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Register a person for the event: found in the registry (same email, else same name,
    state and organisation) or added to it."""
    event = _event(request, pk)
    _require(services.may_manage_participants(request.user, event))
    form = NewParticipantForm(request.POST or None, initial={"status": "registered"})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                person, created = services.add_or_update_person(
                    actor=request.user,  # type: ignore[arg-type]
                    details=form.details(),
                    event=event,
                )
                services.register_person(
                    actor=request.user,  # type: ignore[arg-type]
                    event=event,
                    person=person,
                    status=form.cleaned_data["status"],
                    pre_score=form.cleaned_data["pre_score"],
                    post_score=form.cleaned_data["post_score"],
                )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if created:
                messages.success(request, _("Participant added to the registry and registered."))
            else:
                messages.success(
                    request, _("This person was already in the registry: registered for the event.")
                )
            return redirect("workplan:event_participants", pk=event.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "workplan/people/participant_form.html",
        {"form": form, "event": event},
        status=status,
    )


def _registration(request: HttpRequest, pk: int) -> Registration:
    return get_object_or_404(
        Registration.objects.visible_to(request.user).select_related(
            "event", "person", "person__member_state"
        ),
        pk=pk,
    )


@require_http_methods(["GET", "POST"])
def registration_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Attendance, completion and scores of one participant; their certificate."""
    registration = _registration(request, pk)
    form = RegistrationForm(
        request.POST or None,
        initial={
            "status": registration.status,
            "pre_score": registration.pre_score,
            "post_score": registration.post_score,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_participation(
                actor=request.user,  # type: ignore[arg-type]
                registration=registration,
                status=form.cleaned_data["status"],
                pre_score=form.cleaned_data["pre_score"],
                post_score=form.cleaned_data["post_score"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            registration.refresh_from_db()
        else:
            messages.success(request, _("Participation saved."))
            return redirect("workplan:event_participants", pk=registration.event_id)
    issued = list(
        Certificate.objects.visible_to(request.user)
        .filter(registration=registration)
        .order_by("-issued_at", "-pk")
    )
    certificate = next((c for c in issued if c.is_valid), issued[0] if issued else None)
    return render(
        request,
        "workplan/people/registration.html",
        {
            "registration": registration,
            "event": registration.event,
            "form": form,
            "certificate": certificate,
            "earlier": [c for c in issued if c != certificate],
            "may_issue": (certificate is None or not certificate.is_valid)
            and registration.status == RegistrationStatus.COMPLETED,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def certificate_issue(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _registration(request, pk)
    try:
        services.issue_certificate(
            actor=request.user,  # type: ignore[arg-type]
            registration=registration,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Certificate issued."))
    return redirect("workplan:registration_edit", pk=registration.pk)


def _certificate(request: HttpRequest, pk: int, *, download: bool = False) -> Certificate:
    certificates = Certificate.objects
    queryset = (
        certificates.downloadable_by(request.user)
        if download
        else certificates.visible_to(request.user)
    )
    return get_object_or_404(
        queryset.select_related("registration__event", "registration__person"), pk=pk
    )


@require_GET
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF: for the Secretariat, the event's organisers and the holder (a valid one)."""
    certificate = _certificate(request, pk, download=True)
    pdf = certificates.render_pdf(certificate)
    _audit_read(request, "workplan.certificate.download", certificate)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def certificate_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _certificate(request, pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.revoke_certificate(
                actor=request.user,  # type: ignore[arg-type]
                certificate=certificate,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Certificate revoked."))
            return redirect("workplan:registration_edit", pk=certificate.registration_id)
    return render(
        request,
        "workplan/people/revoke.html",
        {"certificate": certificate, "registration": certificate.registration, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- Import -------------------------------------------------------------------------------------


def _import(request: HttpRequest, event: Event, form: ImportForm) -> Any:
    """Check and apply the uploaded list: the summary, or the rejected rows (the form says what
    is wrong with a file that cannot be read)."""
    upload = form.cleaned_data["file"]
    if upload.size > people_import.max_bytes():
        form.add_error(
            "file",
            _("The file is larger than {size} bytes: split the list.").format(
                size=people_import.max_bytes()
            ),
        )
        return None
    try:
        rows, errors = people_import.check_file(upload.read(), upload.name or "")
        if errors:
            return errors
        return services.import_participants(
            actor=request.user,  # type: ignore[arg-type]
            event=event,
            rows=rows,
        )
    except people_import.ImportFileError as error:
        form.add_error("file", str(error))
        return None
    except services.ImportRejected as rejected:
        return [people_import.RowError(*error) for error in rejected.errors]


@require_http_methods(["GET", "POST"])
def participant_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a CSV or XLSX list: every row is checked, and nothing is imported unless every row
    is valid; the report lists each rejected row (line, column, reason)."""
    event = _event(request, pk)
    _require(services.may_manage_participants(request.user, event))
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"event": event, "form": form, "columns": people_import.COLUMNS}
    if request.method != "POST":
        return render(request, "workplan/people/import.html", context)
    outcome = _import(request, event, form) if form.is_valid() else None
    if isinstance(outcome, services.ImportSummary):
        messages.success(
            request,
            _(
                "Imported: {created} new people in the registry, {updated} updated; "
                "{registered} registrations added, {changed} updated."
            ).format(
                created=outcome.people_created,
                updated=outcome.people_updated,
                registered=outcome.registrations_created,
                changed=outcome.registrations_updated,
            ),
        )
        return redirect("workplan:event_participants", pk=event.pk)
    context["report"] = outcome or []
    return render(request, "workplan/people/import.html", context, status=400)


# --- The registry -------------------------------------------------------------------------------


@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    """The people the user may see (the Secretariat: everyone; organisers: their events'
    participants), searched by name, email or organisation."""
    people: QuerySet[Person] = Person.objects.visible_to(request.user).select_related(
        "member_state"
    )
    form = PersonSearchForm(request.GET or None)
    if form.is_valid():
        query = form.cleaned_data["q"]
        if query:
            folded = services.fold(query)
            people = people.filter(
                Q(name_key__contains=folded)
                | Q(email_key__contains=query.strip().casefold())
                | Q(organization_name__icontains=query.strip())
            )
        if form.cleaned_data["sex"]:
            people = people.filter(sex=form.cleaned_data["sex"])
        if form.cleaned_data["member_state"]:
            people = people.filter(member_state=form.cleaned_data["member_state"])
    people = people.annotate(events=Count("registrations", distinct=True)).order_by(
        "full_name", "pk"
    )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workplan/people/person_list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": page.object_list,
            "is_secretariat": is_secretariat(request.user),
            "list_url": request.path,
        },
    )


def _person(request: HttpRequest, pk: int) -> Person:
    return get_object_or_404(
        Person.objects.visible_to(request.user).select_related("member_state"), pk=pk
    )


@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    registrations = (
        Registration.objects.visible_to(request.user)
        .filter(person=person)
        .select_related("event")
        .prefetch_related("certificates")
        .order_by("-event__starts_at")
    )
    _audit_read(request, "workplan.person.view", person)
    return render(
        request,
        "workplan/people/person_detail.html",
        {"person": person, "registrations": registrations},
    )


@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    form = PersonForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(
                actor=request.user,  # type: ignore[arg-type]
                person=person,
                details=form.details(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Participant saved."))
            return redirect("workplan:person_detail", pk=person.pk)
    return render(
        request,
        "workplan/people/person_form.html",
        {"form": form, "person": person},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def my_certificates(request: HttpRequest) -> HttpResponse:
    """The certificates of the participant linked to the signed-in account (registered with the
    account's email): the valid ones to download, the revoked ones marked so."""
    held = (
        Certificate.objects.held_by(request.user)
        .select_related("registration__event")
        .order_by("-registration__event__starts_at", "-pk")
    )
    return render(request, "workplan/people/my_certificates.html", {"certificates": held})


# --- Merging duplicate records ------------------------------------------------------------------


@require_GET
def person_duplicates(request: HttpRequest) -> HttpResponse:
    """Records that may be one person (same name and organisation, or same mailbox), each group
    with a link to merge them (the Secretariat)."""
    _require(is_secretariat(request.user))
    people = (
        Person.objects.visible_to(request.user)
        .select_related("member_state")
        .annotate(events=Count("registrations", distinct=True))
        .order_by("pk")
    )
    page = Paginator(services.likely_duplicates(people), DUPLICATE_GROUPS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "workplan/people/duplicates.html",
        {"page_obj": page, "groups": page.object_list, "list_url": request.path},
    )


def _merge_pair(request: HttpRequest, data: Any) -> tuple[Person, Person]:
    form = MergeForm(data)
    if not form.is_valid():
        raise Http404
    visible = Person.objects.visible_to(request.user).select_related("member_state")
    keep = get_object_or_404(visible, pk=form.cleaned_data["keep"])
    merge = get_object_or_404(visible, pk=form.cleaned_data["merge"])
    return keep, merge


@require_http_methods(["GET", "POST"])
def person_merge(request: HttpRequest) -> HttpResponse:
    """Confirm, then merge ``merge`` into ``keep`` (the Secretariat)."""
    _require(is_secretariat(request.user))
    keep, merge = _merge_pair(request, request.POST if request.method == "POST" else request.GET)
    if request.method == "POST":
        try:
            summary = services.merge_people(
                actor=request.user,  # type: ignore[arg-type]
                keep=keep,
                merge=merge,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("workplan:person_duplicates")
        messages.success(
            request,
            _(
                "Records merged: {moved} registrations moved, {conflicts} events both were "
                "registered for resolved."
            ).format(moved=len(summary.moved), conflicts=len(summary.conflicts)),
        )
        return redirect("workplan:person_detail", pk=keep.pk)
    records = []
    for person in (keep, merge):
        registrations = (
            Registration.objects.filter(person=person)
            .select_related("event")
            .prefetch_related("certificates")
            .order_by("-event__starts_at")
        )
        records.append({"person": person, "registrations": registrations})
    shared = set(
        Registration.objects.filter(person=keep)
        .filter(event__registrations__person=merge)
        .values_list("event_id", flat=True)
    )
    return render(
        request,
        "workplan/people/merge.html",
        {"keep": keep, "merge": merge, "records": records, "shared": len(shared)},
    )


# --- Public verification ------------------------------------------------------------------------


def _no_index(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_not_required
@require_GET
def certificate_lookup(request: HttpRequest) -> HttpResponse:
    """A form to type a code in; sends to the code's verification page."""
    form = VerifyForm(request.GET or None)
    if form.is_valid():
        code = certificates.normalise_code(form.cleaned_data["code"]) or "invalid"
        return redirect("certificates:verify", code=code)
    return _no_index(render(request, "workplan/people/verify_lookup.html", {"form": form}))


@login_not_required
@require_GET
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Anyone holding a code learns whether it is a certificate, whose, for which event, and
    whether it was revoked; nothing else (no email, no organisation, no scores)."""
    normalised = certificates.normalise_code(code)
    certificate = None
    if normalised is not None:
        certificate = (
            Certificate.objects.filter(code=normalised)
            .select_related("registration__event", "registration__person")
            .first()
        )
    if normalised is not None and certificate is not None and normalised != code:
        return redirect("certificates:verify", code=normalised)
    context: dict[str, Any] = {"code": code[:40], "certificate": certificate}
    if certificate is not None:
        event = certificate.registration.event
        context.update(
            holder=certificate.registration.person.full_name,
            event_title=event.translated("title"),
            event=event,
            hours=certificates.event_hours(event),
            # A revoked certificate re-issued: the page says a newer one stands (not its code).
            reissued=not certificate.is_valid
            and Certificate.objects.valid()
            .filter(registration=certificate.registration_id, pk__gt=certificate.pk)
            .exists(),
        )
    response = render(
        request,
        "workplan/people/verify.html",
        context,
        status=200 if certificate is not None else 404,
    )
    return _no_index(response)
