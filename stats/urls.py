"""Public statistics pages (mounted at /statistics/ by config.urls)."""

from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("", views.statistics, name="statistics"),
    path("report/", views.report_page, name="report"),
    path("report/overdue.csv", views.report_overdue, name="report_overdue"),
    path("takedowns/", views.takedown_log, name="takedowns"),
    path("open-data/", views.open_data, name="open_data"),
    path("open-data/hoi-dap.<slug:fmt>", views.open_data_file, name="open_data_file"),
    path("reports/", views.report_list, name="reports"),
    path("reports/<id:pk>.pdf", views.report_download, name="report_download"),
    path("<slug:table>.<slug:fmt>", views.statistics_download, name="download"),
]
