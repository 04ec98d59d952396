"""Unit classes (单位类别): set by a person through the CLI, the API and xlsx, effective-dated
with history, and suggested each year by 动态升降 (篇9) for a person to confirm."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from chuangjian.assessment.classes import propose_next_year_classes
from chuangjian.assessment.compute import unit_classes
from chuangjian.assessment.items import items_of
from chuangjian.assessment.tests.conftest import Small
from chuangjian.assessment.wording import applied_reason, target_sentence
from chuangjian.audit.models import AuditEntry
from chuangjian.org.scope import Scope
from chuangjian.standards import actions
from chuangjian.standards.classes_io import export_unit_classes, import_unit_classes
from chuangjian.standards.models import UnitClassAssignment


def _set(small: Small, unit_code: str, period: str, name: str, *, scope: Scope | None = None
         ) -> None:
    w = small.world
    unit = next(u for u in (w.community, w.community2, w.village) if u.code == unit_code)
    actions.set_unit_class(actor=w.district_admin, scope=scope or Scope.for_user(w.district_admin),
                           unit=unit, standard_code="test_small", period=period,
                           unit_class=name, reason="年初评定")


def test_a_class_holds_from_its_period_until_a_later_period_changes_it(small: Small) -> None:
    w = small.world
    _set(small, w.community.code, "2026", "小社区")
    _set(small, w.community.code, "2028", "大社区")
    assert unit_classes("test_small", 2026, unit_ids=[w.community.pk]) == {w.community.pk: "小社区"}
    # 2027 has no row of its own: the 2026 class still holds.
    assert unit_classes("test_small", 2027, unit_ids=[w.community.pk]) == {w.community.pk: "小社区"}
    assert unit_classes("test_small", 2028, unit_ids=[w.community.pk]) == {w.community.pk: "大社区"}
    assert unit_classes("test_small", 2025, unit_ids=[w.community.pk]) == {}
    # History kept: one row per period, and every change in the audit log.
    rows = UnitClassAssignment.objects.filter(unit=w.community).order_by("period")
    assert [(r.period, r.unit_class.name if r.unit_class else None) for r in rows] == [
        ("2026", "小社区"), ("2028", "大社区")]
    assert rows[0].assigned_by == w.district_admin and rows[0].reason == "年初评定"
    assert AuditEntry.objects.filter(action="standards.classes.set").count() == 2


def item_target_of(item: dict[str, object]) -> str:
    applied = applied_reason(item)
    assert applied is not None
    return target_sentence(applied)


def test_class_targets_compute_once_a_unit_has_its_class(small: Small) -> None:
    from chuangjian.assessment import actions as assessment_actions
    from chuangjian.assessment.models import UnitResult

    w = small.world
    small.report(w.community, t_done=45, t_total=50, t_events=3)
    run = assessment_actions.start_run(actor=None, standard_code="test_small", year=2026,
                                       unit=w.district, scope=Scope.system())
    before = items_of(UnitResult.objects.get(run=run, unit=w.community))["events"]
    assert before["p"] == 0 and "小社区" not in item_target_of(before)
    _set(small, w.community.code, "2026", "小社区")
    run = assessment_actions.start_run(actor=None, standard_code="test_small", year=2026,
                                       unit=w.district, scope=Scope.system())
    after = items_of(UnitResult.objects.get(run=run, unit=w.community))["events"]
    assert after["p"] == 20 and "小社区" in item_target_of(after)


def test_only_someone_who_manages_the_unit_may_set_its_class(small: Small) -> None:
    w = small.world
    for user in (w.outsider, w.street_leader, w.community_worker):
        with pytest.raises(PermissionDenied):
            _set(small, w.community.code, "2026", "小社区", scope=Scope.for_user(user))
    assert not UnitClassAssignment.objects.exists()


def test_a_wrong_class_standard_or_period_is_refused_naming_the_field(small: Small) -> None:
    w = small.world
    cases = [({"unit_class": "特大社区"}, "unit_class", "特大社区"),
             ({"period": "2026-13"}, "period", "2026-13"),
             ({"period": "2026-03"}, "period", "季度"),
             ({"standard_code": "no_such"}, "standard", "no_such")]
    for change, field, words in cases:
        kwargs = {"actor": None, "scope": Scope.system(), "unit": w.community,
                  "standard_code": "test_small", "period": "2026", "unit_class": "小社区"}
        kwargs.update(change)
        with pytest.raises(ValidationError) as caught:
            actions.set_unit_class(**kwargs)  # type: ignore[arg-type]
        assert field in caught.value.error_dict
        assert words in str(caught.value)


def test_dynamic_promotion_suggests_next_years_class_for_a_person_to_confirm(
        small: Small) -> None:
    """篇9: 及时调整工作类别，实行动态升降."""
    w = small.world
    _set(small, w.community.code, "2026", "小社区")
    _set(small, w.community2.code, "2026", "小社区")
    small.report(w.community, t_total=150)        # grew past 100: 大社区 next year
    small.report(w.community2, t_total=40)
    decisions = propose_next_year_classes(actor=None, scope=Scope.system(),
                                          standard_code="test_small", year=2026, unit=w.district)
    suggested = {d.unit.pk: d.unit_class.name if d.unit_class else None for d in decisions}
    assert suggested[w.community.pk] == "大社区"
    assert suggested[w.community2.pk] == "小社区"
    # A village without a 2026 report gets no suggestion, and says why.
    village = next(d for d in decisions if d.unit.pk == w.village.pk)
    assert village.unit_class is None and "无法判断" in village.reason
    # Nothing changes until someone confirms.
    assert unit_classes("test_small", 2027, unit_ids=[w.community.pk]) == {w.community.pk: "小社区"}
    n = actions.confirm_unit_classes(actor=w.district_admin,
                                     scope=Scope.for_user(w.district_admin),
                                     standard_code="test_small", period="2027")
    assert n == 2
    assert unit_classes("test_small", 2027, unit_ids=[w.community.pk]) == {w.community.pk: "大社区"}
    assert unit_classes("test_small", 2026, unit_ids=[w.community.pk]) == {w.community.pk: "小社区"}
    assert AuditEntry.objects.filter(action="standards.classes.confirmed").count() == 2


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_classes_import_from_xlsx_and_nothing_is_saved_while_a_row_is_wrong(
        small: Small) -> None:
    w = small.world
    header: list[object] = ["单位编码", "标准", "起始期间", "单位类别", "依据"]
    bad = _xlsx([header, [w.community.code, "test_small", "2026", "小社区", "年初"],
                 [w.community2.code, "test_small", "2026", "巨型社区", ""],
                 ["NO-SUCH", "test_small", "2026", "小社区", ""]])
    result = import_unit_classes(actor=None, scope=Scope.system(), data=bad, filename="类别.xlsx")
    assert [(e.row, e.column) for e in result.errors] == [(3, "单位类别"), (4, "单位编码")]
    assert not UnitClassAssignment.objects.exists()
    good = _xlsx([header, [w.community.code, "test_small", 2026, "小社区", "年初"],
                  [w.community2.code, "test_small", "2026", "big", ""]])
    result = import_unit_classes(actor=None, scope=Scope.system(), data=good, filename="类别.xlsx")
    assert result.ok and result.saved == 2
    back = load_workbook(io.BytesIO(export_unit_classes(Scope.system(), "test_small", 2026)))
    cells = [[c.value for c in row] for row in back.worksheets[0].iter_rows()]
    assert [w.community.code, "test_small", "2026", "小社区", "年初"] in cells
    assert [w.community2.code, "test_small", "2026", "大社区", "人工评定"] in cells


def test_the_units_classes_command_sets_lists_proposes_and_confirms(
        small: Small, capsys: pytest.CaptureFixture[str]) -> None:
    w = small.world
    call_command("units", "classes", "set", w.community.code, "小社区", "--standard", "test_small",
                 "--period", "2026")
    small.report(w.community, t_total=150)
    call_command("units", "classes", "propose", "--standard", "test_small", "--year", "2026")
    call_command("units", "classes", "list", "--standard", "test_small", "--year", "2026")
    out = capsys.readouterr().out
    assert "自 2026 起为「小社区」" in out and "建议 大社区" in out
    call_command("units", "classes", "confirm", "--standard", "test_small", "--period", "2027",
                 "--unit", w.community.code)
    assert unit_classes("test_small", 2027, unit_ids=[w.community.pk]) == {w.community.pk: "大社区"}
    with pytest.raises(CommandError, match="没有类别"):
        call_command("units", "classes", "set", w.community.code, "无", "--standard",
                     "test_small", "--period", "2026")
