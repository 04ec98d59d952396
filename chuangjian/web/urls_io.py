"""Routes for data in and out of the org tree (xlsx import/export, division picker).

Included into the ``web`` namespace by ``chuangjian.web.urls``. The xlsx pages
live under ``io/`` because ``units/<code>/`` is a unit's own page.
"""

from __future__ import annotations

from django.urls import URLPattern, path

from chuangjian.web.views import units_io

urlpatterns: list[URLPattern] = [
    path("io/units/export/", units_io.units_export, name="units_export"),
    path("io/units/import/", units_io.units_import, name="units_import"),
    path("divisions/search/", units_io.division_search, name="division_search"),
]
