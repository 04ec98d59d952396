from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from chuangjian.audit.models import AuditEntry
from chuangjian.org.io import COLUMNS
from chuangjian.org.management.commands.units import width
from chuangjian.org.models import ApiToken, Division, Unit
from chuangjian.org.testing import World


def call(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_units_list_prints_aligned_columns(world: World) -> None:
    out, _err = call("units", "list")
    lines = out.splitlines()
    assert lines[0].split() == ["编码", "层级", "城乡", "名称"]
    community = next(line for line in lines if line.startswith("T-01-A-01 "))
    assert community.split() == ["T-01-A-01", "社区/村", "城镇", "幸福里社区"]
    # The name column starts at the same screen column on every line (CJK counts double).
    starts = {width(line[: line.index(name)]) for line, name in
              ((line, line.split()[-1]) for line in lines[1:-1])}
    assert len(starts) == 1
    assert lines[-1] == f"共 {Unit.objects.count()} 个单位"


def test_units_list_filters_by_level_and_subtree(world: World) -> None:
    out, _err = call("units", "list", "--level", "社区")
    assert sorted(line.split()[0] for line in out.splitlines()[1:-1]) == [
        "T-01-A-01", "T-01-A-02", "T-02-A-01", "T-03-A-01"]
    out, _err = call("units", "list", "--under", "T-03")
    assert [line.split()[0] for line in out.splitlines()[1:-1]] == ["T-03", "T-03-A", "T-03-A-01"]
    assert "农村" in out
    with pytest.raises(CommandError, match="未知的层级"):
        call("units", "list", "--level", "大队")
    with pytest.raises(CommandError, match="不存在"):
        call("units", "list", "--under", "NOPE")


def test_units_export_then_import_round_trips(world: World, tmp_path: Path) -> None:
    target = tmp_path / "street.xlsx"
    out, _err = call("units", "export", "-o", str(target), "--under", "T-01")
    assert "已导出" in out and target.stat().st_size > 0
    out, _err = call("units", "import", str(target))
    assert "新建 0" in out and "未变 5" in out


def test_units_import_prints_the_errors_exits_1_and_saves_nothing(world: World,
                                                                  tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.append([h for h, _w in COLUMNS])
    wb.active.append(["T-01-A-09", "新城社区", "社区", "T-01-A"])
    wb.active.append(["T-01-A-10", "", "社区", "T-99"])
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("units", "import", str(path), stdout=io.StringIO(), stderr=err)
    assert excinfo.value.returncode == 1
    assert "未保存任何数据" in str(excinfo.value)
    assert err.getvalue().splitlines() == [
        "第3行「名称」列：名称不能为空",
        "第3行「上级编码」列：上级编码「T-99」不存在：文件和系统中都没有这个单位",
    ]
    assert not Unit.objects.filter(code="T-01-A-09").exists()


def test_units_import_as_a_user_applies_that_users_scope(world: World, tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.append([h for h, _w in COLUMNS])
    wb.active.append(["T-01-A-09", "新城社区", "社区", "T-01-A"])
    path = tmp_path / "one.xlsx"
    wb.save(path)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("units", "import", str(path), "--as", "outsider", stderr=err)
    assert "上级编码「T-01-A」不存在" in err.getvalue()
    out, _err = call("units", "import", str(path), "--as", "district_admin")
    assert "新建 1" in out
    entry = AuditEntry.objects.get(action="org.unit.created", object_repr="新城社区")
    assert entry.actor == world.district_admin
    with pytest.raises(CommandError, match="不存在或已停用"):
        call("units", "import", str(path), "--as", "nobody")


def test_units_import_refuses_a_missing_file(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="文件不存在"):
        call("units", "import", str(tmp_path / "none.xlsx"))


def test_tokens_create_list_and_revoke(world: World) -> None:
    out, _err = call("tokens", "create", "street_leader", "--name", "区大数据平台")
    key = out.splitlines()[-1]
    token = ApiToken.objects.get()
    assert key.startswith("cj_") and token.key_hash == ApiToken.hash_key(key)
    assert token.name == "区大数据平台"

    listing, _err = call("tokens", "list")
    assert "street_leader" in listing and "区大数据平台" in listing and key not in listing
    assert "从未使用" in listing

    out, _err = call("tokens", "revoke", str(token.pk))
    assert "已吊销" in out and not ApiToken.objects.exists()
    assert [e.action for e in AuditEntry.objects.filter(action__startswith="org.token.")
            .order_by("id")] == ["org.token.created", "org.token.revoked"]
    with pytest.raises(CommandError, match="不存在"):
        call("tokens", "revoke", str(token.pk))
    with pytest.raises(CommandError, match="不存在"):
        call("tokens", "create", "nobody", "--name", "x")


def test_divisions_load_and_search(db: None, tmp_path: Path) -> None:
    (tmp_path / "provinces.csv").write_text('code,name\n33,"浙江省"\n', encoding="utf-8")
    (tmp_path / "cities.csv").write_text('code,name,provinceCode\n3303,"温州市",33\n',
                                         encoding="utf-8")
    (tmp_path / "areas.csv").write_text(
        'code,name,cityCode,provinceCode\n330381,"瑞安市",3303,33\n', encoding="utf-8")
    (tmp_path / "streets.csv").write_text(
        'code,name,areaCode,provinceCode,cityCode\n330381001,"安阳街道",330381,33,3303\n',
        encoding="utf-8")
    out, _err = call("divisions", "search", "安阳")
    assert "尚未导入" in out
    out, _err = call("divisions", "load", "--dir", str(tmp_path), "--province", "33")
    assert out.strip() == "已导入 2023年统计用区划代码 4 条（省 1，市 1，县 1，乡镇 1）"
    assert Division.objects.count() == 4
    out, _err = call("divisions", "search", "安阳")
    assert out.splitlines() == ["330381001  乡镇  浙江省温州市瑞安市安阳街道",
                                "（数据年份：2023年统计用区划代码）"]
    with pytest.raises(CommandError, match="2位数字"):
        call("divisions", "load", "--dir", str(tmp_path), "--province", "zj")
