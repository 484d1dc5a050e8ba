"""The directory's pages (being built)."""

from django.urls import path

from cicte.accounts.views.placeholder import placeholder

urlpatterns = [
    path("", placeholder, name="search"),
    path("designations/<int:pk>/", placeholder, name="designation_detail"),
]
