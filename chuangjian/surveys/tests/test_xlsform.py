"""Questionnaires in XLSForm: the built-in ones parse, bad forms are refused in Chinese,
naming the sheet, row and column, and an xlsx goes through the bounded reader."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook

from chuangjian.surveys import forms_io
from chuangjian.surveys.xlsform import FormError

CHOICES = [["list_name", "name", "label"], ["yn", "y", "是"], ["yn", "n", "否"]]
SETTINGS = [["form_id", "form_title", "version"], ["t1", "测试问卷", "1"]]


def xlsx(survey: list[list[Any]], choices: list[list[Any]] = CHOICES,
         settings: list[list[Any]] = SETTINGS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    for row in survey:
        ws.append(row)
    for name, rows in (("choices", choices), ("settings", settings)):
        sheet = wb.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


HEAD = ["type", "name", "label", "required", "constraint", "relevant", "calculation", "correct"]


def test_the_built_in_questionnaires_parse_and_pass_pyxform() -> None:
    built = forms_io.builtin()
    assert set(built) == {"jindu_zhishi", "wuge_renren", "chuangcheng_manyi"}
    jindu = built["jindu_zhishi"]
    assert jindu.definition["measure"] == "knowledge"
    assert jindu.definition["aware_min_correct"] == 4
    assert sum(1 for q in jindu.definition["questions"] if q["correct"]) == 5
    assert jindu.targets == {"urban": 100, "rural": 80, "migrants": 80, "venue_staff": 100,
                             "students": 100}
    # One screen per question group.
    assert [p["label"] for p in jindu.definition["pages"]] == ["基本情况", "禁毒知识", "宣传情况"]


def test_an_xlsx_is_read_through_the_bounded_reader() -> None:
    data = xlsx([HEAD, ["integer", "age", "年龄", "yes", ". > 0", "", "", ""],
                 ["select_one yn", "q1", "知道吗", "", "", "${age} > 10", "", ""],
                 ["calculate", "double", "", "", "", "", "${age} * 2", ""]])
    parsed = forms_io.read_xlsx(data)
    names = [q["name"] for q in parsed.definition["questions"]]
    assert names == ["age", "q1", "double"]
    assert parsed.definition["questions"][1]["relevant"] == ["op", ">", ["ref", "age"],
                                                             ["num", 10.0]]


def faults(survey: list[list[Any]], **kw: Any) -> list[str]:
    with pytest.raises(FormError) as caught:
        forms_io.read_xlsx(xlsx(survey, **kw))
    return caught.value.messages


def test_an_unknown_type_is_named_with_its_row() -> None:
    found = faults([HEAD, ["geopoint_x", "where", "位置", "", "", "", "", ""]])
    assert any("第 2 行「type」列" in f and "未知的题型「geopoint_x」" in f for f in found)


def test_a_cycle_of_calculations_is_refused() -> None:
    found = faults([HEAD, ["calculate", "a", "", "", "", "", "${b} + 1", ""],
                    ["calculate", "b", "", "", "", "", "${a} + 1", ""]])
    assert any("循环" in f and "${a}" in f and "${b}" in f for f in found)


def test_a_question_relevant_on_itself_is_a_cycle() -> None:
    found = faults([HEAD, ["integer", "a", "数", "", "", "${a} > 1", "", ""]])
    assert any("循环" in f for f in found)


def test_a_reference_to_a_missing_question_and_a_broken_constraint_are_named() -> None:
    found = faults([HEAD, ["integer", "a", "数", "", ". >", "${zz} = 1", "", ""]])
    assert any("「constraint」列" in f and "表达式" in f for f in found)
    assert any("「relevant」列" in f and "${zz}" in f for f in found)


def test_a_missing_choice_list_and_a_wrong_correct_answer_are_named() -> None:
    found = faults([HEAD, ["select_one nope", "a", "题", "", "", "", "", ""],
                    ["select_one yn", "b", "题", "", "", "", "", "x"]])
    assert any("选项列表「nope」" in f for f in found)
    assert any("「correct」列" in f and "不是选项列表「yn」中的选项" in f for f in found)


def test_unclosed_groups_and_duplicate_names_are_refused() -> None:
    found = faults([HEAD, ["begin_group", "g", "组", "", "", "", "", ""],
                    ["integer", "a", "数", "", "", "", "", ""],
                    ["integer", "a", "数", "", "", "", "", ""]])
    assert any("重复" in f for f in found)
    assert any("没有结束行" in f for f in found)


def test_a_knowledge_form_needs_enough_knowledge_questions() -> None:
    settings = [["form_id", "measure", "aware_min_correct"], ["k", "knowledge", "3"]]
    found = faults([HEAD, ["select_one yn", "a", "题", "", "", "", "", "y"]], settings=settings)
    assert any("aware_min_correct" in f for f in found)


def test_a_file_that_is_not_xlsx_is_refused_in_chinese() -> None:
    with pytest.raises(FormError) as caught:
        forms_io.read_xlsx(b"not a workbook")
    assert "xlsx" in caught.value.messages[0]


def test_a_repeat_is_parsed_with_its_questions() -> None:
    data = xlsx([HEAD, ["begin_repeat", "member", "家庭成员", "", "", "", "", ""],
                 ["integer", "m_age", "年龄", "yes", ". >= 0", "", "", ""],
                 ["end_repeat", "", "", "", "", "", "", ""]])
    parsed = forms_io.read_xlsx(data).definition
    assert "member" in parsed["repeats"]
    assert parsed["questions"][0]["repeat"] == "member"
