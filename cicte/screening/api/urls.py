"""Routes of the screening API, mounted at /api/sanctions/screening/."""

from django.urls import path

from cicte.core.jobs_api import viewset_route as _view
from cicte.screening.api.views import ScreeningHitViewSet, ScreeningJobViewSet

urlpatterns = [
    path(
        "jobs/",
        _view(ScreeningJobViewSet, {"get": "list", "post": "create"}),
        name="screening-job-list",
    ),
    path(
        "jobs/<uuid:pk>/",
        _view(ScreeningJobViewSet, {"get": "retrieve"}),
        name="screening-job-detail",
    ),
    path(
        "jobs/<uuid:pk>/hits/",
        _view(ScreeningJobViewSet, {"get": "hits"}),
        name="screening-job-hits",
    ),
    path(
        "jobs/<uuid:pk>/hits.csv",
        _view(ScreeningJobViewSet, {"get": "hits_csv"}),
        name="screening-job-hits-csv",
    ),
    path(
        "hits/<int:pk>/",
        _view(ScreeningHitViewSet, {"get": "retrieve"}),
        name="screening-hit-detail",
    ),
    path(
        "hits/<int:pk>/decision/",
        _view(ScreeningHitViewSet, {"post": "decision"}),
        name="screening-hit-decision",
    ),
]
