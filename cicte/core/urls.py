from django.urls import path

from cicte.core import views, views_audit, views_webhooks

app_name = "core"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("audit/", views_audit.audit_list, name="audit_list"),
    path("audit/export.csv", views_audit.audit_export, name="audit_export"),
    path("audit/<int:pk>/", views_audit.audit_detail, name="audit_detail"),
    # The account holder's webhook endpoints, beside their API tokens (/accounts/tokens/).
    path("accounts/webhooks/", views_webhooks.webhook_list, name="webhook_list"),
    path("accounts/webhooks/new/", views_webhooks.webhook_create, name="webhook_create"),
    path("accounts/webhooks/<int:pk>/", views_webhooks.webhook_detail, name="webhook_detail"),
    path(
        "accounts/webhooks/<int:pk>/rotate/", views_webhooks.webhook_rotate, name="webhook_rotate"
    ),
    path(
        "accounts/webhooks/<int:pk>/delete/", views_webhooks.webhook_delete, name="webhook_delete"
    ),
]
