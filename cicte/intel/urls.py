"""URLs of the intel pages, under /intel/."""

from django.urls import path

from cicte.intel import views, views_misp

app_name = "intel"

urlpatterns = [
    path("", views.collection_list, name="collection_list"),
    path(
        "collections/<uuid:pk>/",
        views.CollectionObjectListView.as_view(),
        name="collection_detail",
    ),
    path("collections/manage/", views.collection_manage, name="collection_manage"),
    path("collections/new/", views.collection_edit, name="collection_create"),
    path("collections/<uuid:pk>/edit/", views.collection_edit, name="collection_edit"),
    path("objects/<str:stix_id>/", views.object_detail, name="object_detail"),
    path("versions/<int:pk>/recipients/", views.name_recipients, name="name_recipients"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("public/", views.public_list, name="public_list"),
    path("public/feed.json", views.public_feed, name="public_feed"),
    path("public/objects/<str:stix_id>/", views.public_detail, name="public_detail"),
    path("upload/", views.upload, name="upload"),
    path("ingests/<uuid:pk>/", views.ingest_detail, name="ingest_detail"),
    path("misp/", views_misp.misp_page, name="misp"),
    path("misp/import/", views_misp.misp_import, name="misp_import"),
    path("misp/export/", views_misp.misp_export, name="misp_export"),
]
