from __future__ import annotations

from django.urls import path

from chuangjian.awards import views

app_name = "awards"

urlpatterns = [
    path("", views.index, name="index"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/nominate/", views.nominate, name="nominate"),
    path("rounds/<int:pk>/ballot/", views.ballot, name="ballot"),
    path("rounds/<int:pk>/<slug:action>/", views.round_action, name="round_action"),
    path("titles/", views.titles, name="titles"),
    path("titles/<int:pk>/", views.title_detail, name="title"),
    path("titles/<int:pk>/certificate.pdf", views.certificate_pdf, name="certificate"),
    path("titles/<int:pk>/qr.svg", views.title_qr, name="title_qr"),
]
