from __future__ import annotations

import datetime
import hashlib

import pytest

from chuangjian.engine import targets
from chuangjian.standards import plans
from chuangjian.standards.loader import element_usage, load_builtin
from chuangjian.standards.schema import Method, ScoreRule

# SHA-256 of the shared seed ``seeds/000_a07b8c87c0844e38.txt`` the plans were packaged
# from, taken from the seed itself, so the check runs on a machine without the seed too.
SEED_SHA256 = "671a02106017595ee499e63ffa2590647188798d413ccf0ddcba7af3d6782f9a"


@pytest.fixture(scope="module")
def builtin():
    return load_builtin()


def test_all_builtin_files_validate(builtin):
    assert builtin.errors == ()
    assert {standard.code for standard in builtin.standards} == {
        "wenming_shequ",
        "wudu_xian",
        "wudu_jiedao",
        "wudu_zhen",
        "wenming_danwei",
        "gongmin_daode",
        "chuangcheng",
        "jiankang_shequ",
        "jiankang_shequ_xinlun",
    }


def test_every_quote_is_an_exact_substring_of_its_plan(builtin):
    texts = plans.plan_texts()
    for standard in builtin.standards:
        for indicator in standard.all_indicators():
            assert indicator.source.quote in texts[indicator.source.plan], indicator.code


def test_the_packaged_plans_equal_the_seed_byte_for_byte():
    assert hashlib.sha256(plans.PLAN_FILE.read_bytes()).hexdigest() == SEED_SHA256


def test_the_plans_split_into_thirteen_with_the_inner_heading_inside_plan_five():
    texts = plans.plan_texts()
    assert plans.plan_names() == [f"篇{n}" for n in range(1, 14)]
    assert "【篇三】“美丽社区创建计划”范文" in texts["篇5"]
    assert "每天下午4点前各管区" in texts["篇5"]
    assert "每天下午4点前各管区" in texts["篇10"]
    assert "连续3年无重大火灾事故" in texts["篇1"]
    assert "连续3年无重大火灾事故" not in texts["篇2"]


def test_every_standard_weighs_one_hundred_points_with_bonus_within_its_cap(builtin):
    for standard in builtin.standards:
        own = [i for i in standard.all_indicators() if i.level is None]
        assert sum(i.score.max for i in own if not i.bonus) == standard.total == 100
        assert sum(i.score.max for i in own if i.bonus) <= standard.bonus_cap or not any(
            i.bonus for i in own
        )
        assert sum(item.max_score for item in standard.items) == 100


def test_data_and_survey_indicators_all_have_expressions_and_reviewed_ones_have_evidence(builtin):
    for standard in builtin.standards:
        for indicator in standard.all_indicators():
            if indicator.method in (Method.DATA, Method.SURVEY):
                assert indicator.expression is not None, indicator.code
            if indicator.score.rule is ScoreRule.REVIEWER:
                assert indicator.evidence, indicator.code


def test_the_quantified_targets_of_plan_one_are_all_there(builtin):
    standard = builtin.standard("wenming_shequ")
    described = {
        indicator.code: indicator.target.describe_zh(indicator.unit)
        for indicator in standard.all_indicators()
        if indicator.target is not None
    }
    assert described["fire_equipment_rate"] == "≥ 90%"
    assert described["fire_knowledge_rate"] == "≥ 90%"
    assert described["mediation_rate"] == "≥ 90%"
    assert described["activity_space"] == "≥ 400 平方米"
    assert described["culture_participation_rate"] == "≥ 80%"
    assert described["security_post_rate"] == "= 100%"
    assert described["corridor_light_rate"] == "= 100%"
    assert described["sanitation_intact_rate"] == "≥ 95%"
    assert described["green_rate"] == "≥ 20%"
    assert described["small_activities_per_year"] == "每年不少于 4 次"
    assert described["no_major_fire_3y"] == "连续 3 年为 0"
    assert described["no_unplanned_births"] == "= 0 人"
    assert described["reemployment_placements"] == "≥ 80 人"
    assert described["social_security_rate"] == "= 100%"


def test_plan_twelves_green_rate_is_a_bonus_above_the_twenty_percent_floor(builtin):
    standard = builtin.standard("wenming_shequ")
    floor, task = standard.indicator("green_rate"), standard.indicator("green_rate_task")
    assert not floor.bonus and floor.target == targets.Compare(">=", 20)
    assert task.bonus and task.target == targets.Compare(">=", 38)
    assert task.source.plan == "篇12"


def test_fire_and_unplanned_births_are_veto_items(builtin):
    standard = builtin.standard("wenming_shequ")
    vetoes = {indicator.code for indicator in standard.all_indicators() if indicator.veto}
    assert {"no_major_fire_3y", "no_unplanned_births"} <= vetoes


def test_the_county_drug_standard_classes_towns_and_varies_targets_by_category_class_and_year(builtin):
    standard = builtin.standard("wudu_xian")
    assert [(c.name, c.rule.text) for c in standard.classes] == [
        ("保无毒", "registered_drug_users == 0"),
        ("创无毒", "registered_drug_users > 0 and registered_drug_users < 200"),
    ]
    awareness = standard.indicator("awareness_residents").target
    assert awareness == targets.ByCategory(
        {"城镇": targets.Compare(">=", 100), "农村": targets.Compare(">=", 80)}
    )
    growth = standard.indicator("registered_users_no_growth").target
    assert set(growth.cases) == {"保无毒", "创无毒"}
    pass_rate = standard.indicator("town_pass_rate")
    assert pass_rate.level == "district"
    assert pass_rate.expression.text == "share_of_children(passed)"  # 考核总合格率: whole verdicts
    assert pass_rate.target == targets.ByYear(
        {
            2026: targets.Compare(">", 85),
            2027: targets.Compare(">", 90),
            2028: targets.Compare(">", 95),
        }
    )
    assert standard.indicator("no_failing_criteria").veto
    assert standard.indicator("no_drug_spread").veto


def test_zero_growth_of_registered_drug_users_means_no_more_than_last_year(builtin):
    # 篇2: 逐步实现本地籍实有吸毒成瘾人员零增长的目标.
    growth = builtin.standard("wudu_xian").indicator("registered_users_no_growth").target
    rising = growth.evaluate(120, targets.TargetContext(2026, unit_class="创无毒", previous=100))
    falling = growth.evaluate(80, targets.TargetContext(2026, unit_class="创无毒", previous=100))
    assert rising.status is targets.TargetStatus.NOT_MET
    assert falling.status is targets.TargetStatus.MET
    assert "不高于上年" in falling.applied


def test_the_street_drug_standard_asks_new_users_to_fall_by_a_fifth(builtin):
    standard = builtin.standard("wudu_jiedao")
    assert standard.indicator("new_users_down_20").target == targets.ChangeFromPrevious(-20)
    assert standard.indicator("supervision_rate").target == targets.Compare(">=", 95)


def test_the_town_drug_standard_moves_villages_between_classes_each_quarter(builtin):
    standard = builtin.standard("wudu_zhen")
    assert standard.class_period == "quarter"
    assert len(standard.classes) == 2


def test_the_city_campaign_has_a_daily_report_due_at_four_pm_shanghai_and_the_problem_taxonomy(builtin):
    standard = builtin.standard("chuangcheng")
    daily = next(d for d in standard.datasets if d.period == "day")
    assert daily.deadline.day_offset == 0
    assert daily.deadline.time == datetime.time(16, 0)
    assert daily.lock_after_deadline
    assert daily.levels == ("area",)
    assert daily.TIMEZONE == "Asia/Shanghai"
    six = next(c for c in standard.problem_categories if c.name == "六乱")
    assert [child.name for child in six.children] == [
        "乱停乱放",
        "乱搭乱建",
        "乱涂乱画",
        "乱堆乱占",
        "乱扯乱挂",
        "乱摆摊点",
    ]
    names = {category.name for category in standard.all_problem_categories()}
    assert {"门前五包", "农贸集贸市场卫生", "违法建设", "路面破损"} <= names


def test_the_health_standards_carry_their_rates(builtin):
    old = builtin.standard("jiankang_shequ")
    assert old.indicator("schisto_exam_rate").target == targets.Compare(">=", 80)
    assert old.indicator("snail_survey_share").target == targets.Compare(">=", 33.3)
    assert old.indicator("well_chlorine_rate").target == targets.Compare(">=", 85)
    assert old.indicator("healthy_units").target == targets.Compare(">=", 20)
    assert old.indicator("healthy_family_rate").target == targets.Compare(">=", 20)
    new = builtin.standard("jiankang_shequ_xinlun")
    assert new.indicator("healthy_family_participation").target == targets.Compare(">=", 10)
    assert new.indicator("healthy_family_awarded").target == targets.Compare(">=", 10)
    assert new.indicator("award_families").target == targets.Range(30, 40)


def test_shared_elements_are_defined_once_and_used_by_several_standards(builtin):
    usage = element_usage(builtin)
    assert usage["households_total"] == ["jiankang_shequ", "jiankang_shequ_xinlun", "wenming_shequ"]
    assert usage["six_disorder_problems"] == ["chuangcheng", "jiankang_shequ", "wenming_shequ"]
    assert all(users for users in usage.values()), "the library has unused elements"
    assert builtin.element_origins["households_total"].file.name == "population.yaml"


def test_every_score_rule_builds_its_engine_scorer(builtin):
    for standard in builtin.standards:
        for indicator in standard.all_indicators():
            assert indicator.score.to_engine().max_score == indicator.score.max


def test_a_standard_dumps_to_json_with_targets_described_in_chinese(builtin):
    dumped = builtin.standard("wudu_xian").model_dump(mode="json", by_alias=True)
    assert dumped["years"] == {"from": 2026, "to": 2028}
    indicator = dumped["items"][2]["contents"][0]["indicators"][0]
    assert indicator["target"] == "城镇：≥ 100；农村：≥ 80"
    assert isinstance(indicator["expression"], str)
