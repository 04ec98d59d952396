from __future__ import annotations

from django.urls import path

from chuangjian.standards import views

app_name = "standards"
urlpatterns = [
    path("", views.standard_list, name="list"),
    path("<slug:code>/", views.standard_detail, name="detail"),
]
