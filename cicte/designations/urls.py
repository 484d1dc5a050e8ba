"""URLs of the designation pages, under /sanctions/designations/."""

from django.urls import path, register_converter

from cicte.designations import views


class ReferenceConverter:
    regex = r"[A-Z]{2}-1373-\d{4}-\d{4,}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "designation_ref")

app_name = "designations"

urlpatterns = [
    path("", views.DesignationListView.as_view(), name="list"),
    path("new/", views.designation_create, name="create"),
    path("pending/", views.pending_list, name="pending"),
    path("actions/<int:pk>/<str:decision>/", views.action_decide, name="decide"),
    path("<designation_ref:reference>/", views.designation_detail, name="detail"),
    path("<designation_ref:reference>/propose/<str:kind>/", views.action_create, name="propose"),
    path(
        "<designation_ref:reference>/export.<str:fmt>",
        views.designation_export,
        name="export",
    ),
]
