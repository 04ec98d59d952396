"""Formulas read as sentences of names, never as code (issue 13 §7)."""

from __future__ import annotations

from chuangjian.engine import expressions as ex
from chuangjian.standards.wording import formula_in_words, names_label

NAMES = {"disputes_mediated": "已调解纠纷数", "disputes_total": "纠纷总数",
         "registered_users": "登记吸毒人员数", "a": "甲", "b": "乙", "c": "丙",
         "fire_ok": "消防达标", "mediation_rate": "民间纠纷调解率"}


def words(text: str) -> str:
    return formula_in_words(ex.parse(text), names_label(NAMES))


def test_a_ratio_reads_as_names_divided_and_made_a_percentage() -> None:
    assert words("ratio(disputes_mediated, disputes_total)") == "已调解纠纷数 ÷ 纠纷总数 × 100%"


def test_last_year_is_named_as_last_year() -> None:
    assert words("registered_users - previous(registered_users)") == "登记吸毒人员数 − 上年登记吸毒人员数"


def test_operators_become_mathematical_signs_with_brackets_only_where_needed() -> None:
    assert words("(a + b) * c / 2") == "（甲 + 乙） × 丙 ÷ 2"
    assert words("a + b * c") == "甲 + 乙 × 丙"
    assert words("a >= 90 and fire_ok") == "甲 ≥ 90并且消防达标"


def test_functions_are_written_out() -> None:
    assert words("sum(a, b, c)") == "甲 + 乙 + 丙"
    assert words("min(a, b)") == "甲、乙中的较小者"
    assert words("if(a > 0, b, c)") == "如果甲 > 0，取乙，否则取丙"
    assert words("streak_zero(registered_users, years=3)") == "连续 3 年登记吸毒人员数为 0"
    assert words("share_of_children(mediation_rate)") == "下级单位中「民间纠纷调解率」达标的比例"
    assert words("share_of_children(passed)") == "考核合格的下级单位比例"
    assert words("count(a)") == "甲的报送次数"


def test_a_ratio_inside_a_sum_keeps_its_brackets() -> None:
    assert words("ratio(a, b) + c") == "甲 ÷ 乙 × 100% + 丙"
    assert words("c / ratio(a, b)") == "丙 ÷ （甲 ÷ 乙 × 100%）"


def test_no_code_is_left_in_the_words_of_any_builtin_formula() -> None:
    from chuangjian.standards import loader

    result = loader.load_builtin().raise_for_errors()
    for standard in result.standards:
        names = {code: e.name for code, e in result.elements.items()}
        names.update({i.code: i.name for i in standard.all_indicators()})
        for ind in standard.all_indicators():
            if ind.expression is None:
                continue
            parsed = ex.parse(ind.expression.text)
            text = formula_in_words(parsed, names_label(names))
            for code in ex.names_used(parsed):
                assert code not in text, (standard.code, ind.code, text)
