"""Routes of the directory's exports (vCard, CSV) and CSV import."""

from django.urls import path

from cicte.directory import views_exchange

urlpatterns = [
    path("contacts/<int:pk>/vcard/", views_exchange.contact_vcard, name="contact_vcard"),
    path("export/vcard/", views_exchange.export_vcard, name="export_vcard"),
    path("export/csv/", views_exchange.export_csv, name="export_csv"),
    path("import/", views_exchange.import_contacts, name="import"),
    path("import/template.csv", views_exchange.import_template, name="import_template"),
]
