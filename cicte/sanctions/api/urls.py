"""Routes of the sanctions API, mounted at /api/sanctions/."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import DefaultRouter

from cicte.sanctions.api import views, views_lists

urlpatterns: list[URLPattern | URLResolver] = [
    path("screen/", views.ScreenView.as_view(), name="sanctions-screen")
]

# Lists, versions and entries (read); reporting entities' subscriptions and notifications.
router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register(
    "subscriptions", views_lists.ListSubscriptionViewSet, basename="sanctions-subscription"
)
urlpatterns += [
    path("lists/", views_lists.SanctionsListListView.as_view(), name="sanctions-list-list"),
    path(
        "lists/<slug:key>/",
        views_lists.SanctionsListDetailView.as_view(),
        name="sanctions-list-detail",
    ),
    path(
        "lists/<slug:key>/versions/",
        views_lists.VersionListView.as_view(),
        name="sanctions-version-list",
    ),
    path(
        "lists/<slug:key>/versions/<int:number>/",
        views_lists.VersionDetailView.as_view(),
        name="sanctions-version-detail",
    ),
    path(
        "lists/<slug:key>/entities/",
        views_lists.EntityListView.as_view(),
        name="sanctions-entity-list",
    ),
    path(
        "lists/<slug:key>/entities/<str:ftm_id>/",
        views_lists.EntityDetailView.as_view(),
        name="sanctions-entity-detail",
    ),
    path(
        "notifications/",
        views_lists.NotificationListView.as_view(),
        name="sanctions-notification-list",
    ),
    *router.urls,
]
