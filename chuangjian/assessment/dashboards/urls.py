from __future__ import annotations

from django.urls import path

from chuangjian.assessment.dashboards import views
from chuangjian.lib.replica import reads_from_replica

app_name = "dashboards"
# The pages only read: a read replica may serve them (chuangjian.lib.replica). The export
# starts a job (a write) and stays on the primary; the job itself reads from the replica.
urlpatterns = [
    path("", reads_from_replica(views.index), name="index"),
    path("scorecard/", reads_from_replica(views.scorecard), name="scorecard"),
    path("league/", reads_from_replica(views.league), name="league"),
    path("heatmap/", reads_from_replica(views.heatmap), name="heatmap"),
    path("trend/", reads_from_replica(views.trend), name="trend"),
    path("risk/", reads_from_replica(views.risk), name="risk"),
    path("compare/", reads_from_replica(views.compare), name="compare"),
    path("export/", views.export, name="export"),
]
