"""URLs of the work plan's outputs (included by cicte/workplan/urls.py under /workplan/)."""

from django.urls import path, re_path

from cicte.workplan import views_outputs as views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("report/", views.report, name="report"),
    path("report/pdf/", views.report_pdf, name="report_pdf"),
    path("exports/events.csv", views.export_events, name="export_events"),
    path("exports/people-reached.csv", views.export_people, name="export_people"),
    path("exports/requests.csv", views.export_requests, name="export_requests"),
    path("exports/indicators.csv", views.export_indicators, name="export_indicators"),
    path("exports/iati-activities.xml", views.export_iati, name="export_iati"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/address/", views.calendar_feed_create, name="calendar_feed_create"),
    path("calendar/address/revoke/", views.calendar_feed_revoke, name="calendar_feed_revoke"),
    path("calendar/networks/<slug:slug>.ics", views.network_calendar, name="calendar_network"),
    # A person's secret address: no session, so the view is marked @login_not_required.
    re_path(
        r"^calendar/(?P<secret>[A-Za-z0-9_-]{32,128})\.ics$",
        views.secret_calendar,
        name="calendar_secret",
    ),
]
