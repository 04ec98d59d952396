"""URLConf for the dashboard tests: the site plus the dashboards, until the lead mounts them."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from chuangjian.urls import urlpatterns as site

urlpatterns: list[URLPattern | URLResolver] = list(site)
if not any(getattr(p, "namespace", None) == "dashboards" for p in site):
    urlpatterns.insert(0, path("dashboards/", include("chuangjian.assessment.dashboards.urls")))
