from django.urls import path

from cicte.sanctions import views

app_name = "sanctions"

urlpatterns = [
    path("", views.list_index, name="list_index"),
    path("<slug:key>/", views.list_detail, name="list_detail"),
    path("<slug:key>/export.<str:fmt>", views.list_export, name="list_export"),
    path("<slug:key>/versions/<int:number>/", views.version_detail, name="version_detail"),
    path("<slug:key>/entities/<str:ftm_id>/", views.entity_detail, name="entity_detail"),
]
