"""Bad-input corpus of the reporting API bodies and report files: each refused with a
Chinese message and nothing stored."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from benchmarks.bombs import xlsx_one_long_row, xlsx_without_refs
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.reporting.models import DataValue, Submission
from chuangjian.reporting.tests.test_api import DAILY, bearer, url
from chuangjian.reporting.xlsx import import_workbook


@pytest.fixture(autouse=True)
def _api_urls(settings) -> None:
    settings.ROOT_URLCONF = "chuangjian.reporting.tests.api_urls"


NOT_NUMBER = "不是数字"
VALUES: list[tuple[str, object, str]] = [
    ("letters", "x", NOT_NUMBER),
    ("chinese", "三", NOT_NUMBER),
    ("two_dots", "1.2.3", NOT_NUMBER),
    ("spaces_inside", "1 2", NOT_NUMBER),
    ("hex", "0x10", NOT_NUMBER),
    ("fraction", "1/2", NOT_NUMBER),
    ("decimal", "1.5", "应为整数"),
    ("nan_text", "NaN", "不是有效的数字"),
    ("infinity_text", "Infinity", "不是有效的数字"),
    ("huge_exponent", "1e999", "不是有效的数字"),
    ("tiny_exponent", "1e-999", "应为整数"),
    ("thirty_one_digits", "1" * 31, "数字过长"),
    ("million_digits", "9" * 1_000_000, "数字过长"),
    ("long_zeros", "0." + "0" * 100 + "1", "数字过长"),
    ("too_big", "1" * 20, "不是有效的数字"),
    ("bool_like", "是不是", NOT_NUMBER),
]


@pytest.mark.parametrize(("name", "value", "message"), VALUES, ids=[v[0] for v in VALUES])
def test_a_malformed_api_value_is_refused_by_element_and_nothing_is_saved(
        world: World, standards: object, name: str, value: object, message: str) -> None:
    response = Client().put(url("T-01-A-01"), data=json.dumps({"values": {**DAILY,
                                                                          "t_patrols": value}}),
                            content_type="application/json", **bearer(world.community_worker))
    assert response.status_code == 400
    assert message in response.json()["errors"]["t_patrols"]
    assert not Submission.objects.exists()
    assert not DataValue.objects.exists()


def test_a_text_over_the_limit_is_refused(world: World, standards: object) -> None:
    response = Client().put(url("T-01-A-01"),
                            data=json.dumps({"values": {**DAILY, "t_note": "字" * 2001}}),
                            content_type="application/json", **bearer(world.community_worker))
    assert response.status_code == 400
    assert "文字过长" in response.json()["errors"]["t_note"]
    assert not Submission.objects.exists()


FILES: list[tuple[str, bytes, str]] = [
    ("empty", b"", "文件为空"),
    ("text", b"unit,period\n", "不是 xlsx 文件"),
    ("ten_million_cells", xlsx_without_refs(10_000_000), "超过 400000 个单元格"),
    ("one_long_row", xlsx_one_long_row(1_000_000), "个单元格"),
    ("too_many_rows", xlsx_without_refs(20_010, per_row=1), "行，请拆分后分批导入"),
    ("no_meta_sheet", xlsx_without_refs(10, per_row=5), "找不到数据集编码"),
    ("only_pk", b"PK\x03\x04junk", "不是有效的 xlsx 文件"),
]


@pytest.mark.parametrize(("name", "data", "message"), FILES, ids=[f[0] for f in FILES])
def test_a_malformed_report_file_is_refused_in_chinese(world: World, standards: object,
                                                       name: str, data: bytes,
                                                       message: str) -> None:
    result = import_workbook(data, actor=None, scope=Scope.system())
    assert message in str(result.errors[0]), result.errors
    assert not Submission.objects.exists()
