"""URLs of the screening pages, under /sanctions/screening/."""

from django.urls import path

from cicte.screening import views

app_name = "screening"

urlpatterns = [
    path("", views.index, name="index"),
    path("jobs/", views.ScreeningJobListView.as_view(), name="job_list"),
    path("jobs/new/", views.job_create, name="job_create"),
    path("jobs/<uuid:pk>/", views.ScreeningJobDetailView.as_view(), name="job_detail"),
    path("jobs/<uuid:pk>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<uuid:pk>/hits.csv", views.hits_csv, name="hits_csv"),
    path("hits/<int:pk>/", views.hit_detail, name="hit_detail"),
]
