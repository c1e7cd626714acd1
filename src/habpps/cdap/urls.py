"""CDAP's pages, mounted by the project under ``cdap/``. The beneficiary number never appears in a URL: the
open file lives in the session."""

from django.urls import path

from habpps.cdap.views.doctrine import LimitsView, SectionCreateView, SectionDoctrineView
from habpps.cdap.views.file import CloseFileView, LookupView, SectionDocumentView, SectionView, SummaryView
from habpps.cdap.views.report import ConsultationReportView

app_name = "cdap"

urlpatterns = [
    path("", LookupView.as_view(), name="lookup"),
    path("dossier/", SummaryView.as_view(), name="summary"),
    path("dossier/fermer/", CloseFileView.as_view(), name="close"),
    path("dossier/rubriques/<slug:code>/", SectionView.as_view(), name="section"),
    path("dossier/rubriques/<slug:code>/document.pdf", SectionDocumentView.as_view(), name="document"),
    path("doctrine/", SectionDoctrineView.as_view(), name="doctrine"),
    path("doctrine/rubriques/nouvelle/", SectionCreateView.as_view(), name="section-create"),
    path("doctrine/limites/", LimitsView.as_view(), name="limits"),
    path("consultations/", ConsultationReportView.as_view(), name="report"),
]
