"""Routes of this part of the directory (being built)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
