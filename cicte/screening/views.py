"""The screening pages, under /sanctions/screening/: one name (a POST, so that customers' names
stay out of addresses and logs), the organisation's batch jobs, a new job (a customer file), a
job's page (its progress while the worker runs, brought up to date by htmx; then its rejection
report or its hits, filtered and paged, as CSV too), and a hit's page (its explanation and the
decision on it, with the history).

Jobs, hits and decisions are their organisation's alone: everyone else gets 404
(``visible_to``). Writes go through :mod:`cicte.screening.services`; single-name screening
through :func:`cicte.screening.services.screen_name`, as ``POST /api/sanctions/screen/``.

Uploads are streamed to disk with screening's size limit first (``uploads.LIMIT``): the view that
takes them is exempt from the CSRF middleware and checks the token itself once the limit is in
place (:func:`cicte.core.jobs_views.guard_upload`), as the retro-hunt's. What a job's page and
its progress have in common with other upload jobs' is :mod:`cicte.core.jobs_views`.
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
from django.views.decorators.http import require_GET, require_http_methods

from cicte.accounts.models import User
from cicte.accounts.views.manage import FilteredListView
from cicte.core import jobs_views
from cicte.sanctions.matching import Query, QueryError
from cicte.sanctions.screening import UnknownList
from cicte.screening import exports, services, uploads
from cicte.screening.choices import JobSource
from cicte.screening.filtersets import ScreeningHitFilterSet, ScreeningJobFilterSet
from cicte.screening.forms import DecisionForm, NameScreeningForm, ScreeningJobForm
from cicte.screening.models import HitDecision, ScreeningHit, ScreeningJob


def _actor(request: HttpRequest) -> User:
    # LoginRequiredMiddleware lets only signed-in people reach these views.
    return cast(User, request.user)


def _job(actor: User, pk: Any) -> ScreeningJob:
    return get_object_or_404(ScreeningJob.objects.visible_to(actor), pk=pk)


# --- One name -----------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """Screen one name against the chosen lists; the hits with their explanations."""
    actor = _actor(request)
    result = None
    if request.method == "POST":
        form = NameScreeningForm(request.POST, user=actor)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = services.screen_name(
                    actor=actor,
                    query=Query(
                        name=data["name"],
                        birth_date=data["birth_date"] or None,
                        nationality=data["nationality"] or None,
                        kind=data["kind"] or None,
                        documents=tuple(data["documents"]),
                    ),
                    lists=data["lists"],
                    threshold=data["threshold"],
                    limit=NameScreeningForm.limit,
                    record_id=data["record_id"],
                )
            except UnknownList as exc:
                form.add_error("lists", str(exc))
            except QueryError as exc:
                form.add_error(None, str(exc))
    else:
        form = NameScreeningForm(user=actor)
    return render(
        request,
        "screening/index.html",
        {
            "form": form,
            "result": result,
            "may_batch": actor.organization_id is not None,
        },
    )


# --- Batch jobs ---------------------------------------------------------------------------------


class ScreeningJobListView(FilteredListView):
    """The organisation's jobs, newest first, with their status and counts."""

    template_name = "screening/job_list.html"
    results_template_name = "screening/_jobs.html"
    filterset_class = ScreeningJobFilterSet
    paginate_by = 25

    def get_queryset(self, actor: User) -> QuerySet[ScreeningJob]:
        return (
            ScreeningJob.objects.visible_to(actor)
            .select_related("created_by")
            .order_by("-created_at")
        )

    def get_context(self, actor: User) -> dict[str, Any]:
        return {"may_batch": actor.organization_id is not None}


def _form_page(request: HttpRequest, form: ScreeningJobForm, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "keep_days": settings.SCREENING_KEEP_UPLOAD_DAYS,
        "max_rows": uploads.max_rows(),
    }
    return render(request, "screening/job_new.html", context, status=status)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def job_create(request: HttpRequest) -> HttpResponse:
    """Upload a customer file; the job runs on the worker."""
    actor = _actor(request)
    if actor.organization_id is None:
        raise PermissionDenied(
            _("Only people of an organisation may screen customer files and decide on hits.")
        )
    if request.method == "POST":
        refused = jobs_views.guard_upload(
            request,
            uploads.LIMIT,
            refuse=lambda refusal: _form_page(
                request, ScreeningJobForm({}, refusal=refusal, user=actor), 413
            ),
        )
        if refused is not None:
            return refused
    return _job_create(request)


@csrf_protect
def _job_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if request.method != "POST":
        return _form_page(request, ScreeningJobForm(user=actor))
    form = ScreeningJobForm(request.POST, request.FILES, user=actor)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.create_job(
                actor=actor,
                upload=upload,
                name=upload.name,
                lists=form.cleaned_data["lists"],
                threshold=form.cleaned_data["threshold"],
                source=JobSource.UPLOAD,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error("file", exc)
        else:
            messages.success(
                request, _("The screening is on its way: this page shows its progress.")
            )
            return redirect("screening:job_detail", pk=job.pk)
    return _form_page(request, form)


class ScreeningJobDetailView(jobs_views.UploadJobDetailView):
    """A job: its progress while it runs, then its report (rejected) or its hits."""

    job_model = ScreeningJob
    template_name = "screening/job_detail.html"
    results_template_name = "screening/_hits.html"
    filterset_class = ScreeningHitFilterSet

    def get_queryset(self, actor: User) -> QuerySet[ScreeningHit]:
        return self.job.hit_rows.select_related("decision").order_by("line", "-score", "id")


# The progress of a job, polled by htmx while it runs.
job_progress = jobs_views.UploadJobProgressView.as_view(
    job_model=ScreeningJob, template_name="screening/_progress.html"
)


@require_GET
def hits_csv(request: HttpRequest, pk: Any) -> HttpResponseBase:
    """The job's hits (with the page's filters) as CSV."""
    job = _job(_actor(request), pk)
    return jobs_views.results_csv(
        request, job, ScreeningHitFilterSet, exports.csv_response, "screening:job_detail"
    )


# --- A hit and its decision ---------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def hit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A hit: its explanation, the decision in force and its history; decide (or revise)."""
    actor = _actor(request)
    hit = get_object_or_404(
        ScreeningHit.objects.visible_to(actor).select_related("job", "decision", "list_entity"),
        pk=pk,
    )
    form = DecisionForm()
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                services.decide(
                    actor=actor,
                    hit=hit,
                    verdict=form.cleaned_data["verdict"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
            else:
                messages.success(request, _("The decision is recorded."))
                return redirect("screening:hit_detail", pk=hit.pk)
    decisions: list[HitDecision] = services.history(hit=hit)
    return render(
        request,
        "screening/hit_detail.html",
        {"hit": hit, "job": hit.job, "form": form, "history": decisions},
    )
