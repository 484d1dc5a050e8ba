"""The public verification of certificates, under /certificates/ (no sign-in needed)."""

from django.urls import path

from cicte.workplan import views_people

app_name = "certificates"

urlpatterns = [
    path("", views_people.certificate_lookup, name="lookup"),
    path("<str:code>/", views_people.certificate_verify, name="verify"),
]
