"""Routes of the exchange API, mounted at /api/exchange/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from cicte.messaging.api import views

app_name = "messaging-api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("messages", views.MessageViewSet, basename="message")

urlpatterns = [
    path("metrics/", views.MetricsView.as_view(), name="metrics"),
    *router.urls,
]
