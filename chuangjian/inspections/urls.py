from __future__ import annotations

from django.urls import include, path

from chuangjian.inspections.views import bulletins, findings, orders, points, reports, rounds

app_name = "inspections"
urlpatterns = [
    path("", orders.index, name="index"),
    path("inbox/", orders.inbox, name="inbox"),
    path("orders/<int:pk>/", orders.order_page, name="order"),
    path("orders/<int:pk>/<str:action>/", orders.order_action, name="order_action"),
    path("extensions/<int:pk>/decide/", orders.decide_extension, name="decide_extension"),
    path("findings/new/", findings.new_finding, name="finding_new"),
    path("rounds/", rounds.rounds, name="rounds"),
    path("rounds/new/", rounds.round_new, name="round_new"),
    path("rounds/<int:pk>/", rounds.round_page, name="round"),
    path("rounds/<int:pk>/points/<int:rp>/visit/", rounds.round_visit, name="round_visit"),
    path("rounds/<int:pk>/publish/", rounds.round_publish, name="round_publish"),
    path("groups/", rounds.groups, name="groups"),
    path("points/", points.points, name="points"),
    path("points/new/", points.point_form, name="point_new"),
    path("points/<int:pk>/", points.point_form, name="point_edit"),
    path("points/export/", points.points_export, name="points_export"),
    path("points/import/", points.points_import, name="points_import"),
    path("reports/", reports.triage, name="triage"),
    path("reports/<int:pk>/", reports.triage_report, name="triage_report"),
    path("reports/<int:pk>/follow-up/", reports.review_follow_up, name="review_follow_up"),
    path("bulletins/", bulletins.bulletins, name="bulletins"),
    path("accountability/new/", bulletins.accountability_new, name="accountability_new"),
    path("suishoupai/", include("chuangjian.inspections.public_urls")),
]
