from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from chuangjian.audit.models import AuditEntry
from chuangjian.org.models import ApiToken
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.org.tokens import create_api_token, revoke_api_token


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def leader_key(world: World) -> str:
    _token, key = create_api_token(actor=None, user=world.street_leader, name="区大数据平台")
    return key


def test_a_bearer_token_authenticates_and_marks_the_token_used(world: World, leader_key: str
                                                               ) -> None:
    response = Client().get("/api/me", headers=bearer(leader_key))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "street_leader"
    assert body["roles"] == ["leader"]
    assert body["memberships"] == [{"unit_code": "T-01", "unit_name": "城关街道", "role": "leader",
                                    "role_label": "领导（第一责任人）"}]
    assert ApiToken.objects.get().last_used_at is not None


def test_only_the_hash_of_a_key_is_stored_and_its_creation_is_audited(world: World,
                                                                      leader_key: str) -> None:
    token = ApiToken.objects.get()
    assert leader_key.startswith("cj_")
    assert token.key_hash == ApiToken.hash_key(leader_key) != leader_key
    assert AuditEntry.objects.filter(action="org.token.created").count() == 1


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer cj_not-a-real-key"},
    {"Authorization": "Bearer "},
    {"Authorization": "Basic c3RyZWV0X2xlYWRlcjpUZXN0QDIwMjZwYXNz"},
])
def test_a_missing_or_invalid_token_gets_401(world: World, headers: dict[str, str]) -> None:
    for url in ("/api/me", "/api/units", "/api/units/T-01", "/api/units/T-01/subtree"):
        assert Client().get(url, headers=headers).status_code == 401


def test_a_revoked_token_or_an_inactive_user_gets_401(world: World, leader_key: str) -> None:
    world.street_leader.is_active = False
    world.street_leader.save()
    assert Client().get("/api/me", headers=bearer(leader_key)).status_code == 401
    revoke_api_token(actor=None, token=ApiToken.objects.get())
    assert Client().get("/api/me", headers=bearer(leader_key)).status_code == 401
    assert AuditEntry.objects.filter(action="org.token.revoked").count() == 1


def test_the_session_of_a_logged_in_user_works_too(world: World) -> None:
    response = world.client_for(world.community_worker).get("/api/units")
    assert response.status_code == 200
    assert [u["code"] for u in response.json()["items"]] == ["T-01-A-01"]


def test_the_unit_list_is_scoped_filtered_and_paginated(world: World, leader_key: str) -> None:
    client = Client()
    body = client.get("/api/units", headers=bearer(leader_key)).json()
    assert body["count"] == 5
    assert [u["code"] for u in body["items"]][:2] == ["T-01", "T-01-A"]
    community = next(u for u in body["items"] if u["code"] == "T-01-A-01")
    assert community == {
        "code": "T-01-A-01", "name": "幸福里社区", "level": "community", "level_label": "社区/村",
        "kind": "area", "department_type": "", "category": "城镇", "division_code": "",
        "parent_code": "T-01-A", "depth": 4, "opened_on": "2020-01-01", "closed_on": None}
    by_level = client.get("/api/units", {"level": "社区"}, headers=bearer(leader_key)).json()
    assert [u["code"] for u in by_level["items"]] == ["T-01-A-01", "T-01-A-02"]
    by_name = client.get("/api/units", {"q": "南门"}, headers=bearer(leader_key)).json()
    assert [u["code"] for u in by_name["items"]] == ["T-01-A-02"]
    under = client.get("/api/units", {"under": "T-01-A"}, headers=bearer(leader_key)).json()
    assert under["count"] == 3
    assert client.get("/api/units", {"level": "大队"}, headers=bearer(leader_key)).status_code == 400


def test_a_large_list_is_paged_in_a_fixed_number_of_queries(
        world: World, leader_key: str, django_assert_max_num_queries: Any) -> None:
    from chuangjian.org import actions

    for i in range(60):
        actions.create_unit(actor=None, code=f"T-01-A-01-G{i:02d}", name=f"第{i}网格",
                            level="grid", parent=world.community, scope=Scope.system())
    client = Client()
    with django_assert_max_num_queries(6):
        first = client.get("/api/units", headers=bearer(leader_key)).json()
    assert first["count"] == 65 and len(first["items"]) == 50
    second = client.get("/api/units", {"page": 2}, headers=bearer(leader_key)).json()
    assert len(second["items"]) == 15


def test_a_unit_and_its_subtree_come_in_tree_order(world: World, leader_key: str) -> None:
    client = Client()
    unit = client.get("/api/units/T-01-A", headers=bearer(leader_key)).json()
    assert (unit["name"], unit["parent_code"]) == ("城东管区", "T-01")
    subtree = client.get("/api/units/T-01-A/subtree", headers=bearer(leader_key)).json()
    assert [u["code"] for u in subtree] == ["T-01-A", "T-01-A-01", "T-01-A-02"]
    assert client.get("/api/units/NOPE", headers=bearer(leader_key)).status_code == 404


def test_the_outsider_gets_404_for_another_streets_units_and_never_lists_them(world: World
                                                                              ) -> None:
    _token, key = create_api_token(actor=None, user=world.outsider, name="t")
    client = Client()
    for code in ("T-01", "T-01-A", "T-01-A-01", "T-01-D1"):
        assert client.get(f"/api/units/{code}", headers=bearer(key)).status_code == 404
        assert client.get(f"/api/units/{code}/subtree", headers=bearer(key)).status_code == 404
        assert client.get("/api/units", {"under": code}, headers=bearer(key)).status_code == 404
    listed = client.get("/api/units", {"q": "幸福"}, headers=bearer(key)).json()
    assert listed["count"] == 0
    everything = client.get("/api/units", headers=bearer(key)).json()
    assert [u["code"] for u in everything["items"]] == ["T-02-A-01"]
    # A unit above the outsider's own community is outside the scope too.
    assert client.get("/api/units/T-02", headers=bearer(key)).status_code == 404


def test_chinese_is_sent_as_readable_utf8(world: World, leader_key: str) -> None:
    response = Client().get("/api/units/T-01-A-01", headers=bearer(leader_key))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "幸福里社区".encode() in response.content
    assert b"\\u" not in response.content


def test_the_openapi_schema_lists_the_endpoints(db: None) -> None:
    schema = Client().get("/api/openapi.json").json()
    assert schema["info"]["title"] == "社区创建工作管理平台 API"
    assert {"/api/units", "/api/units/{code}", "/api/units/{code}/subtree", "/api/me"} <= set(
        schema["paths"])
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def test_the_docs_page_loads_only_local_files(db: None) -> None:
    response = Client().get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/" in html
    external = [u for u in re.findall(r"https?://[^\s\"'<>)]+", html)
                if not re.match(r"https?://(testserver|localhost|127\.0\.0\.1)([:/]|$)", u)]
    assert external == []

