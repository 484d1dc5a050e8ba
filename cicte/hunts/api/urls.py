"""Routes of the retro-hunt API, mounted at /api/hunts/."""

from typing import Any

from django.urls import path

from cicte.core.jobs_api import viewset_route
from cicte.hunts.api.views import HuntJobViewSet


def _view(mapping: dict[str, str]) -> Any:
    return viewset_route(HuntJobViewSet, mapping)


urlpatterns = [
    path("", _view({"get": "list", "post": "create"}), name="hunts-job-list"),
    path("<uuid:pk>/", _view({"get": "retrieve", "delete": "destroy"}), name="hunts-job-detail"),
    path("<uuid:pk>/matches/", _view({"get": "matches"}), name="hunts-job-matches"),
    path("<uuid:pk>/matches.csv", _view({"get": "matches_csv"}), name="hunts-job-matches-csv"),
    path("<uuid:pk>/file/", _view({"get": "file", "delete": "file"}), name="hunts-job-file"),
    path("<uuid:pk>/sightings/", _view({"post": "sightings"}), name="hunts-job-sightings"),
]
