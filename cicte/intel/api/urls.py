"""Routes of the intel API, mounted at /api/intel/."""

from rest_framework.routers import DefaultRouter

from cicte.intel.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("collections", views.CollectionViewSet, basename="intel-collection")
router.register("objects", views.StixObjectViewSet, basename="intel-object")
router.register("ingests", views.IngestViewSet, basename="intel-ingest")

urlpatterns = [*router.urls]
