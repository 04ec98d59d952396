"""A test URLconf: the product's URLs plus an API with the reporting router mounted,
so the router is tested through real authentication before the lead mounts it."""

from __future__ import annotations

from django.urls import path
from ninja import NinjaAPI

from chuangjian.api.auth import ActiveSessionAuth, TokenAuth
from chuangjian.api.main import ReadableJSONRenderer
from chuangjian.reporting.api import build_router
from chuangjian.urls import urlpatterns as product_urls

test_api = NinjaAPI(title="reporting test", version="test", urls_namespace="reporting_test_api",
                    auth=[TokenAuth(), ActiveSessionAuth()], renderer=ReadableJSONRenderer())
test_api.add_router("/", build_router())

urlpatterns = [path("test-api/", test_api.urls), *product_urls]
