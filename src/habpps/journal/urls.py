"""Auditor pages of the journal, mounted by the project under ``journal/``."""

from django.urls import path

from .views import JournalEntryView, JournalExportView, JournalSearchView

app_name = "journal"

urlpatterns = [
    path("", JournalSearchView.as_view(), name="search"),
    path("export.csv", JournalExportView.as_view(), name="export"),
    path("entrees/<int:sequence>/", JournalEntryView.as_view(), name="entry"),
]
