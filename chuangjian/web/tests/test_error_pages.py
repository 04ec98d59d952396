"""The error pages speak Chinese, sit inside the layout and offer a way back (issue 13 §9)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import path

from chuangjian.org.testing import World

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom)]


def test_a_missing_page_answers_404_in_chinese_inside_the_layout(world: World) -> None:
    response = world.client_for(world.community_worker).get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html
    assert "回到首页" in html
    assert 'id="sidebar"' in html  # the layout with its navigation, not a bare page
    assert "Not Found" not in html


def test_an_anonymous_visitor_gets_the_plain_chinese_404() -> None:
    response = Client().get("/suishoupai/no-such-poster/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html
    assert 'id="sidebar"' not in html


def test_a_forbidden_page_answers_403_in_chinese(world: World) -> None:
    response = world.client_for(world.community_worker).get("/people/new/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "没有权限" in html and "回到首页" in html
    assert "Forbidden" not in html


def test_the_error_pages_follow_the_chosen_language(world: World) -> None:
    client = world.client_for(world.community_worker)
    client.cookies["django_language"] = "en"
    html = client.get("/no-such-page/").content.decode()
    assert "Page not found" in html
    assert "页面不存在" not in html


def test_an_expired_form_gets_a_chinese_page_not_the_english_csrf_text(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.community_worker)
    response = client.post("/people/new/", {"username": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "页面已过期" in html
    assert "CSRF verification failed" not in html


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_shows_the_chinese_500_page() -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "系统出错" in response.content.decode()
