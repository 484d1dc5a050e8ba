"""URLs of the work plan pages, under /workplan/."""

from django.urls import include, path

from cicte.workplan import views

app_name = "workplan"

urlpatterns = [
    path("", views.plan_index, name="index"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("programs/<int:pk>/", views.program_detail, name="program_detail"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    # The translation editor of programs, activities, events and indicators.
    *[
        path(
            f"{prefix}/<int:pk>/translations/",
            views.translate,
            {"kind": kind},
            name=f"{kind}_translate",
        )
        for prefix, kind in (
            ("programs", "program"),
            ("activities", "activity"),
            ("events", "event"),
            ("indicators", "indicator"),
        )
    ],
    path("events/", views.EventListView.as_view(), name="event_list"),
    path("events/new/", views.event_edit, name="event_create"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("partners/", views.partner_create, name="partner_list"),
    path("partners/<int:pk>/", views.partner_detail, name="partner_detail"),
    path("partners/<int:pk>/edit/", views.partner_edit, name="partner_edit"),
    path(
        "partners/<int:pk>/events/<int:link_pk>/remove/",
        views.partner_detach,
        name="partner_detach",
    ),
    path("requests/", views.RequestListView.as_view(), name="request_list"),
    path("requests/new/", views.request_edit, name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/edit/", views.request_edit, name="request_edit"),
    path("requests/<int:pk>/<slug:step>/", views.request_step, name="request_step"),
    path("indicators/", views.indicator_list, name="indicator_list"),
    path("indicators/new/", views.indicator_edit, name="indicator_create"),
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator_detail"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator_edit"),
    path(
        "indicators/<int:pk>/periods/<int:period_pk>/delete/",
        views.period_delete,
        name="period_delete",
    ),
    # Participants, registrations and certificates (views_people.py).
    path("", include("cicte.workplan.urls_people")),
    # Dashboard, reports, exports and calendar feeds (views_outputs.py).
    path("", include("cicte.workplan.urls_outputs")),
]
