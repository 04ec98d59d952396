from __future__ import annotations

from django.urls import path

from chuangjian.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.index, name="index"),
    path("inbox/", views.inbox, name="inbox"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/print/", views.print_case, name="print"),
    path("<int:pk>/<str:action>/", views.case_action, name="case_action"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/<int:pk>/", views.transfer, name="transfer"),
    path("looks/", views.looks, name="looks"),
    path("log/", views.log, name="log"),
    path("exports/", views.exports_page, name="exports"),
    path("exports/<int:pk>/", views.export_page, name="export"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
]
