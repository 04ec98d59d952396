"""The sentences people read, made from the engine's structured reasons (措辞).

The engine gives a unit's total as reasons (``engine.reasons``): a kind and its figures,
with items named by code. Here each kind becomes one whole translatable sentence, item
codes become the items' names, and numbers are written as the score sheet shows them,
so the same stored result reads in Chinese or in English.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from chuangjian.engine.aggregation import TimeAgg, TreeAgg
from chuangjian.engine.reasons import Reason

__all__ = ["aggregation_words", "rule_sentence", "total_sentence"]


def _num(x: float) -> str:
    # As the score sheet writes points: two decimals at most, no trailing zeros.
    rounded = round(float(x), 2)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:g}"


def _names(codes: Iterable[str], names: Mapping[str, str]) -> str:
    quoted = [_("「%(name)s」") % {"name": names.get(c, c)} for c in codes]
    return pgettext("list separator", "、").join(quoted)


_Sentence = Callable[[Mapping[str, Any], Mapping[str, str]], str]

_SENTENCES: dict[str, _Sentence] = {
    "base_score": lambda p, n: _("基本分 %(points)s / %(max)s 分") % {
        "points": _num(p["points"]), "max": _num(p["max"])},
    "rescaled": lambda p, n: _(
        "%(items)s 无法计算，不计入；其余各项得 %(points)s / %(included)s 分，"
        "折算为 %(base)s / %(max)s 分") % {
        "items": _names(p["excluded"], n), "points": _num(p["points"]),
        "included": _num(p["included_max"]), "base": _num(p["base_total"]),
        "max": _num(p["max"])},
    "nothing_computable": lambda p, n: _("所有评分项均无法计算，无法得出总分"),
    "zeroed": lambda p, n: _("%(items)s 缺少数据，按 0 分计") % {"items": _names(p["items"], n)},
    "bonus": lambda p, n: _("加分 %(points)s 分") % {"points": _num(p["points"])},
    "bonus_capped": lambda p, n: _("加分 %(points)s 分（超过上限，按 %(counted)s 分计）") % {
        "points": _num(p["points"]), "counted": _num(p["counted"])},
    "veto_failed": lambda p, n: _("一票否决：%(items)s 未达标") % {
        "items": _names(p["items"], n)},
    "veto_unknown": lambda p, n: _("一票否决项 %(items)s 无法计算，核实前不能判定达标") % {
        "items": _names(p["items"], n)},
    "veto_missing": lambda p, n: _("一票否决项 %(items)s 没有评分结果，核实前不能判定达标") % {
        "items": _names(p["items"], n)},
    "passed": lambda p, n: _("总分 %(total)s 分，合格线 %(pass_mark)s 分，合格") % {
        "total": _num(p["total"]), "pass_mark": _num(p["pass_mark"])},
    "passed_with_tier": lambda p, n: _(
        "总分 %(total)s 分，合格线 %(pass_mark)s 分，合格，等次：%(tier)s") % {
        "total": _num(p["total"]), "pass_mark": _num(p["pass_mark"]), "tier": p["tier"]},
    "failed": lambda p, n: _("总分 %(total)s 分，合格线 %(pass_mark)s 分，不合格") % {
        "total": _num(p["total"]), "pass_mark": _num(p["pass_mark"])},
    "undecidable": lambda p, n: _("无法判定是否合格"),
}


def total_sentence(reasons: Sequence[Reason | Mapping[str, Any]], names: Mapping[str, str]
                   ) -> str:
    """The explanation of a unit's total in the active language, items by name:
    「「入户率」 缺少数据，按 0 分计；总分 78 分，合格线 80 分，不合格。」"""
    parts = []
    for r in reasons:
        reason = r if isinstance(r, Reason) else Reason.from_json(r)
        parts.append(_SENTENCES[reason.kind](reason.params, names))
    if not parts:
        return ""
    return pgettext("sentence separator", "；").join(parts) + pgettext("full stop", "。")


def _time_words() -> dict[str, str]:
    return {TimeAgg.SUM: _("期内合计"), TimeAgg.LAST: _("期末最新值"),
            TimeAgg.MAX: _("期内最大值"), TimeAgg.MEAN: _("期内平均")}


def _tree_words() -> dict[str, str]:
    return {TreeAgg.SUM: _("本单位及下级单位合计"), TreeAgg.MEAN: _("本单位及下级单位平均"),
            TreeAgg.MAX: _("本单位及下级单位取最大"), TreeAgg.NONE: _("仅本单位")}


def aggregation_words(time_agg: str, tree_agg: str, reports: int) -> str:
    """How a reported figure was added up (``engine.aggregation``), in words:
    「期内合计，本单位及下级单位合计（12 期数据）」."""
    return _("%(time)s，%(tree)s（%(n)s 期数据）") % {
        "time": _time_words().get(time_agg, time_agg), "tree": _tree_words().get(tree_agg, tree_agg),
        "n": reports}


_RULES: dict[str, _Sentence] = {
    "all_or_nothing": lambda p, n: _("达标得 %(max)s 分，否则不得分") % {"max": _num(p["max"])},
    "proportional": lambda p, n: _("按完成程度得分，满分 %(max)s 分") % {"max": _num(p["max"])},
    "deduct": lambda p, n: _("满分 %(max)s 分，每发生 1 次扣 %(per)s 分") % {
        "max": _num(p["max"]), "per": _num(p["per"])},
    "deduct_capped": lambda p, n: _("满分 %(max)s 分，每发生 1 次扣 %(per)s 分，最多扣 %(cap)s 分") % {
        "max": _num(p["max"]), "per": _num(p["per"]), "cap": _num(p["cap"])},
    "reviewer": lambda p, n: _("评审打分，满分 %(max)s 分") % {"max": _num(p["max"])},
}


def rule_sentence(reason: Reason) -> str:
    """How an item is scored, in the active language: 「评审打分，满分 4 分」."""
    return _RULES[reason.kind](reason.params, {})
