from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.ProsecutorDashboardView.as_view(), name="prosecutor-dashboard"),
    path("supervision/", views.SupervisorDashboardView.as_view(), name="supervisor-dashboard"),
    path("coordination/", views.CoordinationReportView.as_view(), name="coordination-report"),
    path("coordination/export/", views.CoordinationExportView.as_view(), name="coordination-export"),
    path("statistics/", views.StatisticsView.as_view(), name="statistics"),
    path("statistics/export/", views.StatisticsExportView.as_view(), name="statistics-export"),
    path("statistics/microdata/", views.MicrodataExportView.as_view(), name="microdata-export"),
    path("htcds/", views.HtcdsExchangeView.as_view(), name="htcds"),
    path("htcds/export/", views.HtcdsExportView.as_view(), name="htcds-export"),
    path("htcds/import/", views.HtcdsImportView.as_view(), name="htcds-import"),
    path("exports/<uuid:pk>/", views.ExportStatusView.as_view(), name="export-status"),
    path("exports/<uuid:pk>/download/", views.ExportDownloadView.as_view(), name="export-download"),
]
