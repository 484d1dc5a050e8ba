"""URLs of the directory: the pages (urls_pages), communication checks and bounces
(urls_checks), exports and imports (urls_exchange)."""

from django.urls import include, path

app_name = "directory"

urlpatterns = [
    path("", include("cicte.directory.urls_pages")),
    path("checks/", include("cicte.directory.urls_checks")),
    path("", include("cicte.directory.urls_exchange")),
]
