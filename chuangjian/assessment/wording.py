"""The sentences people read, made from the engine's structured reasons (措辞).

The engine gives a unit's total as reasons (``engine.reasons``): a kind and its figures,
with items named by code. Here each kind becomes one whole translatable sentence, item
codes become the items' names, and numbers are written as the score sheet shows them,
so the same stored result reads in Chinese or in English.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from chuangjian.engine.aggregation import TimeAgg, TreeAgg
from chuangjian.engine.periods import Period, PeriodType
from chuangjian.engine.reasons import Reason
from chuangjian.engine.scoring import DeductPerOccurrence

if TYPE_CHECKING:
    from chuangjian.assessment.spec import IndicatorSpec

__all__ = ["aggregation_words", "applied_reason", "item_note", "item_target", "missing_text",
           "note_sentence", "period_label", "projection_words", "rule_sentence",
           "status_label", "target_sentence", "target_words", "total_sentence", "unit_word",
           "why_sentence"]


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


# -- targets, items and periods ----------------------------------------------------------
# One whole sentence per kind of reason (engine.reasons TARGET_KINDS, WHY_KINDS,
# ITEM_KINDS); in Chinese each is what the engine writes into the stored text.

_Json = Mapping[str, Any]


def _reason(r: Reason | _Json) -> Reason:
    return r if isinstance(r, Reason) else Reason.from_json(r)


def _fig(x: float) -> str:
    # As the engine writes a target's figures: up to four decimals, no trailing zeros.
    x = float(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.4f}".rstrip("0").rstrip(".")


def unit_word(unit: str) -> str:
    """A standard's unit of measure (户, 平方米) in the reader's language; a unit not
    known here is shown as the standard writes it."""
    words = {"个": pgettext("unit", "个"), "人": pgettext("unit", "人"),
             "人次": pgettext("unit", "人次"), "件": pgettext("unit", "件"),
             "份": pgettext("unit", "份"), "例": pgettext("unit", "例"),
             "克": pgettext("unit", "克"), "口": pgettext("unit", "口"),
             "场": pgettext("unit", "场"), "处": pgettext("unit", "处"),
             "平方米": pgettext("unit", "平方米"), "户": pgettext("unit", "户"),
             "所": pgettext("unit", "所"), "条": pgettext("unit", "条"),
             "次": pgettext("unit", "次"), "起": pgettext("unit", "起"),
             "项": pgettext("unit", "项")}
    return words.get(unit.strip(), unit.strip())


def _with_unit(x: float, unit: str) -> str:
    """`90%` but `400 平方米`: percent signs hug the number, words keep a space."""
    unit = unit_word(unit)
    if not unit or unit in ("%", "‰"):
        return f"{_fig(x)}{unit}"
    return f"{_fig(x)} {unit}"


def missing_text(code: int) -> str:
    """Why a figure is missing (engine.values.Missing), in the reader's language."""
    texts = {0: _("有数据"), 1: _("缺少数据"), 2: _("除数为零"), 3: _("缺少上年数据"),
             4: _("缺少往年数据"), 5: _("没有下级单位"), 6: _("不适用")}
    found = texts.get(int(code))
    if found is None:
        return _("无法计算（原因代码 %(code)s）") % {"code": int(code)}
    return found


def status_label(status: int) -> str:
    """达标 / 未达标 / 无法计算 (engine.targets.TargetStatus)."""
    return {1: _("达标"), 2: _("未达标")}.get(int(status), _("无法计算"))


def period_label(period: Period | str, *, year: bool = True) -> str:
    """「2026年3月5日」, 「2026年第12周」; without the year 「3月5日」, 「第1季度」 (a week keeps
    its year, as its year may not be the calendar year)."""
    p = period if isinstance(period, Period) else Period.parse(period)
    s = p.start
    if p.type is PeriodType.YEAR:
        return _("%(year)s年") % {"year": s.year}
    if p.type is PeriodType.QUARTER:
        if year:
            return _("%(year)s年第%(quarter)s季度") % {"year": s.year, "quarter": p.quarter_number}
        return _("第%(quarter)s季度") % {"quarter": p.quarter_number}
    if p.type is PeriodType.MONTH:
        return dateformat.format(s, _("Y年n月") if year else _("n月"))
    if p.type is PeriodType.WEEK:
        iso_year, week, _day = s.isocalendar()
        return _("%(year)s年第%(week)s周") % {"year": iso_year, "week": week}
    return dateformat.format(s, _("Y年n月j日") if year else _("n月j日"))


def _compare(op: str, value: str) -> str:
    return {">=": _("≥ %(value)s"), "<=": _("≤ %(value)s"), ">": _("> %(value)s"),
            "<": _("< %(value)s"), "==": _("= %(value)s")}[op] % {"value": value}


def _per_period(p: _Json) -> str:
    per = PeriodType(p["per"])
    count = _with_unit(p["count"], p["unit"] or "次")
    if per.rank < PeriodType.YEAR.rank and float(p["share"]) < 100:
        text = {PeriodType.DAY: _("每天不少于 %(count)s（%(share)s%% 以上的天做到）"),
                PeriodType.WEEK: _("每周不少于 %(count)s（%(share)s%% 以上的周做到）"),
                PeriodType.MONTH: _("每月不少于 %(count)s（%(share)s%% 以上的月做到）"),
                PeriodType.QUARTER: _("每季度不少于 %(count)s（%(share)s%% 以上的季度做到）"),
                }[per]
        return text % {"count": count, "share": _fig(p["share"])}
    return {PeriodType.DAY: _("每天不少于 %(count)s"), PeriodType.WEEK: _("每周不少于 %(count)s"),
            PeriodType.MONTH: _("每月不少于 %(count)s"),
            PeriodType.QUARTER: _("每季度不少于 %(count)s"),
            PeriodType.YEAR: _("每年不少于 %(count)s")}[per] % {"count": count}


def _change(p: _Json) -> str:
    size, down, strict = float(p["percent"]), bool(p["down"]), bool(p["strict"])
    if size == 0:
        if strict:
            return _("比上年下降") if down else _("比上年增长")
        return _("不高于上年（零增长）") if down else _("不低于上年")
    text = {(True, False): _("比上年下降 %(size)s%% 以上"), (True, True): _("比上年下降超过 %(size)s%%"),
            (False, False): _("比上年增长 %(size)s%% 以上"),
            (False, True): _("比上年增长超过 %(size)s%%")}[(down, strict)]
    return text % {"size": _fig(size)}


def _case(by: str, key: Any, target: str) -> str:
    if by == "year":
        return _("%(year)s 年：%(target)s") % {"year": key, "target": target}
    return _("%(key)s：%(target)s") % {"key": key, "target": target}


def _cases(p: _Json) -> str:
    parts = [_case(p["by"], key, target_sentence(t)) for key, t in p["cases"]]
    if p["default"] is not None:
        parts.append(_("其他：%(target)s") % {"target": target_sentence(p["default"])})
    return pgettext("list of targets", "；").join(parts)


def _step(r: Reason) -> str:
    by, p = str(r.params.get("by")), r.params
    if r.kind == "chose_case":
        return {"category": _("适用「%(key)s」目标"), "year": _("适用 %(key)s 年目标"),
                "class": _("适用「%(key)s」类目标")}[by] % {"key": p["key"]}
    if r.kind == "default_unset":
        return {"category": _("单位未设置城乡类别，适用默认目标"),
                "year": _("未设置年度，适用默认目标"),
                "class": _("单位未设置类别，适用默认目标")}[by]
    return {"category": _("无「%(key)s」专门目标，适用默认目标"),
            "year": _("无 %(key)s 年专门目标，适用默认目标"),
            "class": _("无「%(key)s」类专门目标，适用默认目标")}[by] % {"key": p["key"]}


def _steps(path: Sequence[Reason | _Json]) -> str:
    return pgettext("choices of a target", "，").join(_step(_reason(r)) for r in path)


def target_sentence(reason: Reason | _Json) -> str:
    """What a target asks (「≥ 90%」, "at least 90%"), or which target applied to a unit
    and why (「适用「城镇」目标：≥ 90%」), in the reader's language."""
    r = _reason(reason)
    p = r.params
    if r.kind == "applied":
        target = target_sentence(p["target"])
        if p["path"]:
            return _("%(choices)s：%(target)s") % {"choices": _steps(p["path"]), "target": target}
        return _("目标：%(target)s") % {"target": target}
    if r.kind == "none_applied":
        return _steps(p["path"]) or _("无适用目标")
    if r.kind == "compare":
        return _compare(p["op"], _with_unit(p["value"], p["unit"]))
    if r.kind == "range":
        return _("%(low)s–%(high)s") % {"low": _with_unit(p["low"], p["unit"]),
                                         "high": _with_unit(p["high"], p["unit"])}
    if r.kind == "is_true":
        return _("须为「是」")
    if r.kind == "per_period":
        return _per_period(p)
    if r.kind == "zero_for_years":
        return _("连续 %(years)s 年为 0") % {"years": p["years"]}
    if r.kind == "change":
        return _change(p)
    if r.kind == "cases":
        return _cases(p)
    raise ValueError(f"not a target reason: {r.kind}")


def target_words(target: Any, unit: str = "") -> str:
    """What a target (engine.targets.Target) asks of every unit, in the reader's language:
    「城镇：≥ 90%；农村：≥ 80%」; empty for no target."""
    return target_sentence(target.describe(unit)) if target is not None else ""


def _per_data(per: str) -> str:
    return {PeriodType.DAY: _("缺少每天的数据"), PeriodType.WEEK: _("缺少每周的数据"),
            PeriodType.MONTH: _("缺少每月的数据"), PeriodType.QUARTER: _("缺少每季度的数据"),
            PeriodType.YEAR: _("缺少每年的数据")}[PeriodType(per)]


def why_sentence(reason: Reason | _Json | None) -> str:
    """Why an item could not be judged: 「缺少上年数据」, "no figure for last year"."""
    if reason is None:
        return _("缺少数据")
    r = _reason(reason)
    p = r.params
    if r.kind == "missing":
        return missing_text(p["code"])
    if r.kind == "value_missing":
        return _("缺少指标数值（%(why)s）") % {"why": missing_text(p["code"])}
    if r.kind == "no_value":
        return _("缺少指标数值")
    if r.kind == "no_period_data":
        return _per_data(p["per"])
    if r.kind == "missing_years":
        return _("缺少 %(years)s 年数据") % {
            "years": pgettext("list separator", "、").join(str(y) for y in p["years"])}
    if r.kind == "no_previous_year":
        return _("缺少上年数据")
    if r.kind == "unset":
        return {"category": _("单位未设置城乡类别"), "year": _("未设置年度"),
                "class": _("单位未设置类别")}[p["by"]]
    if r.kind == "no_case":
        return {"category": _("未设置「%(key)s」类别的目标"), "year": _("未设置 %(key)s 年的目标"),
                "class": _("未设置「%(key)s」类单位的目标")}[p["by"]] % {"key": p["key"]}
    if r.kind == "not_reviewed":
        return _("尚未评审")
    raise ValueError(f"not a reason for a missing verdict: {r.kind}")


def _periods_head(p: _Json) -> str:
    text = {PeriodType.DAY: _("%(periods)s 天中 %(done)s 天做到每天不少于 %(count)s 次"),
            PeriodType.WEEK: _("%(periods)s 周中 %(done)s 周做到每周不少于 %(count)s 次"),
            PeriodType.MONTH: _("%(periods)s 个月中 %(done)s 个月做到每月不少于 %(count)s 次"),
            PeriodType.QUARTER: _("%(periods)s 个季度中 %(done)s 个季度做到每季度不少于 %(count)s 次"),
            }[PeriodType(p["per"])]
    return text % {"periods": p["periods"], "done": p["done"], "count": f"{float(p['count']):g}"}


def _stretch(a: str, b: str) -> str:
    if a == b:
        return period_label(a, year=False)
    return _("%(start)s至%(end)s") % {"start": period_label(a, year=False),
                                     "end": period_label(b, year=False)}


def _periods(r: Reason) -> str:
    p = r.params
    if r.kind == "periods_none":
        return {PeriodType.DAY: _("本年尚无已结束的天"), PeriodType.WEEK: _("本年尚无已结束的周"),
                PeriodType.MONTH: _("本年尚无已结束的月"),
                PeriodType.QUARTER: _("本年尚无已结束的季度")}[PeriodType(p["per"])]
    head = _periods_head(p)
    if r.kind == "periods_all":
        return head
    shown = pgettext("list separator", "、").join(_stretch(a, b) for a, b in p["stretches"])
    text = {PeriodType.DAY: _("%(head)s；未做到：%(list)s%(more)s（共 %(failed)s 天）"),
            PeriodType.WEEK: _("%(head)s；未做到：%(list)s%(more)s（共 %(failed)s 周）"),
            PeriodType.MONTH: _("%(head)s；未做到：%(list)s%(more)s（共 %(failed)s 个月）"),
            PeriodType.QUARTER: _("%(head)s；未做到：%(list)s%(more)s（共 %(failed)s 个季度）"),
            }[PeriodType(p["per"])]
    return text % {"head": head, "list": shown,
                   "more": pgettext("and more", "等") if p["more"] else "",
                   "failed": int(p["periods"]) - int(p["done"])}


def _status_in_sentence(status: int) -> str:
    return {1: pgettext("in a sentence", "达标"), 2: pgettext("in a sentence", "未达标")
            }.get(int(status), pgettext("in a sentence", "无法计算"))


def _item(r: Reason) -> str:
    p = r.params
    if r.kind == "unknown_zero":
        return _("无法计算（%(why)s），按 0 分计") % {"why": why_sentence(p["why"])}
    if r.kind == "unknown_excluded":
        return _("无法计算（%(why)s），不计分，满分 %(max)s 分从总分基数中扣除") % {
            "why": why_sentence(p["why"]), "max": _num(p["max"])}
    if r.kind == "judged":
        return _("%(target)s；%(status)s，得 %(points)s 分") % {
            "target": target_sentence(p["applied"]), "status": _status_in_sentence(p["status"]),
            "points": _num(p["points"])}
    if r.kind == "judged_partly":
        return _("%(target)s；%(status)s，完成 %(done)s%%，得 %(points)s 分") % {
            "target": target_sentence(p["applied"]), "status": _status_in_sentence(p["status"]),
            "done": _num(p["done"]), "points": _num(p["points"])}
    if r.kind == "deducted":
        return _("发生 %(n)s 次，扣 %(deducted)s 分，得 %(points)s 分") % {
            "n": _num(p["occurrences"]), "deducted": _num(p["deducted"]),
            "points": _num(p["points"])}
    if r.kind == "reviewed":
        if p["note"]:
            return _("评审给 %(points)s 分（满分 %(max)s）：%(note)s") % {
                "points": _num(p["points"]), "max": _num(p["max"]), "note": p["note"]}
        return _("评审给 %(points)s 分（满分 %(max)s）") % {
            "points": _num(p["points"]), "max": _num(p["max"])}
    return _periods(r)


def note_sentence(reasons: Sequence[Reason | _Json]) -> str:
    """How an item was scored, in the reader's language: 「目标：≥ 90%；达标，得 5 分。
    365 天中 9 天做到…」 (the item's stored note, worded again)."""
    return pgettext("between sentences", "。").join(_item(_reason(r)) for r in reasons)


def projection_words(parts: Sequence[tuple[str, int, int]]) -> str:
    """How a year-end figure was projected (``compute.projection_parts``), in the reader's
    language: 「按已结束的 10 个月推算全年（×12/10）」, "the 10 months so far, scaled up to
    the whole year"."""
    if not parts:
        return _("按年内已有数据判断（无可推算的累计数）")
    words = []
    for kind, done, total in parts:
        if kind == "day":
            text = _("按已过 %(done)s 天推算全年（×%(total)s/%(done)s）")
        elif kind == "month":
            text = _("按已结束的 %(done)s 个月推算全年（×12/%(done)s）")
        else:
            text = _("按已结束的 %(done)s 个季度推算全年（×4/%(done)s）")
        words.append(text % {"done": done, "total": total})
    return pgettext("list of methods", "；").join(words)


# -- a stored item, worded on read (decision 0041) ---------------------------------------


def item_target(ind: IndicatorSpec, data: dict[str, Any]) -> str:
    """What the item is judged against, in the reader's language: a reviewer's or
    deduction item's scoring rule, or the target that applied to the unit (stored as a
    reason; a run stored before reasons were kept shows its Chinese text)."""
    if ind.is_reviewer or isinstance(ind.scorer, DeductPerOccurrence):
        return rule_sentence(ind.scorer.describe())
    applied = applied_reason(data)
    if applied is not None:
        return target_sentence(applied)
    return data.get("t") or ""


def applied_reason(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The target that applied to a stored target item, as a reason: its own ``tr``, or
    the one its note's reasons carry (decision 0041 stores it once); None for other items
    and for runs made before reasons were kept."""
    if data.get("tr"):
        return dict(data["tr"])
    for reason in data.get("nr") or ():
        if isinstance(reason, dict) and isinstance(reason.get("applied"), dict):
            return dict(reason["applied"])
    return None


def item_note(data: dict[str, Any]) -> str:
    """How the item was scored, in the reader's language (the stored Chinese for a run
    made before reasons were kept)."""
    if data.get("nr"):
        return note_sentence(data["nr"])
    return data.get("n") or ""
