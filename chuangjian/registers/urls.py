from __future__ import annotations

from django.urls import path

from chuangjian.registers import feeds

app_name = "registers"
urlpatterns = [
    path("rows/<slug:element>/<str:unit_code>/<str:period>/", feeds.element_rows, name="rows"),
]
