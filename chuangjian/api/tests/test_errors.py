"""Every error of the API is JSON with a Chinese message and the right status."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.org.tokens import create_api_token
from chuangjian.reporting.models import DataValue

DAILY = {"t_patrols": 3, "t_found": 2, "t_fixed": 1, "t_note": "正常"}


@pytest.fixture
def key(world: World) -> str:
    return create_api_token(actor=None, user=world.community_worker, name="接口")[1]


def report_url() -> str:
    return f"/api/reports/T-01-A-01/community-day/{timezone.localdate().isoformat()}"


def is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_a_write_with_a_bad_bearer_token_is_401_not_a_csrf_403(world: World) -> None:
    response = Client().put(report_url(), {"values": DAILY}, content_type="application/json",
                            headers={"Authorization": "Bearer cj_wrong"})
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "令牌无效" in response.json()["detail"]


def test_a_write_with_no_credentials_is_401(world: World) -> None:
    response = Client().put(report_url(), {"values": DAILY}, content_type="application/json")
    assert response.status_code == 401 and is_chinese(response.json()["detail"])


def test_a_bad_token_beside_a_valid_session_is_still_401(world: World) -> None:
    client = world.client_for(world.community_worker)
    assert client.get("/api/me").status_code == 200
    assert client.get("/api/me", headers={"Authorization": "Bearer cj_wrong"}).status_code == 401


def test_a_session_write_without_the_csrf_token_says_so_in_chinese(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.community_worker)
    response = client.put(report_url(), {"values": DAILY}, content_type="application/json")
    assert response.status_code == 403 and "CSRF 校验失败" in response.json()["detail"]


def test_a_page_past_the_end_is_404(world: World, key: str) -> None:
    for page in ("2", "4611686018427387903", "9" * 200):
        response = Client().get(f"/api/units?page={page}",
                                headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 404, page
        assert "页" in response.json()["detail"]


def test_a_parameter_of_the_wrong_type_is_422_in_chinese(world: World, key: str) -> None:
    response = Client().get("/api/units?page=abc", headers={"Authorization": f"Bearer {key}"})
    body = response.json()
    assert response.status_code == 422
    assert body["detail"] == "查询参数「page」：应为整数"
    assert body["errors"] == {"查询参数「page」": "应为整数"}


def test_an_unknown_unit_is_404_in_chinese(world: World, key: str) -> None:
    response = Client().get("/api/units/NOPE", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 404 and is_chinese(response.json()["detail"])


@pytest.mark.parametrize(("body", "says"), [
    ('{"values": {"t_note": "\\ud800"}}', "代理字符"),
    ('{"values": {"t_note": "a\\u0000b"}}', "空字符"),
    ('{"values": {"t_patrols": ' + "9" * 1_000_000 + "}}", "数字过长"),
    ('{"values": {"t_patrols": 1' + "0" * 5000 + ".5}}", "数字过长"),
    ('{"values": {"t_patrols": NaN}}', "NaN"),
    ('{"values": ' + "[" * 100 + "]" * 100 + "}", "嵌套"),
    ('{"values": ', "不是有效的 JSON"),
    (b'{"values": {"t_note": "\xff"}}', "不是有效的 JSON"),
])
def test_a_body_the_database_could_not_take_is_400_and_writes_nothing(
        world: World, key: str, body: str | bytes, says: str) -> None:
    response = Client().put(report_url(), body, content_type="application/json",
                            headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 400
    assert says in response.json()["detail"]
    assert not DataValue.objects.exists()


def test_a_nul_in_the_path_or_query_is_400_not_a_server_error(world: World, key: str) -> None:
    auth = {"Authorization": f"Bearer {key}"}
    assert Client().get("/api/units/T-01%00", headers=auth).status_code == 400
    response = Client().get("/api/units?q=%00", headers=auth)
    assert response.status_code == 400 and "空字符" in response.json()["detail"]


def test_the_schema_documents_the_error_statuses_of_every_operation(world: World) -> None:
    schema = Client().get("/api/openapi.json").json()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            assert {"400", "401", "404", "422"} <= set(operation["responses"]), (method, path)


@pytest.mark.parametrize("value", ["9" * 1_000_000, "1e999999", "-1E-999999", "NaN", "Infinity"])
def test_a_report_value_of_absurd_size_is_refused_in_chinese(world: World, key: str,
                                                            value: str) -> None:
    from chuangjian.reporting.tests.conftest import STANDARDS_DIR
    from chuangjian.standards import actions as standards_actions
    from chuangjian.standards import loader

    result = loader.load_paths([STANDARDS_DIR], builtin_elements=False).raise_for_errors()
    standards_actions.load_standards(actor=None, result=result, scope=Scope.system())
    response = Client().put(report_url(), {"values": {**DAILY, "t_patrols": value}},
                            content_type="application/json",
                            headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert "t_patrols" in body["errors"] and is_chinese(body["errors"]["t_patrols"])
    assert not DataValue.objects.exists()
