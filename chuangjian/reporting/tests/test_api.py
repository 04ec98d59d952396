"""The reporting API: idempotent PUT, GET, the missing list — and the outsider on each."""

from __future__ import annotations

import json
from typing import TypedDict

import pytest
from django.test import Client
from django.utils import timezone

from chuangjian.org.testing import World
from chuangjian.org.tokens import create_api_token
from chuangjian.reporting.models import DataValue, Submission

DAILY = {"t_patrols": 3, "t_found": 2, "t_fixed": 1, "t_note": "正常"}


class BearerAuth(TypedDict):
    """The WSGI environ entry the test client sends as the Authorization header."""

    HTTP_AUTHORIZATION: str


@pytest.fixture(autouse=True)
def _api_urls(settings) -> None:
    settings.ROOT_URLCONF = "chuangjian.reporting.tests.api_urls"


def bearer(user) -> BearerAuth:
    _token, key = create_api_token(actor=None, user=user, name="测试")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def url(unit: str, dataset: str = "community-day", period: str | None = None) -> str:
    return f"/test-api/reports/{unit}/{dataset}/{period or timezone.localdate().isoformat()}"


def put(client: Client, target: str, values: dict, headers: BearerAuth) -> tuple[int, dict]:
    response = client.put(target, data=json.dumps({"values": values}),
                          content_type="application/json", **headers)
    return response.status_code, response.json()


def test_put_is_idempotent_and_a_change_makes_a_new_version(world: World, standards: object) -> None:
    client, auth = Client(), bearer(world.community_worker)
    code, body = put(client, url("T-01-A-01"), DAILY, auth)
    assert code == 200, body
    assert (body["status"], body["version"], body["values"]["t_patrols"]) == ("submitted", 1, "3")
    code, body = put(client, url("T-01-A-01"), DAILY, auth)
    assert (code, body["version"], body["changed"]) == (200, 1, [])
    code, body = put(client, url("T-01-A-01"), {"t_patrols": 4}, auth)
    assert (code, body["version"], body["changed"]) == (200, 2, ["t_patrols"])
    assert Submission.objects.count() == 1
    assert Submission.objects.get().channel == "api"


def test_put_returns_each_error_by_element_and_saves_nothing(world: World,
                                                             standards: object) -> None:
    code, body = put(Client(), url("T-01-A-01"), {**DAILY, "t_patrols": "x", "t_fixed": 9},
                     bearer(world.community_worker))
    assert code == 400
    assert body["errors"]["t_patrols"] == "「x」不是数字"
    assert body["errors"]["t_found"] == "整改问题数不能多于发现问题数"
    assert not DataValue.objects.exists()


def test_a_period_that_does_not_exist_or_is_not_open_is_refused(world: World,
                                                                standards: object) -> None:
    auth = bearer(world.community_worker)
    code, body = put(Client(), url("T-01-A-01", period="2026-02-30"), DAILY, auth)
    assert code == 400 and "日期不存在" in body["detail"]
    code, body = put(Client(), url("T-01-A-01", period="2099-01-01"), DAILY, auth)
    assert code == 400 and "尚未开始" in body["detail"]


def test_get_returns_the_report_with_its_deadline(world: World, standards: object) -> None:
    client, auth = Client(), bearer(world.community_worker)
    put(client, url("T-01-A-01"), DAILY, auth)
    body = client.get(url("T-01-A-01"), **auth).json()
    assert body["due_local"].endswith("16:00")
    assert body["values"] == {"t_patrols": "3", "t_found": "2", "t_fixed": "1", "t_note": "正常"}


def test_the_outsider_can_neither_put_nor_get_another_streets_report(world: World,
                                                                     standards: object) -> None:
    client, auth = Client(), bearer(world.outsider)
    code, _ = put(client, url("T-01-A-01"), DAILY, auth)
    assert code == 404
    assert client.get(url("T-01-A-01"), **auth).status_code == 404
    missing = client.get("/test-api/reports/missing?unit=T-01", **auth)
    assert missing.status_code == 404
    own = client.get("/test-api/reports/missing", **auth).json()
    assert [u["code"] for g in own["groups"] for u in g["missing"]] == ["T-02-A-01"]
    assert not Submission.objects.exists()


def test_an_inspector_may_read_but_not_report(world: World, standards: object) -> None:
    code, _ = put(Client(), url("T-01-A-01"), DAILY, bearer(world.inspector))
    assert code == 404


def test_the_missing_list_over_the_api(world: World, standards: object) -> None:
    client = Client()
    put(client, url("T-01-A-01"), DAILY, bearer(world.community_worker))
    body = client.get("/test-api/reports/missing?unit=T-01",
                      **bearer(world.street_leader)).json()
    assert (body["expected"], body["submitted"], body["missing"]) == (3, 1, 2)


def test_an_anonymous_request_is_refused(world: World, standards: object) -> None:
    assert Client().get(url("T-01-A-01")).status_code == 401
