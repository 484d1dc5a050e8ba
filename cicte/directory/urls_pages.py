"""The directory's pages: search, contacts, designations, work queues, rosters and policies."""

from django.urls import path

from cicte.directory import views

urlpatterns = [
    path("", views.DirectorySearchView.as_view(), name="search"),
    path("mine/", views.my_contact, name="my_contact"),
    path("contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/designate/", views.contact_designate, name="contact_designate"),
    path("designations/new/", views.designation_create, name="designation_create"),
    path("designations/pending/", views.pending, name="pending"),
    path("designations/my-state/", views.state_designations, name="state_designations"),
    path("designations/<int:pk>/", views.designation_detail, name="designation_detail"),
    path(
        "designations/<int:pk>/document/",
        views.designation_document,
        name="designation_document",
    ),
    path("designations/<int:pk>/confirm/", views.designation_confirm, name="designation_confirm"),
    path("designations/<int:pk>/reject/", views.designation_reject, name="designation_reject"),
    path(
        "designations/<int:pk>/withdraw/",
        views.designation_withdraw,
        name="designation_withdraw",
    ),
    path("designations/<int:pk>/replace/", views.designation_replace, name="designation_replace"),
    path("designations/<int:pk>/verify/", views.designation_verify, name="designation_verify"),
    path("networks/<slug:slug>/roster/", views.roster, name="roster"),
    path("networks/<slug:slug>/policy/", views.policy_detail, name="policy_detail"),
    path("networks/<slug:slug>/policy/edit/", views.policy_edit, name="policy_edit"),
]
