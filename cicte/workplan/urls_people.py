"""Participant pages, included by cicte/workplan/urls.py under /workplan/ (namespace
``workplan``)."""

from django.urls import path

from cicte.workplan import views_people

urlpatterns = [
    path(
        "events/<int:pk>/participants/",
        views_people.event_participants,
        name="event_participants",
    ),
    path(
        "events/<int:pk>/participants/add/",
        views_people.participant_add,
        name="participant_add",
    ),
    path(
        "events/<int:pk>/participants/import/",
        views_people.participant_import,
        name="participant_import",
    ),
    path("registrations/<int:pk>/", views_people.registration_edit, name="registration_edit"),
    path(
        "registrations/<int:pk>/certificate/",
        views_people.certificate_issue,
        name="certificate_issue",
    ),
    path(
        "certificates/<int:pk>/certificate.pdf",
        views_people.certificate_pdf,
        name="certificate_pdf",
    ),
    path(
        "certificates/<int:pk>/revoke/",
        views_people.certificate_revoke,
        name="certificate_revoke",
    ),
    path("my-certificates/", views_people.my_certificates, name="my_certificates"),
    path("people/", views_people.person_list, name="person_list"),
    path("people/duplicates/", views_people.person_duplicates, name="person_duplicates"),
    path("people/merge/", views_people.person_merge, name="person_merge"),
    path("people/<int:pk>/", views_people.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views_people.person_edit, name="person_edit"),
]
