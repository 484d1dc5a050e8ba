"""Routes of the designations API, mounted at /api/sanctions/designations/."""

from rest_framework.routers import DefaultRouter

from cicte.designations.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
# Actions first: the designations' own routes would take "actions/" for a reference otherwise.
router.register("actions", views.ActionViewSet, basename="designation-action")
router.register("", views.DesignationViewSet, basename="designation")

urlpatterns = [*router.urls]
