"""The pages of upload jobs (:mod:`cicte.core.jobs`: the retro-hunt's, batch screening's), as
far as they are alike: the upload's size limit in place before the form's body is read, a job's
page (its progress while the worker runs, then its results, filtered and paged), the progress
that htmx polls, and the results as CSV.

Uploads are streamed to disk by Django's upload handlers, with
:class:`cicte.core.uploads.SizeLimitUploadHandler` first: the view that takes them is exempt
from the CSRF middleware (which would parse the body before the handler is in place), calls
:func:`guard_upload`, then checks the token itself, as Django's documentation on upload handlers
shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django_filters import FilterSet

from cicte.accounts.models import User
from cicte.accounts.views.manage import FilteredListView
from cicte.core.csvutil import active_filters
from cicte.core.jobs import UploadJob
from cicte.core.uploads import UploadLimit, UploadTooLarge

# How often a job's page asks for its progress while the job waits or runs.
POLL_SECONDS = 2


def guard_upload(
    request: HttpRequest,
    limit: UploadLimit,
    *,
    refuse: Callable[[str], HttpResponse],
    data_too_big: Callable[[], str] | None = None,
) -> HttpResponse | None:
    """Before a form takes an upload: parse the body with the size limit in place (big files go
    to a temporary file). ``refuse(message)`` (the form again, 413) when the upload is beyond the
    limit, declared (the body is then not read) or found so; when the form's text fields pass
    ``DATA_UPLOAD_MAX_MEMORY_SIZE``, with ``data_too_big()`` (by default the same message).
    Nothing was done then, so nothing needs the CSRF check. None when the form may go on."""
    try:
        handler = limit.guard_multipart(request)
        request.POST  # noqa: B018 - parsed now, with the size limit in place
    except UploadTooLarge:
        return refuse(limit.too_large())
    except RequestDataTooBig:
        return refuse((data_too_big or limit.too_large)())
    if handler.exceeded:
        return refuse(limit.too_large())
    return None


def _visible_job(job_model: Any, actor: Any, pk: Any) -> Any:
    # The module's model, with its own visible_to (the abstract UploadJob has none).
    return get_object_or_404(job_model.objects.visible_to(actor), pk=pk)


class UploadJobProgressView(View):
    """The progress of a job (``template_name``, with the job), polled by htmx while it runs;
    once it has finished, htmx reloads the page (which then shows the results). 404 for a job
    the person may not see."""

    # The module's: as_view(job_model=..., template_name=...).
    job_model: Any = None
    template_name = ""
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, pk: Any) -> HttpResponse:
        job = _visible_job(self.job_model, request.user, pk)
        response = render(request, self.template_name, {"job": job, "poll_seconds": POLL_SECONDS})
        if job.is_finished and getattr(request, "htmx", None):
            response["HX-Refresh"] = "true"
        return response


def results_csv(
    request: HttpRequest,
    job: UploadJob,
    filterset_class: type[FilterSet],
    export: Callable[..., HttpResponseBase],
    job_page: str,
) -> HttpResponseBase:
    """The job's results with the page's filters (the query string) as CSV:
    ``export(actor=, job=, rows=, filters=)``, the module's (an audited download). Filters that
    are not valid lead back to the job's page (the URL name ``job_page``)."""
    filterset = filterset_class(request.GET, queryset=job.results())
    if not filterset.is_valid():
        return redirect(job_page, pk=job.pk)
    return export(actor=request.user, job=job, rows=filterset.qs, filters=active_filters(filterset))


class UploadJobDetailView(FilteredListView):
    """A job of those ``actor`` may see (404 otherwise, ``job_model.objects.visible_to``): its
    progress while it runs, then its results (filtered, paged). Subclasses name the model, the
    templates, the FilterSet and the results' queryset."""

    job_model: type[UploadJob]
    job: Any
    paginate_by = 50

    def check(self, actor: User) -> None:
        self.job = _visible_job(self.job_model, actor, self.kwargs["pk"])

    def get_queryset(self, actor: User) -> QuerySet[Any]:
        raise NotImplementedError

    def get_context(self, actor: User) -> dict[str, Any]:
        return {"job": self.job, "poll_seconds": POLL_SECONDS}
