"""URL configuration: one include per app; machine interfaces under /api/ (and /taxii2/ later)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from cicte.core import views as core_views

urlpatterns = [
    path("", include("cicte.core.urls")),
    path("accounts/", include("cicte.accounts.urls")),
    path("directory/", include("cicte.directory.urls")),
    path("intel/sources/", include("cicte.sources.urls")),
    path("intel/", include("cicte.intel.urls")),
    path("advisories/", include("cicte.advisories.urls")),
    path("hunts/", include("cicte.hunts.urls")),
    path("sanctions/designations/", include("cicte.designations.urls")),
    path("sanctions/screening/", include("cicte.screening.urls")),
    path("sanctions/", include("cicte.sanctions.urls")),
    path("workplan/", include("cicte.workplan.urls")),
    path("exchange/", include("cicte.messaging.urls")),
    # Public: anyone holding a certificate's code verifies it here, without signing in.
    path("certificates/", include("cicte.workplan.urls_certificates")),
    path("api/", include("cicte.api_urls")),
    path("taxii2/", include("cicte.taxii.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path(
        "i18n/catalog.js",
        login_not_required(JavaScriptCatalog.as_view()),
        name="javascript_catalog",
    ),
    path("healthz", core_views.healthz, name="healthz"),
]
