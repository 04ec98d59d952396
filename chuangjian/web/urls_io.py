"""Routes for data in and out of the org tree (xlsx import/export, division picker).

Included into the ``web`` namespace by ``chuangjian.web.urls``.
"""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
