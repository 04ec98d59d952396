from __future__ import annotations

from django.urls import path

from chuangjian.notify import views

app_name = "notify"

urlpatterns = [
    path("", views.notifications, name="list"),
    path("<int:pk>/read/", views.read, name="read"),
    path("read-all/", views.read_all, name="read_all"),
    path("badge/", views.badge, name="badge"),
]
