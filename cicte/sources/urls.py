"""URLs of the sources pages, under /intel/sources/."""

from django.urls import path

from cicte.sources import views

app_name = "sources"

urlpatterns = [
    path("", views.source_list, name="source_list"),
    path("new/", views.source_edit, name="source_create"),
    path("<int:pk>/", views.source_detail, name="source_detail"),
    path("<int:pk>/edit/", views.source_edit, name="source_edit"),
    path("<int:pk>/delete/", views.source_delete, name="source_delete"),
    path("<int:pk>/poll/", views.source_poll, name="source_poll"),
    path("polls/<int:pk>/", views.poll_detail, name="poll_detail"),
]
