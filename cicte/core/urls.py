from django.urls import path

from cicte.core import views, views_audit

app_name = "core"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("audit/", views_audit.audit_list, name="audit_list"),
    path("audit/export.csv", views_audit.audit_export, name="audit_export"),
    path("audit/<int:pk>/", views_audit.audit_detail, name="audit_detail"),
]
