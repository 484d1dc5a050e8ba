"""TAXII 2.1 under /taxii2/: discovery, then one API root per network and one for sharing
groups (see :data:`cicte.taxii.views.GROUPS_ROOT`)."""

from django.urls import path, re_path

from cicte.taxii import views

app_name = "taxii"

COLLECTION = "<str:root>/collections/<str:collection_id>/"
OBJECT = COLLECTION + "objects/<str:object_id>/"

urlpatterns = [
    path("", views.discovery, name="discovery"),
    path("<str:root>/", views.api_root, name="api_root"),
    path("<str:root>/status/<str:status_id>/", views.status, name="status"),
    path("<str:root>/collections/", views.collections, name="collections"),
    path(COLLECTION, views.collection, name="collection"),
    path(COLLECTION + "objects/", views.objects, name="objects"),
    path(COLLECTION + "manifest/", views.manifest, name="manifest"),
    path(OBJECT, views.object_detail, name="object"),
    path(OBJECT + "versions/", views.versions, name="versions"),
    re_path(r"^(?P<rest>.*)$", views.unknown, name="unknown"),
]
