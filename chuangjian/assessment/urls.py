from __future__ import annotations

from django.urls import path

from chuangjian.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.index, name="index"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/publish/", views.publish, name="publish"),
    path("runs/<int:pk>/u/<int:unit_id>/", views.unit_card, name="unit"),
    path("runs/<int:pk>/u/<int:unit_id>/review/", views.review, name="review"),
    path("runs/<int:pk>/u/<int:unit_id>/i/<str:code>/", views.explain_page, name="explain"),
]
