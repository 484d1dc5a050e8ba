"""Routes of the work plan API, mounted at /api/workplan/."""

from rest_framework.routers import DefaultRouter

from cicte.workplan.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("events", views.EventViewSet, basename="workplan-event")
router.register("partners", views.PartnerViewSet, basename="workplan-partner")
router.register("requests", views.AssistanceRequestViewSet, basename="workplan-request")

urlpatterns = [*router.urls]
