"""The public 随手拍 pages (no login). Mounted at /suishoupai/ by the root urlconf and also
under /inspections/suishoupai/."""

from __future__ import annotations

from django.urls import path

from chuangjian.inspections.views import reports

app_name = "suishoupai"
urlpatterns = [
    path("", reports.public_new, name="new"),
    path("chaxun/", reports.public_lookup, name="lookup"),
    path("<str:code>/", reports.public_status, name="status"),
    path("<str:code>/photo/<str:sha>/", reports.public_photo, name="photo"),
]
