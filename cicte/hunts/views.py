"""The retro-hunt pages: a person's jobs, a new job (a file or pasted observables), a job's page
(its progress while the worker runs, brought up to date by htmx; then its matches, filtered and
paged, as CSV too), the download of its upload, its deletion, and the report of its matches as
sightings.

A job is its author's alone: everyone else gets 404 for it, its matches, CSV and file
(``HuntJob.objects.visible_to``). Writes go through :mod:`cicte.hunts.services`.

Uploads are streamed to disk with the retro-hunt's size limit first (``uploads.LIMIT``): the
view that takes them is exempt from the CSRF middleware and checks the token itself once the
limit is in place (:func:`cicte.core.jobs_views.guard_upload`). What a job's page and its
progress have in common with other upload jobs' is :mod:`cicte.core.jobs_views`.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cicte.accounts.models import User
from cicte.accounts.views.manage import FilteredListView
from cicte.core import jobs_views
from cicte.hunts import exports, services, uploads
from cicte.hunts.choices import HuntSource, SightingOutcome
from cicte.hunts.filtersets import HuntJobFilterSet, HuntMatchFilterSet
from cicte.hunts.forms import HuntJobForm, SightingsForm
from cicte.hunts.models import HuntJob, HuntMatch


def _actor(request: HttpRequest) -> User:
    # LoginRequiredMiddleware lets only signed-in people reach these views.
    return cast(User, request.user)


def _job(actor: User, pk: Any) -> HuntJob:
    return get_object_or_404(HuntJob.objects.visible_to(actor), pk=pk)


# --- The list -----------------------------------------------------------------------------------


class HuntJobListView(FilteredListView):
    """The person's jobs, newest first, with their status and counts."""

    template_name = "hunts/list.html"
    results_template_name = "hunts/_jobs.html"
    filterset_class = HuntJobFilterSet
    paginate_by = 25

    def get_queryset(self, actor: User) -> QuerySet[HuntJob]:
        return HuntJob.objects.visible_to(actor).order_by("-created_at")


# --- A new job ----------------------------------------------------------------------------------


def _form_page(request: HttpRequest, form: HuntJobForm, status: int = 200) -> HttpResponse:
    context = {"form": form, "keep_days": settings.HUNT_KEEP_UPLOAD_DAYS}
    return render(request, "hunts/new.html", context, status=status)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def job_create(request: HttpRequest) -> HttpResponse:
    """Upload a file or paste observables; the job runs on the worker."""
    if request.method == "POST":
        refused = jobs_views.guard_upload(
            request,
            uploads.LIMIT,
            refuse=lambda refusal: _form_page(request, HuntJobForm({}, refusal=refusal), 413),
            # The form's text fields beyond DATA_UPLOAD_MAX_MEMORY_SIZE: pasted text.
            data_too_big=HuntJobForm.paste_too_large_message,
        )
        if refused is not None:
            return refused
    return _job_create(request)


@csrf_protect
def _job_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if request.method != "POST":
        return _form_page(request, HuntJobForm())
    form = HuntJobForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload:
                job = services.create_job(
                    actor=actor, upload=upload, name=upload.name, source=HuntSource.UPLOAD
                )
            else:
                job = services.create_job(
                    actor=actor,
                    upload=services.text_upload(form.cleaned_data["text"]),
                    source=HuntSource.PASTE,
                )
        except ValidationError as exc:
            form.add_error("file" if upload else "text", exc)
        else:
            messages.success(request, _("The hunt is on its way: this page shows its progress."))
            return redirect("hunts:job_detail", pk=job.pk)
    return _form_page(request, form)


# --- A job --------------------------------------------------------------------------------------


class HuntJobDetailView(jobs_views.UploadJobDetailView):
    """A job: its progress while it runs, then its matches (filtered, paged)."""

    job_model = HuntJob
    template_name = "hunts/detail.html"
    results_template_name = "hunts/_matches.html"
    filterset_class = HuntMatchFilterSet

    def get_queryset(self, actor: User) -> QuerySet[HuntMatch]:
        return self.job.match_rows.order_by("line", "id")

    def get_context(self, actor: User) -> dict[str, Any]:
        job = self.job
        has_indicators = (
            job.is_finished
            and job.sightings_reported_at is None
            and job.match_rows.filter(stix_type="indicator").exists()
        )
        return {
            **super().get_context(actor),
            "sightings_form": SightingsForm() if has_indicators else None,
            "sighting_rows": [
                {**row, "outcome_label": SightingOutcome(row["outcome"]).label}
                for row in job.sightings_report
                if row.get("outcome") in SightingOutcome.values
            ],
        }


# The progress of a job, polled by htmx while it runs.
job_progress = jobs_views.UploadJobProgressView.as_view(
    job_model=HuntJob, template_name="hunts/_progress.html"
)


@require_GET
def matches_csv(request: HttpRequest, pk: Any) -> HttpResponseBase:
    """The job's matches (with the page's filters) as CSV."""
    job = _job(_actor(request), pk)
    return jobs_views.results_csv(
        request, job, HuntMatchFilterSet, exports.csv_response, "hunts:job_detail"
    )


@require_GET
def job_file(request: HttpRequest, pk: Any) -> HttpResponseBase:
    """The job's upload, as it was sent, for its author (while it is kept)."""
    return exports.upload_response(_job(_actor(request), pk))


@require_POST
def upload_delete(request: HttpRequest, pk: Any) -> HttpResponse:
    """Delete a finished job's upload now; its results stay."""
    actor = _actor(request)
    job = _job(actor, pk)
    try:
        services.remove_upload(actor=actor, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The upload was deleted; the results stay."))
    return redirect("hunts:job_detail", pk=job.pk)


@require_http_methods(["GET", "HEAD", "POST"])
def job_delete(request: HttpRequest, pk: Any) -> HttpResponse:
    """Delete a job, its matches and its upload (after a confirmation)."""
    actor = _actor(request)
    job = _job(actor, pk)
    if request.method == "POST":
        services.delete_job(actor=actor, job=job)
        messages.success(request, _("The hunt, its matches and its upload were deleted."))
        return redirect("hunts:job_list")
    return render(request, "hunts/delete.html", {"job": job})


@require_POST
def report_sightings(request: HttpRequest, pk: Any) -> HttpResponse:
    """Report the job's matches as STIX sightings, named or anonymous."""
    actor = _actor(request)
    job = _job(actor, pk)
    form = SightingsForm(request.POST)
    if form.is_valid():
        try:
            report = services.report_sightings(
                actor=actor, job=job, anonymous=form.cleaned_data["anonymous"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("You may not do this."))
        else:
            messages.success(
                request,
                _("Sightings stored: {stored}. Skipped: {skipped} (see below why).").format(
                    stored=report.stored, skipped=report.skipped
                ),
            )
    return redirect("hunts:job_detail", pk=job.pk)
