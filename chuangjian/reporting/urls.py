from __future__ import annotations

from django.urls import path

from chuangjian.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("missing/", views.missing, name="missing"),
    path("review/", views.review_list, name="review_list"),
    path("review/batch/", views.review_batch, name="review_batch"),
    path("submissions/<int:pk>/review/", views.review, name="review"),
    path("xlsx/", views.xlsx_page, name="xlsx"),
    path("xlsx/template/", views.xlsx_template, name="xlsx_template"),
    path("news/", views.news_list, name="news"),
    path("news/new/", views.news_new, name="news_new"),
    path("news/<int:pk>/decide/", views.news_decide, name="news_decide"),
    path("news/attachments/<int:pk>/", views.news_attachment, name="news_attachment"),
    path("u/<str:code>/<str:dataset>/<str:period>/", views.report_form, name="form"),
    path("u/<str:code>/<str:dataset>/<str:period>/check/<str:element>/", views.check_field,
         name="check_field"),
    path("u/<str:code>/<str:dataset>/<str:period>/history/<str:element>/", views.value_history,
         name="history"),
    path("u/<str:code>/<str:dataset>/<str:period>/late/", views.request_late, name="late_request"),
    path("late/<int:pk>/decide/", views.decide_late, name="late_decide"),
    path("u/<str:code>/<str:dataset>/<str:period>/exception/", views.grant_exception,
         name="exception"),
]
