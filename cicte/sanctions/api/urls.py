"""Routes of the sanctions API, mounted at /api/sanctions/."""

from django.urls import path

from cicte.sanctions.api import views

urlpatterns = [path("screen/", views.ScreenView.as_view(), name="sanctions-screen")]
