"""Communication checks ("pings"), the links in the directory's emails, and the bounce endpoint
(under /directory/checks/)."""

from django.urls import path

from cicte.directory import views_checks

urlpatterns = [
    path("", views_checks.CheckListView.as_view(), name="check_list"),
    path("launch/", views_checks.check_launch, name="check_launch"),
    path("<int:pk>/", views_checks.check_detail, name="check_detail"),
    path("<int:pk>/remind/", views_checks.check_remind, name="check_remind"),
    path("<int:pk>/close/", views_checks.check_close, name="check_close"),
    path("respond/<str:token>/", views_checks.check_respond, name="check_respond"),
    path("verify/<str:token>/", views_checks.verification_respond, name="verification_respond"),
    path("bounces/", views_checks.bounce, name="bounce"),
]
