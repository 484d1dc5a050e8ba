"""Routes of the secure exchange's pages, mounted at /exchange/."""

from django.urls import path

from cicte.messaging import views

app_name = "messaging"

urlpatterns = [
    path("", views.MessageListView.as_view(), name="list"),
    path("new/", views.message_create, name="create"),
    path("metrics/", views.metrics_page, name="metrics"),
    path("<int:pk>/", views.message_detail, name="detail"),
    path("<int:pk>/acknowledge/", views.message_acknowledge, name="acknowledge"),
    path("<int:pk>/reply/", views.message_reply, name="reply"),
    path("<int:pk>/close/", views.message_close, name="close"),
    path("<int:pk>/pdf/", views.thread_pdf, name="pdf"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
