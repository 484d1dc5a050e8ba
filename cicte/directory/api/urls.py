"""Routes of the directory API, mounted at /api/directory/."""

from rest_framework.routers import DefaultRouter

from cicte.directory.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("designations", views.ContactDesignationViewSet, basename="directory-designation")
router.register("contacts", views.ContactViewSet, basename="directory-contact")

urlpatterns = [*router.urls]
