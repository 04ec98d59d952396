from __future__ import annotations

from django.urls import path

from chuangjian.registers import feeds, record_pages

app_name = "registers"
urlpatterns = [
    path("rows/<slug:element>/<str:unit_code>/<str:period>/", feeds.element_rows, name="rows"),
    path("<slug:kind>/u/<str:code>/", record_pages.record_list, name="list"),
    path("<slug:kind>/u/<str:code>/new/", record_pages.record_new, name="new"),
    path("<slug:kind>/<int:pk>/edit/", record_pages.record_edit, name="edit"),
    path("quick/bp/<int:pk>/", record_pages.quick_bp, name="quick_bp"),
    path("quick/service/<int:pk>/", record_pages.quick_service, name="quick_service"),
]
