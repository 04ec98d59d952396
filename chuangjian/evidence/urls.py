from __future__ import annotations

from django.urls import path

from chuangjian.evidence import views

app_name = "evidence"
urlpatterns = [
    path("", views.index, name="index"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/delete/", views.activity_delete, name="activity_delete"),
    path("activities/<int:pk>/link/", views.activity_link, name="activity_link"),
    path("checklist/", views.checklist_page, name="checklist"),
    path("link/", views.link_page, name="link"),
    path("links/<int:pk>/delete/", views.link_delete, name="link_delete"),
    path("ledger/", views.ledger_start, name="ledger"),
    path("types/", views.types_page, name="types"),
    path("windows/", views.windows_page, name="windows"),
]
