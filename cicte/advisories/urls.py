"""URLs of the advisories, under /advisories/."""

from django.urls import path

from cicte.advisories import views, views_edit

app_name = "advisories"

urlpatterns = [
    path("", views.advisory_list, name="list"),
    path("<int:pk>/", views.advisory_detail, name="detail"),
    path("new/", views_edit.advisory_create, name="create"),
    path("<int:pk>/edit/", views_edit.advisory_edit, name="edit"),
    path("<int:pk>/translate/", views_edit.advisory_translate, name="translate"),
    path("<int:pk>/submit/", views_edit.advisory_submit, name="submit"),
    path("<int:pk>/approve/", views_edit.advisory_approve, name="approve"),
    path("<int:pk>/send-back/", views_edit.advisory_send_back, name="send_back"),
    path("<int:pk>/withdraw/", views_edit.advisory_withdraw, name="withdraw"),
    path("subscriptions/", views_edit.subscription_list, name="subscription_list"),
    path("subscriptions/new/", views_edit.subscription_edit, name="subscription_create"),
    path("subscriptions/<int:pk>/", views_edit.subscription_edit, name="subscription_edit"),
    path(
        "subscriptions/<int:pk>/delete/",
        views_edit.subscription_delete,
        name="subscription_delete",
    ),
    path("public/", views.public_list, name="public_list"),
    path("public/feed.atom", views.public_feed, name="public_feed"),
    path("public/<int:pk>/", views.public_detail, name="public_detail"),
]
