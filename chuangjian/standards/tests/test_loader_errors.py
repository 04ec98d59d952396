from __future__ import annotations

import pytest

from chuangjian.engine.targets import ByClass
from chuangjian.standards.loader import StandardError, StandardsInvalid, load_paths
from chuangjian.standards.tests.helpers import (
    INDICATOR,
    LIBRARY,
    line_of,
    load,
    messages,
    standard_text,
    write,
)


def only_error(result) -> StandardError:
    assert len(result.errors) == 1, messages(result)
    return result.errors[0]


def test_the_sample_standard_loads_cleanly(tmp_path):
    result = load(tmp_path, standard_text())
    assert result.ok, messages(result)
    assert result.standard("sample").indicator("participation_rate").unit == "%"


def test_an_error_prints_as_file_line_field_and_message():
    error = StandardError("a.yaml", 7, "items[0].code", "重复")
    assert str(error) == "a.yaml:7 items[0].code：重复"


def test_malformed_yaml_is_reported_in_chinese_with_its_line(tmp_path):
    text = standard_text().replace("pass_mark: 80", "pass_mark: 80\n  bad: [unclosed")
    error = only_error(load(tmp_path, text))
    assert error.file.endswith("sample.yaml")
    assert error.message.startswith("YAML 格式错误")
    assert error.line is not None and abs(error.line - line_of(text, "bad: [unclosed")) <= 2


def test_an_unknown_key_is_named_with_its_line_and_path(tmp_path):
    text = standard_text(INDICATOR.replace("  target:", "  targett:"))
    result = load(tmp_path, text)
    text_messages = messages(result)
    assert any("未知字段「targett」" in m for m in text_messages), text_messages
    error = next(e for e in result.errors if "targett" in e.message)
    assert error.line == line_of(text, "targett:")
    assert error.field == "items[0].contents[0].indicators[0].targett"
    assert str(error).endswith(f"sample.yaml:{error.line} items[0].contents[0].indicators[0].targett：未知字段「targett」")


def test_a_missing_required_field_points_at_its_parent(tmp_path):
    text = standard_text(INDICATOR.replace("  score: {rule: proportional, max: 100}\n", ""))
    error = only_error(load(tmp_path, text))
    assert error.message == "缺少必填字段「score」"
    assert error.field == "items[0].contents[0].indicators[0].score"
    assert error.line == line_of(text, "- code: participation_rate")


def test_a_wrong_type_is_explained(tmp_path):
    text = standard_text(version="一")
    error = only_error(load(tmp_path, text))
    assert error.field == "version"
    assert error.message == "类型不对：应为整数，实际为「一」"
    assert error.line == line_of(text, "version:")


def test_a_wrong_enum_value_lists_the_choices(tmp_path):
    text = standard_text(INDICATOR.replace("method: 数据", "method: 数数"))
    error = only_error(load(tmp_path, text))
    assert error.field.endswith("indicators[0].method")
    assert "取值「数数」无效" in error.message and "材料审核" in error.message


def test_a_duplicate_indicator_code_is_refused(tmp_path):
    second = INDICATOR.replace("max: 100", "max: 0").replace("proportional", "all_or_nothing")
    text = standard_text(INDICATOR + second.replace("  unit:", "  veto: true\n  unit:"))
    error = only_error(load(tmp_path, text))
    assert "指标代码「participation_rate」重复" in error.message
    assert error.field == "items[0].contents[0].indicators[1].code"


def test_an_unknown_name_in_an_expression_is_located(tmp_path):
    text = standard_text(INDICATOR.replace("households_total)", "households_totl)"))
    error = only_error(load(tmp_path, text))
    assert error.field == "items[0].contents[0].indicators[0].expression"
    assert "未知的名称「households_totl」" in error.message
    assert error.message.startswith("表达式第 ")
    assert error.line == line_of(text, "households_totl")


def test_an_unknown_indicator_in_share_of_children_is_refused(tmp_path):
    indicator = INDICATOR.replace(
        "ratio(households_in_activities, households_total)", "share_of_children(nobody)"
    )
    error = only_error(load(tmp_path, standard_text(indicator)))
    assert "未知的指标「nobody」" in error.message


def test_a_boolean_element_in_ratio_is_a_type_error(tmp_path):
    text = standard_text(INDICATOR.replace("households_in_activities,", "has_reading_room,"))
    error = only_error(load(tmp_path, text))
    assert error.field.endswith("expression")
    assert "函数 ratio 的参数需要数值，这里是布尔值" in error.message


def test_a_syntax_error_in_an_expression_gives_the_column(tmp_path):
    text = standard_text(INDICATOR.replace("ratio(households_in_activities, households_total)", "ratio(households_total,"))
    error = only_error(load(tmp_path, text))
    assert error.field.endswith("expression")
    assert error.message.startswith("表达式第 ")


def test_an_indicator_expression_must_give_a_number_unless_its_target_is_is_true(tmp_path):
    text = standard_text(INDICATOR.replace("ratio(households_in_activities, households_total)", "has_reading_room"))
    assert "指标表达式应得出数值，实际得出布尔值" in only_error(load(tmp_path, text)).message
    boolean = INDICATOR.replace(
        "ratio(households_in_activities, households_total)", "has_reading_room"
    ).replace('target: ">= 80"', "target: is_true").replace("proportional", "all_or_nothing").replace('unit: "%"', "unit: ''")
    assert load(tmp_path, standard_text(boolean)).ok


def test_circular_share_of_children_references_are_refused(tmp_path):
    a = """\
- code: a_share
  name: 甲
  method: 数据
  expression: share_of_children(b_share)
  unit: "%"
  target: ">= 80"
  score: {rule: proportional, max: 50}
  source: {plan: 篇1, quote: "居民户的文化活动参与率80%以上"}
"""
    b = a.replace("a_share", "tmp").replace("b_share", "a_share").replace("tmp", "b_share").replace("甲", "乙")
    error = only_error(load(tmp_path, standard_text(a + b)))
    assert "指标循环引用" in error.message
    assert "a_share → b_share → a_share" in error.message or "b_share → a_share → b_share" in error.message


def test_an_indicator_referring_to_itself_is_a_cycle(tmp_path):
    text = standard_text(INDICATOR.replace("ratio(households_in_activities, households_total)", "participation_rate + 1"))
    assert "指标循环引用：participation_rate → participation_rate" in only_error(load(tmp_path, text)).message


def test_a_percent_target_above_one_hundred_is_out_of_range(tmp_path):
    text = standard_text(INDICATOR.replace('target: ">= 80"', 'target: ">= 120"'))
    error = only_error(load(tmp_path, text))
    assert error.message == "目标超出范围：比率不能超过 100%"
    assert error.field == "items[0].contents[0].indicators[0].target"
    assert error.line == line_of(text, 'target: ">= 120"')


def test_a_percent_target_below_zero_is_out_of_range(tmp_path):
    text = standard_text(INDICATOR.replace('target: ">= 80"', 'target: {by_category: {城镇: ">= 100", 农村: ">= -5"}}'))
    assert only_error(load(tmp_path, text)).message == "目标超出范围：比率不能小于 0%"


def test_an_unreadable_target_says_how_to_write_one(tmp_path):
    text = standard_text(INDICATOR.replace('target: ">= 80"', 'target: "at least 80"'))
    error = only_error(load(tmp_path, text))
    assert error.field.endswith("target")
    assert "看不懂目标「at least 80」" in error.message


def test_a_by_class_target_must_name_a_defined_class(tmp_path):
    text = standard_text(INDICATOR.replace('target: ">= 80"', 'target: {by_class: {保无毒: ">= 80", 无毒村: ">= 90"}}'))
    error = only_error(load(tmp_path, text))
    assert "by_class 中的类别「无毒村」没有在 classes 中定义" in error.message


def test_by_class_accepts_codes_and_names_and_keys_the_engine_object_by_name(tmp_path):
    text = standard_text(INDICATOR.replace('target: ">= 80"', 'target: {by_class: {bao_wudu: ">= 80", 创无毒: {change_from_previous: 10}}}'))
    result = load(tmp_path, text)
    assert result.ok, messages(result)
    target = result.standard("sample").indicator("participation_rate").target
    assert isinstance(target, ByClass)
    assert set(target.cases) == {"保无毒", "创无毒"}


ZERO_GROWTH = """\
- code: registered_users_no_growth
  name: 本地籍实有吸毒人员零增长
  method: 数据
  expression: drug_users
  unit: 人
  target: {change_from_previous: 0, decrease: false}
  score: {rule: all_or_nothing, max: 100}
  source: {plan: 篇2, quote: "逐步实现本地籍实有吸毒成瘾人员零增长的目标"}
"""


def test_a_zero_growth_quote_refuses_a_target_that_lets_the_number_grow(tmp_path):
    text = standard_text(ZERO_GROWTH)
    error = only_error(load(tmp_path, text))
    assert error.field == "items[0].contents[0].indicators[0].target"
    assert error.line == line_of(text, "target: {change_from_previous")
    assert "目标「不低于上年」是下限（不低于），与引文要求的上限（不超过）相反" in error.message


def test_a_zero_growth_quote_accepts_no_more_than_last_year(tmp_path):
    result = load(tmp_path, standard_text(ZERO_GROWTH.replace("decrease: false", "decrease: true")))
    assert result.ok, messages(result)


def test_an_at_least_quote_refuses_a_ceiling(tmp_path):
    # 篇1: 居民户的文化活动参与率80%以上 is a floor, never "<= 80".
    text = standard_text(INDICATOR.replace('target: ">= 80"', 'target: "<= 80"'))
    error = only_error(load(tmp_path, text))
    assert "目标「≤ 80%」是上限（不超过），与引文要求的下限（不低于）相反" in error.message


def test_every_case_of_a_class_target_is_checked_against_the_quote(tmp_path):
    text = standard_text(
        ZERO_GROWTH.replace(
            "target: {change_from_previous: 0, decrease: false}",
            'target: {by_class: {保无毒: "== 0", 创无毒: ">= 1"}}',
        )
    )
    error = only_error(load(tmp_path, text))
    assert "目标「≥ 1 人」是下限" in error.message


def test_a_by_year_target_outside_the_standards_years_is_refused(tmp_path):
    text = standard_text(INDICATOR.replace('target: ">= 80"', 'target: {by_year: {2026: ">= 85", 2031: ">= 95"}}'))
    assert "年份 2031 不在标准的有效年份内" in only_error(load(tmp_path, text)).message


def test_a_quote_not_in_its_plan_is_refused(tmp_path):
    text = standard_text(INDICATOR.replace('quote: "居民户的文化活动参与率80%以上"', 'quote: "居民户的文化活动参与率85%以上"'))
    error = only_error(load(tmp_path, text))
    assert error.message == "引文在篇1中找不到：「居民户的文化活动参与率85%以上」"
    assert error.field == "items[0].contents[0].indicators[0].source.quote"
    assert error.line == line_of(text, "source:")


def test_a_quote_from_another_plan_is_not_accepted(tmp_path):
    text = standard_text(INDICATOR.replace("plan: 篇1", "plan: 篇2"))
    assert "引文在篇2中找不到" in only_error(load(tmp_path, text)).message


def test_an_unknown_plan_is_refused(tmp_path):
    text = standard_text(plans="[篇1, 篇2, 篇14]")
    error = only_error(load(tmp_path, text))
    assert error.message == "未知的篇目「篇14」（只有篇1至篇13）"
    assert error.field == "plans[2]"


def test_a_source_plan_must_be_listed_in_the_standard(tmp_path):
    text = standard_text(plans="[篇2]")
    assert "篇1不在本标准的 plans 列表中" in only_error(load(tmp_path, text)).message


def test_points_that_do_not_add_up_to_the_total_are_refused(tmp_path):
    text = standard_text(INDICATOR.replace("max: 100", "max: 90"))
    error = only_error(load(tmp_path, text))
    assert error.message == "各指标分值合计为 90，应为 100（total）"
    assert error.field == "items"


def test_a_data_indicator_without_expression_is_refused(tmp_path):
    text = standard_text(INDICATOR.replace("  expression: ratio(households_in_activities, households_total)\n", ""))
    messages_ = messages(load(tmp_path, text))
    assert any("方法为「数据」的指标必须写 expression" in m for m in messages_), messages_


def test_a_reviewer_item_cannot_be_a_veto(tmp_path):
    indicator = """\
- code: rules
  name: 制度
  method: 材料审核
  score: {rule: reviewer, max: 100}
  veto: true
  evidence: [会议纪要]
  source: {plan: 篇1, quote: "定期例会制度"}
"""
    assert "评审打分的指标不能设为一票否决" in only_error(load(tmp_path, standard_text(indicator))).message


def test_a_deduction_needs_its_per_occurrence_points(tmp_path):
    indicator = INDICATOR.replace("score: {rule: proportional, max: 100}", "score: {rule: deduction, max: 100}").replace('  target: ">= 80"\n', "")
    assert "扣分规则必须写 per" in only_error(load(tmp_path, standard_text(indicator))).message


def test_an_unquoted_clock_time_is_refused_rather_than_read_as_minutes(tmp_path):
    text = standard_text(
        datasets="[{code: daily, name: 日报, period: year, deadline: {day_offset: 0, time: 16:00}, elements: [households_total]}]"
    )
    error = only_error(load(tmp_path, text))
    assert error.field == "datasets[0].deadline.time"
    assert '时间应写成带引号的 "HH:MM"' in error.message


def test_a_dataset_may_not_collect_an_element_of_another_period(tmp_path):
    text = standard_text(
        datasets='[{code: daily, name: 日报, period: day, deadline: {day_offset: 0, time: "16:00"}, elements: [households_total, nothing_here]}]'
    )
    found = messages(load(tmp_path, text))
    assert any("数据元素「households_total」按年采集，不能放进按日上报的数据集" in m for m in found), found
    assert any("未知的数据元素「nothing_here」" in m for m in found), found


def test_a_class_rule_must_be_a_yes_or_no_question(tmp_path):
    text = standard_text().replace('rule: "drug_users == 0"', 'rule: "drug_users"')
    assert "类别规则应得出布尔值，实际得出数值" in only_error(load(tmp_path, text)).message


def test_the_same_key_twice_in_a_mapping_is_refused(tmp_path):
    text = standard_text().replace("pass_mark: 80", "pass_mark: 80\npass_mark: 90")
    error = only_error(load(tmp_path, text))
    assert error.message == "重复的字段「pass_mark」"
    assert error.line == line_of(text, "pass_mark: 90")


def test_an_element_defined_twice_with_different_content_names_both_places(tmp_path):
    inline = """[{code: households_total, name: 居民户数, type: integer, unit: 户, period: month, time_agg: last, tree_agg: sum}]"""
    text = standard_text(elements=inline)
    result = load(tmp_path, text)
    error = only_error(result)
    assert "数据元素「households_total」定义不一致" in error.message
    assert "library.yaml:2" in error.message and f"sample.yaml:{line_of(text, 'elements:')}" in error.message
    assert "name、period" in error.message
    assert error.file.endswith("sample.yaml")


def test_an_element_defined_twice_identically_is_accepted(tmp_path):
    first = LIBRARY.split("  - code: households_in_activities")[0]
    write(tmp_path, "extra.yaml", first)
    files = [write(tmp_path, "library.yaml", LIBRARY), tmp_path / "extra.yaml", write(tmp_path, "s.yaml", standard_text())]
    assert load_paths(files, builtin_elements=False).ok


def test_the_same_code_twice_in_one_library_file_is_refused(tmp_path):
    library = LIBRARY + LIBRARY.split("elements:\n")[1].split("  - code: households_in_activities")[0]
    error = only_error(load(tmp_path, standard_text(), library=library))
    assert "数据元素代码「households_total」在本文件中重复" in error.message


def test_a_second_file_with_the_same_standard_version_is_refused(tmp_path):
    files = [
        write(tmp_path, "library.yaml", LIBRARY),
        write(tmp_path, "a.yaml", standard_text()),
        write(tmp_path, "b.yaml", standard_text()),
    ]
    result = load_paths(files, builtin_elements=False)
    error = only_error(result)
    assert error.file.endswith("b.yaml") and "第 1 版已在" in error.message and "a.yaml" in error.message


def test_nothing_is_half_loaded_when_one_file_of_several_is_bad(tmp_path):
    files = [
        write(tmp_path, "library.yaml", LIBRARY),
        write(tmp_path, "good.yaml", standard_text()),
        write(tmp_path, "bad.yaml", standard_text(code="other", pass_mark="很高")),
    ]
    result = load_paths(files, builtin_elements=False)
    assert not result.ok
    assert result.standards == () and dict(result.elements) == {}
    with pytest.raises(StandardsInvalid) as raised:
        result.raise_for_errors()
    assert "bad.yaml" in str(raised.value)


def test_every_error_of_every_file_is_reported_at_once(tmp_path):
    files = [
        write(tmp_path, "library.yaml", LIBRARY),
        write(tmp_path, "one.yaml", standard_text(code="one", version="x")),
        write(tmp_path, "two.yaml", standard_text(INDICATOR.replace("target:", "targett:"), code="two")),
    ]
    result = load_paths(files, builtin_elements=False)
    assert {error.file.rsplit("/", 1)[-1] for error in result.errors} == {"one.yaml", "two.yaml"}


def test_a_missing_file_and_a_file_that_is_not_a_mapping_are_reported(tmp_path):
    result = load_paths([tmp_path / "nope.yaml", write(tmp_path, "list.yaml", "- a\n- b\n")], builtin_elements=False)
    assert sorted((e.file.rsplit("/", 1)[-1], e.line, e.message) for e in result.errors) == [
        ("list.yaml", 1, "文件内容应为映射（键: 值），如 code: …、elements: …"),
        ("nope.yaml", None, "找不到文件"),
    ]


def test_a_standard_can_use_the_builtin_library_without_defining_elements(tmp_path):
    path = write(tmp_path, "mine.yaml", standard_text().replace('"drug_users == 0"', '"registered_drug_users == 0"').replace(
        '"drug_users > 0 and drug_users < 200"', '"registered_drug_users > 0"'
    ))
    result = load_paths([path])
    assert result.ok, messages(result)
    assert "households_total" in result.elements_of(result.standard("sample"))


def test_a_validation_rule_that_does_not_parse_refuses_the_load_with_its_file_and_line(
        tmp_path):
    text = standard_text().replace(
        '"households_in_activities <= households_total"',
        '"households_in_activities <= (households_total"',
    )
    result = load(tmp_path, text)
    assert not result.ok
    error = next(e for e in result.errors if e.field.startswith("validations[0]"))
    assert error.file.endswith("sample.yaml")
    assert error.line == line_of(text, "expression: \"households_in_activities")
    assert "表达式" in error.message or "括号" in error.message, error.message


def test_a_per_day_target_must_count_one_element_day_by_day(tmp_path):
    # 每天…不少于 1 次 is judged day by day: a yearly element or a formula cannot say that.
    daily = INDICATOR.replace('target: ">= 80"', "target: {at_least: 1, per: day}").replace(
        'unit: "%"', "unit: 次"
    )
    error = only_error(load(tmp_path, standard_text(daily)))
    assert error.field == "items[0].contents[0].indicators[0].expression"
    assert "每天不少于几次的目标要逐天计数，表达式只能是一个数据元素" in error.message
    yearly = daily.replace("ratio(households_in_activities, households_total)", "households_in_activities")
    error = only_error(load(tmp_path, standard_text(yearly)))
    assert "须按天或更细的周期上报并按期内合计" in error.message


def test_a_rate_whose_numerator_may_exceed_its_denominator_is_refused(tmp_path):
    # 尿检率 once read 127.6%: a rate's inputs must carry the rule numerator ≤ denominator.
    text = standard_text().replace('"households_in_activities <= households_total"', '"drug_users >= 0"')
    error = only_error(load(tmp_path, text))
    assert error.field == "items[0].contents[0].indicators[0].expression"
    assert error.line == line_of(text, "expression: ratio(")
    assert "比率 ratio(households_in_activities, households_total) 的分子不能大于分母" in error.message
    assert "「households_in_activities <= households_total」" in error.message


def test_a_rate_rule_may_be_one_clause_of_a_conjunction_or_written_the_other_way(tmp_path):
    text = standard_text().replace(
        '"households_in_activities <= households_total"',
        '"drug_users >= 0 and households_total >= households_in_activities"',
    )
    assert load(tmp_path, text).ok, messages(load(tmp_path, text))


def test_a_quota_rate_may_say_it_can_exceed_a_hundred_percent(tmp_path):
    text = standard_text(INDICATOR.replace('  unit: "%"\n', '  unit: "%"\n  over_100: true\n')).replace(
        '"households_in_activities <= households_total"', '"drug_users >= 0"'
    )
    result = load(tmp_path, text)
    assert result.ok, messages(result)
