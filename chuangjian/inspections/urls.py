from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401 - filled in as the pages land

app_name = "inspections"
urlpatterns: list[URLPattern] = []
