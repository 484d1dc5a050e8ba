"""URLs of the advisories, under /advisories/."""

from django.urls import path

from cicte.advisories import views

app_name = "advisories"

urlpatterns = [
    path("", views.advisory_list, name="list"),
    path("<int:pk>/", views.advisory_detail, name="detail"),
    path("public/", views.public_list, name="public_list"),
    path("public/feed.atom", views.public_feed, name="public_feed"),
    path("public/<int:pk>/", views.public_detail, name="public_detail"),
]
