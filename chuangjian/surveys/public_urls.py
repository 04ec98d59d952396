"""The public answer pages (no login), mounted at /wenjuan/ by the root urlconf."""

from __future__ import annotations

from django.urls import path

from chuangjian.surveys import views

app_name = "wenjuan"
urlpatterns = [
    path("<str:token>/", views.answer, name="answer"),
    path("<str:token>/tijiao/", views.answer_submit, name="submit"),
]
