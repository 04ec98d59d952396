from __future__ import annotations

from django.urls import path

from chuangjian.assessment.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.index, name="index"),
    path("scorecard/", views.scorecard, name="scorecard"),
    path("league/", views.league, name="league"),
    path("heatmap/", views.heatmap, name="heatmap"),
    path("trend/", views.trend, name="trend"),
    path("risk/", views.risk, name="risk"),
    path("compare/", views.compare, name="compare"),
    path("export/", views.export, name="export"),
]
