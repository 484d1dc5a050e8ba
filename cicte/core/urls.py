from django.urls import path

from cicte.core import views

app_name = "core"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("audit/", views.placeholder_audit, name="audit_list"),
]
