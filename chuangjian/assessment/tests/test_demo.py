"""The demo district gets 自查 and 考核 results for every built-in standard, repeatably."""

from __future__ import annotations

import datetime as dt
import io

from chuangjian.assessment import demo
from chuangjian.assessment.items import items_of
from chuangjian.assessment.models import AssessmentRun, ReviewerScore, UnitResult
from chuangjian.org.demo import build_demo
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.reporting.demo import build_reporting_demo
from chuangjian.sources.models import Change
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader
from chuangjian.standards.selectors import class_rows


def test_the_demo_assesses_every_standard_and_is_repeatable(db: None) -> None:
    build_demo()
    standards_actions.load_standards(actor=None, result=loader.load_builtin(), scope=Scope.system())
    today = dt.date(2026, 11, 20)
    build_reporting_demo(today=today, days=1, months=1)
    out = io.StringIO()
    demo.run(out, today=today)
    runs = AssessmentRun.objects.filter(year=2026, current=True)
    codes = {(r.standard_code, r.kind) for r in runs}
    for code in ("wenming_shequ", "wudu_xian", "chuangcheng", "gongmin_daode"):
        assert (code, "self") in codes and (code, "review") in codes
    assert UnitResult.objects.filter(vetoed=True).exists()
    assert UnitResult.objects.exclude(tier="").exists()
    assert ReviewerScore.objects.exclude(comment="").exists()
    # Everything the demo's writers marked stale was recomputed: the pages show fresh results.
    assert not Change.objects.exists()
    count = AssessmentRun.objects.count()
    demo.run(io.StringIO(), today=today)
    assert AssessmentRun.objects.count() == count


def test_the_demo_gives_every_unit_its_class_so_class_targets_compute(db: None) -> None:
    build_demo()
    standards_actions.load_standards(actor=None, result=loader.load_builtin(), scope=Scope.system())
    today = dt.date(2026, 11, 20)
    build_reporting_demo(today=today, days=1, months=1)
    demo.run(io.StringIO(), today=today)
    root = Unit.objects.get(parent__isnull=True)
    towns = {r.unit.name: r.unit_class for r in class_rows(
        scope=Scope.system(), standard_code="wudu_xian", year=2026, root=root)}
    # 篇2: 尚未染毒的乡镇 保无毒; 本地籍实有吸毒人员数不到200人的乡镇 创无毒.
    assert towns == {"城关街道": "创无毒", "东湖街道": "创无毒", "白石镇": "保无毒"}
    villages = class_rows(scope=Scope.system(), standard_code="wudu_zhen", year=2026, root=root)
    assert villages and all(r.unit_class for r in villages)
    # Class targets now compute: no unit of a current run lacks its class.
    for result in UnitResult.objects.filter(run__current=True,
                                            run__standard_code__in=["wudu_xian", "wudu_zhen"]):
        assert not any("未设置类别" in (item.get("n") or "") + (item.get("t") or "")
                       for item in items_of(result).values()), result.unit


def test_with_five_years_of_history_some_communities_pass_and_some_fail_for_a_reason(
        db: None) -> None:
    from chuangjian.assessment.spec import spec_for, target_depth
    from chuangjian.engine.targets import TargetStatus
    from chuangjian.registers.demo_records import build_register_demo
    from chuangjian.reporting.demo import build_history

    build_demo()
    standards_actions.load_standards(actor=None, result=loader.load_builtin(), scope=Scope.system())
    today = dt.date(2026, 11, 20)
    build_register_demo(today=today)  # the registers feed the mediation, placement … figures
    # A year of monthly reports as `chuangjian demo` files them: the rates need them.
    build_reporting_demo(today=today, days=1)
    build_history()
    demo.run(io.StringIO(), today=today)
    run = AssessmentRun.objects.get(standard_code="wenming_shequ", year=2026, kind="review",
                                    current=True)
    results = {r.unit.code: r for r in UnitResult.objects.filter(run=run).select_related("unit")}
    assert any(r.passed for r in results.values())
    assert any(not r.passed for r in results.values())
    # Each failure has a reason a person can read: a veto item, or a total below the mark.
    assert results["QY-01-A-02"].vetoed and "no_unplanned_births" in results["QY-01-A-02"].veto_items
    fire = results["QY-01-B-02"]  # 锦绣社区: a major fire in 2024
    assert fire.vetoed and items_of(fire)["no_major_fire_3y"]["s"] == TargetStatus.NOT_MET
    for r in results.values():
        if not r.passed:
            assert r.vetoed or (r.total or 0) < run.standard.pass_mark, r.unit.code
    # With history, every 比上年 / 连续3年 item of wenming_shequ is judged for every community.
    spec = spec_for(run.standard)
    deep = [i.code for i in spec.indicators if target_depth(i.target) > 0]
    assert deep == ["no_major_fire_3y"]
    assert all(items_of(r)[c]["s"] != TargetStatus.UNKNOWN for r in results.values() for c in deep)
    # The same for the other standards' year-on-year items that read reported data.
    for other in ("wudu_jiedao", "chuangcheng"):
        orun = AssessmentRun.objects.get(standard_code=other, year=2026, kind="review",
                                         current=True)
        ospec = spec_for(orun.standard)
        codes = [i.code for i in ospec.indicators if target_depth(i.target) > 0]
        for r in UnitResult.objects.filter(run=orun):
            for c in codes:
                if c in r.items:
                    assert items_of(r)[c]["s"] != TargetStatus.UNKNOWN, (other, r.unit_id, c)
