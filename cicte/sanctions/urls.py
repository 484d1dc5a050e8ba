from django.urls import path

from cicte.sanctions import views, views_subscriptions

app_name = "sanctions"

urlpatterns = [
    path("", views.list_index, name="list_index"),
    # Before "<slug:key>/": subscriptions of reporting entities and their notifications.
    path("subscriptions/", views_subscriptions.subscription_list, name="subscription_list"),
    path("subscriptions/new/", views_subscriptions.subscription_edit, name="subscription_create"),
    path(
        "subscriptions/notifications/",
        views_subscriptions.notification_list,
        name="notification_list",
    ),
    path(
        "subscriptions/<int:pk>/", views_subscriptions.subscription_edit, name="subscription_edit"
    ),
    path(
        "subscriptions/<int:pk>/rotate/",
        views_subscriptions.subscription_rotate,
        name="subscription_rotate",
    ),
    path(
        "subscriptions/<int:pk>/delete/",
        views_subscriptions.subscription_delete,
        name="subscription_delete",
    ),
    path("<slug:key>/", views.list_detail, name="list_detail"),
    path("<slug:key>/export.<str:fmt>", views.list_export, name="list_export"),
    path("<slug:key>/versions/<int:number>/", views.version_detail, name="version_detail"),
    path("<slug:key>/entities/<str:ftm_id>/", views.entity_detail, name="entity_detail"),
]
