"""URLs of the retro-hunt pages, under /hunts/."""

from django.urls import path

from cicte.hunts import views

app_name = "hunts"

urlpatterns = [
    path("", views.HuntJobListView.as_view(), name="job_list"),
    path("new/", views.job_create, name="job_create"),
    path("<uuid:pk>/", views.HuntJobDetailView.as_view(), name="job_detail"),
    path("<uuid:pk>/progress/", views.job_progress, name="job_progress"),
    path("<uuid:pk>/matches.csv", views.matches_csv, name="matches_csv"),
    path("<uuid:pk>/file/", views.job_file, name="job_file"),
    path("<uuid:pk>/file/delete/", views.upload_delete, name="upload_delete"),
    path("<uuid:pk>/delete/", views.job_delete, name="job_delete"),
    path("<uuid:pk>/sightings/", views.report_sightings, name="report_sightings"),
]
