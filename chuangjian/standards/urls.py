from __future__ import annotations

from django.urls import path

from chuangjian.standards import views, views_plans

app_name = "standards"
urlpatterns = [
    path("", views.standard_list, name="list"),
    path("plan-reader/", views_plans.plan_reader, name="plan_reader"),
    path("<slug:code>/", views.standard_detail, name="detail"),
]
