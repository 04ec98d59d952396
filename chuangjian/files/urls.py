from __future__ import annotations

from django.urls import path

from chuangjian.files import views

app_name = "files"
urlpatterns = [
    path("<str:sha256>/<str:variant>/", views.serve, name="serve"),
]
