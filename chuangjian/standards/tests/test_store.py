"""Storing standards in the database: idempotent, versioned, never half-loaded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from chuangjian.audit.models import AuditEntry
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.standards import actions, loader, selectors
from chuangjian.standards.models import DataElement, Indicator, StandardVersion, UnitClassAssignment

BUILTIN = Path(loader.__file__).parent / "builtin"


@pytest.fixture
def builtin(db: None) -> loader.LoadResult:
    result = loader.load_builtin().raise_for_errors()
    actions.load_standards(actor=None, result=result, scope=Scope.system())
    return result


def test_every_builtin_standard_is_stored_with_all_its_indicators(builtin: loader.LoadResult) -> None:
    assert StandardVersion.objects.count() == len(builtin.standards) >= 9
    for standard in builtin.standards:
        stored = StandardVersion.objects.get(code=standard.code, version=standard.version)
        assert stored.indicators.count() == len(standard.all_indicators())


def test_loading_the_same_files_again_changes_nothing(builtin: loader.LoadResult) -> None:
    before = (StandardVersion.objects.count(), Indicator.objects.count())
    summary = actions.load_standards(actor=None, result=loader.load_builtin(), scope=Scope.system())
    assert summary.created == []
    assert (StandardVersion.objects.count(), Indicator.objects.count()) == before
    assert AuditEntry.objects.filter(action="standards.loaded").count() == 1


def _copy_standard(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copy(BUILTIN / name, target)
    return target


def test_a_changed_file_under_the_same_version_is_refused_and_nothing_is_written(
        builtin: loader.LoadResult, tmp_path: Path) -> None:
    path = _copy_standard(tmp_path, "wenming_shequ.yaml")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("name: 文明社区创建标准", "name: 文明社区创建标准（修订）", 1),
                    encoding="utf-8")
    before = Indicator.objects.count()
    with pytest.raises(ValidationError, match="请提高 version"):
        actions.load_standards(actor=None, result=loader.load_paths([path]), scope=Scope.system())
    assert Indicator.objects.count() == before


def test_a_new_version_is_added_beside_the_old_one(builtin: loader.LoadResult,
                                                   tmp_path: Path) -> None:
    path = _copy_standard(tmp_path, "wenming_shequ.yaml")
    text = path.read_text(encoding="utf-8").replace("version: 1", "version: 2", 1)
    path.write_text(text.replace("name: 文明社区创建标准", "name: 文明社区创建标准（修订）", 1),
                    encoding="utf-8")
    actions.load_standards(actor=None, result=loader.load_paths([path]), scope=Scope.system())
    old = StandardVersion.objects.get(code="wenming_shequ", version=1)
    new = selectors.standard_for("wenming_shequ")
    assert (old.name, new.name, new.version) == ("文明社区创建标准", "文明社区创建标准（修订）", 2)
    assert old.indicators.count() == new.indicators.count()


def test_the_standard_table_groups_indicators_by_item_and_content(builtin: loader.LoadResult) -> None:
    standard = selectors.standard_for("wenming_shequ")
    table = selectors.standard_table(standard)
    assert sum(item.rowspan for item in table) == standard.indicators.count()
    names = [i.name for item in table for c in item.contents for i in c.indicators]
    assert any("防火设施器材" in n or "配备率" in n for n in names)


def test_a_standard_applies_by_level_and_category(builtin: loader.LoadResult,
                                                  world: World) -> None:
    wenming = selectors.standard_for("wenming_shequ")
    assert selectors.unit_matches(wenming.levels, wenming.categories, world.community)
    assert not selectors.unit_matches(wenming.levels, wenming.categories, world.street)
    assert not selectors.unit_matches(["town"], ["城镇", "农村"], world.street)
    assert selectors.unit_matches(["town"], ["城镇", "农村"], world.rural_town)
    assert selectors.unit_matches(["department"], ["城镇"], world.department)


def test_units_move_between_classes_and_each_period_keeps_its_class(
        builtin: loader.LoadResult, world: World) -> None:
    standard = next(s for s in StandardVersion.objects.all() if s.unit_classes.exists())
    classes = list(standard.unit_classes.order_by("order"))
    element = sorted(loader.load_builtin().standard(standard.code).classes[0].rule.names())[0]
    first = actions.assign_unit_classes(actor=None, standard=standard, period="2026",
                                        values={world.rural_town.pk: {element: 0}}, scope=Scope.system())
    later = actions.assign_unit_classes(actor=None, standard=standard, period="2027",
                                        values={world.rural_town.pk: {element: 12}}, scope=Scope.system())
    missing = actions.assign_unit_classes(actor=None, standard=standard, period="2028",
                                          values={world.rural_town.pk: {element: None}}, scope=Scope.system())
    assert first[0].unit_class == classes[0]
    assert later[0].unit_class != classes[0]
    assert missing[0].unit_class is None and "无法" in missing[0].reason
    history = UnitClassAssignment.objects.filter(unit=world.rural_town).order_by("period")
    assert [h.period for h in history] == ["2026", "2027", "2028"]


def test_the_cli_validates_lists_shows_and_loads(db: None, capsys: pytest.CaptureFixture[str]
                                                 ) -> None:
    call_command("standards", "validate", str(BUILTIN))
    call_command("standards", "load")
    call_command("standards", "load")
    call_command("standards", "list")
    call_command("standards", "show", "wenming_shequ")
    out = capsys.readouterr().out
    assert "校验通过" in out and "未变" in out and "文明社区" in out and "篇1" in out


def test_the_cli_refuses_a_bad_file_with_file_and_line(db: None, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: x\nname: [unclosed\n", encoding="utf-8")
    with pytest.raises(CommandError) as err:
        call_command("standards", "validate", str(bad))
    assert err.value.returncode == 1
    assert not StandardVersion.objects.exists()


def test_the_standards_pages_render_the_evaluation_table(builtin: loader.LoadResult,
                                                         world: World) -> None:
    client = world.client_for(world.community_worker)
    listing = client.get("/standards/")
    assert listing.status_code == 200 and "文明社区" in listing.content.decode()
    page = client.get("/standards/wenming_shequ/").content.decode()
    for header in ("测评项目", "测评内容", "测评标准", "分值", "测评方法", "目标", "来源"):
        assert header in page
    quote = Indicator.objects.filter(standard__code="wenming_shequ").first()
    assert quote is not None and quote.source_quote in page


def test_the_standard_page_writes_formulas_in_words_with_the_code_in_a_tooltip(
        builtin: loader.LoadResult, world: World) -> None:
    page = world.client_for(world.community_worker).get("/standards/wenming_shequ/").content.decode()
    rate = Indicator.objects.get(standard__code="wenming_shequ", expression__startswith="ratio(",
                                 name__contains="调解")
    assert f'title="{rate.expression}"' in page
    assert f">{rate.expression}<" not in page
    mediated = DataElement.objects.get(code=rate.expression[len("ratio("):].split(",")[0])
    assert f"{mediated.name} ÷ " in page


def test_an_unknown_standard_is_a_404(builtin: loader.LoadResult, world: World) -> None:
    assert world.client_for(world.community_worker).get("/standards/nope/").status_code == 404


def test_the_standards_pages_require_login(db: None, client: object) -> None:
    from django.test import Client

    assert isinstance(client, Client)
    assert client.get("/standards/").status_code == 302


def test_validation_rules_and_element_order_are_stored_when_a_standard_loads(
        builtin: loader.LoadResult) -> None:
    from chuangjian.standards.models import Dataset, ValidationRule

    standard = builtin.standard("chuangcheng")
    stored = StandardVersion.objects.get(code=standard.code, version=standard.version)
    rules = list(ValidationRule.objects.filter(standard=stored))
    assert [(r.code, r.expression, r.message) for r in rules] == [
        (v.code, v.expression.text, v.message) for v in standard.validations]
    text = (BUILTIN / "chuangcheng.yaml").read_text(encoding="utf-8").splitlines()
    for rule in rules:  # the line in the file, for the person who fixes it
        assert rule.line is not None and rule.code in text[rule.line - 1]
    for ds in standard.datasets:
        row = Dataset.objects.get(standard=stored, code=ds.code)
        assert row.element_order == list(ds.elements)
