"""The public pages (no login), mounted at /gongshi/: a round's 公示 with objections and
the certificate check a certificate's QR code leads to."""

from __future__ import annotations

from django.urls import path

from chuangjian.awards import views

app_name = "gongshi"
urlpatterns = [
    path("zhengshu/", views.public_check, name="lookup"),
    path("zhengshu/<str:code>/", views.public_check, name="check"),
    path("<str:code>/", views.public_round, name="round"),
]
