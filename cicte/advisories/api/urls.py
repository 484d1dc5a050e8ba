"""Routes of the advisories API, mounted at /api/advisories/."""

from rest_framework.routers import DefaultRouter

from cicte.advisories.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("", views.AdvisoryViewSet, basename="advisory")

urlpatterns = [*router.urls]
