"""The REST API: /api/, its OpenAPI 3 schema and browsable docs."""

from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

from cicte.core.api import NotFoundView

urlpatterns = [
    # The schema is for signed-in people and token holders (401 otherwise, like the API).
    path(
        "schema/",
        SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]),
        name="api-schema",
    ),
    # Swagger UI, a page like any other (anonymous visitors go to the login page). The split view
    # serves its initialisation script from a URL instead of inline, so that it runs under the
    # Content-Security-Policy (script-src 'self'); the template has no inline style either.
    path(
        "docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema", template_name="api/swagger_ui.html"
            )
        ),
        name="api-docs",
    ),
    path("directory/", include("cicte.directory.api.urls")),
    path("intel/", include("cicte.intel.api.urls")),
    path("advisories/", include("cicte.advisories.api.urls")),
    path("hunts/", include("cicte.hunts.api.urls")),
    path("sanctions/designations/", include("cicte.designations.api.urls")),
    path("sanctions/screening/", include("cicte.screening.api.urls")),
    path("sanctions/", include("cicte.sanctions.api.urls")),
    path("workplan/", include("cicte.workplan.api.urls")),
    path("exchange/", include("cicte.messaging.api.urls")),
    path("", include("cicte.accounts.api.urls")),
    # Anything else under /api/: a JSON 404, not the HTML page.
    re_path(r"^.*$", NotFoundView.as_view(), name="api-not-found"),
]
