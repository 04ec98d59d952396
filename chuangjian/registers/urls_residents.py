"""The resident register's pages (实有人口). No URL carries a name or a number."""

from __future__ import annotations

from django.urls import path

from chuangjian.registers import pages

app_name = "residents"
urlpatterns = [
    path("", pages.index, name="index"),
    path("unit/<str:code>/", pages.unit_residents, name="unit"),
    path("unit/<str:code>/new/", pages.person_create, name="person_create"),
    path("unit/<str:code>/import/", pages.unit_import, name="import"),
    path("unit/<str:code>/export/", pages.unit_export, name="export"),
    path("template/<slug:kind>/", pages.template_download, name="template"),
    path("person/<int:pk>/", pages.person_page, name="person"),
    path("person/<int:pk>/edit/", pages.person_edit, name="person_edit"),
    path("person/<int:pk>/reveal/", pages.person_reveal, name="person_reveal"),
    path("person/<int:pk>/move-out/", pages.person_move_out, name="person_move_out"),
    path("person/<int:pk>/move-in/<str:code>/", pages.person_move_in, name="person_move_in"),
    path("household/<int:pk>/", pages.household_page, name="household"),
]
