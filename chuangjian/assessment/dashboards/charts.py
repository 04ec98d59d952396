"""ECharts options for the dashboards, built from the selectors' dataclasses.

Options are plain JSON handed to the page with ``json_script``; the page script
(static/dashboards/dashboards.js) adds what JSON cannot carry: tooltip formatters
named by ``"_tooltip"`` and navigation to a data item's ``url`` on click.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chuangjian.assessment.selectors import (
    Heatmap,
    LeagueRow,
    PassRate,
    RiskRow,
    Scorecard,
    ScoreRow,
)
from chuangjian.assessment.verdicts import Verdict, verdict_of
from chuangjian.engine.targets import TargetStatus

GREEN = "#2e7d32"
RED = "#c62828"
AMBER = "#e0a100"
GREY = "#b0b7bf"
INK = "#1f2933"
BRAND = "#9f1d20"
TEXT = {"fontFamily": "Noto Sans CJK SC, Microsoft YaHei, sans-serif"}

Option = dict[str, Any]


def _short(text: str, n: int = 8) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def verdict_colour(verdict: Verdict) -> str:
    """The colour of a verdict on every chart: a unit not yet judged is grey, never amber."""
    return {Verdict.VETOED: RED, Verdict.PASSED: GREEN, Verdict.FAILED: AMBER}.get(verdict, GREY)


def item_scores(card: Scorecard) -> Option:
    """得分构成: each 测评项目's points against its maximum, as horizontal bars."""
    names, got, full = [], [], []
    for name, maximum, rows in card.items:
        names.append(name)
        got.append(round(sum(r.score or 0 for r in rows if not r.bonus), 2))
        full.append(round(maximum, 2))
    names.reverse()
    got.reverse()
    full.reverse()
    return {
        "textStyle": TEXT,
        "grid": {"left": 8, "right": 40, "top": 28, "bottom": 8, "containLabel": True},
        "legend": {"top": 0, "right": 0, "data": [_("得分"), _("满分")]},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "xAxis": {"type": "value", "splitLine": {"lineStyle": {"type": "dashed"}}},
        "yAxis": {"type": "category", "data": names,
                  "axisLabel": {"width": 110, "overflow": "truncate"}},
        "series": [
            {"name": _("满分"), "type": "bar", "data": full, "barGap": "-100%", "z": 1,
             "itemStyle": {"color": "#eef0f3"}, "barWidth": 16, "silent": True},
            {"name": _("得分"), "type": "bar", "data": got, "z": 2, "barWidth": 16,
             "itemStyle": {"color": BRAND, "borderRadius": [0, 3, 3, 0]},
             "label": {"show": True, "position": "right", "color": INK}},
        ],
    }


def league_bars(rows: Sequence[LeagueRow], *, pass_mark: float | None,
                tiers: Sequence[tuple[str, float]] = ()) -> Option:
    """Children by total, coloured by verdict, with the pass mark and tier lines."""
    lines: list[dict[str, Any]] = []
    if pass_mark is not None:
        lines.append({"yAxis": pass_mark, "name": _("合格线"),
                      "lineStyle": {"color": RED, "type": "dashed"},
                      "label": {"formatter": _("合格 {c}"), "color": RED}})
    for name, minimum in tiers:
        if pass_mark is not None and abs(minimum - pass_mark) < 1e-9:
            continue
        lines.append({"yAxis": minimum, "name": name,
                      "lineStyle": {"color": "#8a6d00", "type": "dotted"},
                      "label": {"formatter": f"{name} {{c}}", "color": "#8a6d00"}})
    data = [{"value": None if r.total is None else round(r.total, 2), "name": r.unit.name, "url": r.url,
             "itemStyle": {"color": verdict_colour(verdict_of(r.result, run=r.run))}}
            for r in rows]
    return {
        "textStyle": TEXT,
        "grid": {"left": 8, "right": 56, "top": 24, "bottom": 8, "containLabel": True},
        "_tooltip": "points",
        "_labels": {"points": _("分")},
        "tooltip": {"trigger": "item"},
        # Every unit's name under its bar: wrapped on two lines while they fit side by
        # side, turned by the page script where the chart is too narrow for them (on a
        # phone, or many units); never skipped or drawn over each other.
        "_fit": 72,
        "xAxis": {"type": "category", "data": [r.unit.name for r in rows],
                  "axisLabel": {"interval": 0, "width": 64, "overflow": "break"}},
        "yAxis": {"type": "value", "min": 0, "max": 100 if all((r.total or 0) <= 100
                                                                for r in rows) else None,
                  "splitLine": {"lineStyle": {"type": "dashed"}}},
        "series": [{"type": "bar", "data": data, "barMaxWidth": 42, "cursor": "pointer",
                    "label": {"show": True, "position": "top", "color": INK},
                    "markLine": {"symbol": "none", "silent": True, "data": lines}}],
    }


def pass_gauge(rate: PassRate, share: ScoreRow | None = None) -> Option:
    """下级达标率 as a gauge whose arc turns green at the year's target.

    When the standard defines the rate itself (a ``share_of_children`` indicator), the
    gauge shows that indicator's value, which is what the target is set for.
    """
    target = rate.target
    value = share.value if share is not None and share.value is not None else rate.rate
    colours: list[list[Any]]
    if target is not None:
        colours = [[max(0.0, min(1.0, target / 100)), "#f3c5c5"], [1, "#cfe8d1"]]
    else:
        colours = [[1, "#e6e9ed"]]
    if share is not None:
        met = share.status == TargetStatus.MET
    else:
        met = rate.met if rate.met is not None else (
            value is not None and target is not None and value >= target)
    colour = GREEN if met else (RED if target is not None else BRAND)
    series: list[dict[str, Any]] = []
    if target is not None:
        # The target as a dark tick across the arc, visible even when the arc is full.
        series.append({
            "type": "gauge", "min": 0, "max": 100, "radius": "92%", "center": ["50%", "58%"],
            "startAngle": 200, "endAngle": -20, "z": 5, "silent": True,
            "axisLine": {"show": False}, "axisTick": {"show": False},
            "splitLine": {"show": False}, "axisLabel": {"show": False},
            "progress": {"show": False}, "title": {"show": False}, "detail": {"show": False},
            "pointer": {"show": True, "icon": "rect", "width": 4, "length": "24%",
                        "offsetCenter": [0, "-80%"], "itemStyle": {"color": INK}},
            "anchor": {"show": False},
            "data": [{"value": target}]})
    return {
        "textStyle": TEXT,
        "series": [*series, {
            "type": "gauge", "min": 0, "max": 100, "radius": "92%", "center": ["50%", "58%"],
            "startAngle": 200, "endAngle": -20, "splitNumber": 10,
            "axisLine": {"lineStyle": {"width": 16, "color": colours}},
            "progress": {"show": True, "width": 16, "itemStyle": {"color": colour}},
            "pointer": {"show": False},
            "axisTick": {"show": False},
            "splitLine": {"length": 8, "lineStyle": {"color": "#fff", "width": 2}},
            "axisLabel": {"distance": 22, "color": "#66727f", "fontSize": 11},
            "title": {"offsetCenter": [0, "32%"], "fontSize": 13, "color": "#66727f"},
            "detail": {"valueAnimation": False, "offsetCenter": [0, "-4%"], "fontSize": 30,
                       "fontWeight": 600, "formatter": "{value}%", "color": colour},
            "data": [{"value": round(value, 1) if value is not None else 0,
                      "name": (_("目标 %(t)s%%") % {"t": _num(target)}) if target is not None
                      else _("下级达标率")}],
        }],
    }


def _num(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else f"{x:.1f}"


STATUS_LABEL = {TargetStatus.MET: gettext_lazy("达标"), TargetStatus.NOT_MET: gettext_lazy("未达标"),
                TargetStatus.UNKNOWN: gettext_lazy("无法计算")}


def heatmap(hm: Heatmap, targets: dict[str, str], url: Callable[[int, str], str]) -> Option:
    """Units × indicators coloured by attainment (0–100%); grey where nothing is known."""
    codes = [code for code, _name, _max in hm.indicators]
    names = {code: name for code, name, _max in hm.indicators}
    units = list(reversed(hm.units))  # the first unit on top
    scored: list[dict[str, Any]] = []
    unknown: list[dict[str, Any]] = []
    for y, unit in enumerate(units):
        for x, code in enumerate(codes):
            cell = hm.cells.get((unit.pk, code))
            if cell is None:
                continue
            attainment = cell.attainment
            # A reviewer item has no attainment; once scored, its share of the points
            # stands in. Unscored (0 points, nothing judged) stays grey, not red.
            if attainment is None and cell.score and cell.max_score:
                attainment = cell.score / cell.max_score
            item = {"unit": unit.name, "ind": names[code], "shown": cell.display or "—",
                    "target": cell.target or targets.get(code, ""), "status": str(STATUS_LABEL[cell.status]),
                    "score": "—" if cell.score is None else _num(round(cell.score, 2)),
                    "max": _num(cell.max_score), "url": url(unit.pk, code)}
            if attainment is None:
                unknown.append({**item, "value": [x, y, -1]})
            else:
                scored.append({**item, "value": [x, y, round(100 * attainment, 1)]})
    return {
        "textStyle": TEXT,
        "_tooltip": "heat",
        "_labels": {"value": _("完成值"), "target": _("目标"), "status": _("状态"),
                    "score": _("得分")},
        "tooltip": {"position": "top"},
        "grid": {"left": 8, "right": 16, "top": 16, "bottom": 64, "containLabel": True},
        "xAxis": {"type": "category", "data": [_short(names[c], 7) for c in codes],
                  "splitArea": {"show": True},
                  "axisLabel": {"interval": 0, "rotate": 45, "fontSize": 11}},
        "yAxis": {"type": "category", "data": [u.name for u in units], "splitArea": {"show": True}},
        "visualMap": {"min": 0, "max": 100, "calculable": False, "orient": "horizontal",
                      "left": "center", "bottom": 0, "seriesIndex": 0, "itemWidth": 12,
                      "text": [_("完成 100%"), "0%"],
                      "inRange": {"color": [RED, "#f28b30", "#f5d442", "#8bc34a", GREEN]}},
        "series": [
            {"name": _("完成度"), "type": "heatmap", "data": scored,
             "label": {"show": len(codes) <= 16 and len(units) <= 20, "fontSize": 10,
                       "formatter": "{@[2]}"},
             "itemStyle": {"borderColor": "#fff", "borderWidth": 1},
             "emphasis": {"itemStyle": {"borderColor": INK, "borderWidth": 1}}},
            {"name": _("无法计算"), "type": "heatmap", "data": unknown,
             "itemStyle": {"color": "#e6e9ed", "borderColor": "#fff", "borderWidth": 1}},
        ],
    }


def trend(points: Sequence[Any], targets: Sequence[float | None], *, name: str,
          unit_label: str) -> Option:
    years = [str(p.year) for p in points]
    suffix = unit_label if unit_label in ("%", "‰") else ""
    values = [{"value": None if p.value is None else round(p.value, 2),
               "shown": p.display or _("无结果"),
               "status": str(STATUS_LABEL[p.status])} for p in points]
    series: list[dict[str, Any]] = [{
        "name": name, "type": "line", "data": values, "connectNulls": False,
        "symbolSize": 9, "lineStyle": {"width": 3, "color": BRAND},
        "itemStyle": {"color": BRAND},
        "label": {"show": True, "position": "top", "formatter": "{c}" + suffix}}]
    known = [t for t in targets if t is not None]
    if len(points) == 1 and known:
        # One year: a step line of one point draws nothing, so mark the target across.
        series[0]["markLine"] = {
            "symbol": "none", "silent": True,
            "lineStyle": {"type": "dashed", "color": GREEN, "width": 2},
            "label": {"formatter": _("目标 {c}") + suffix, "color": GREEN},
            "data": [{"yAxis": known[0]}]}
    elif known:
        series.append({"name": _("目标"), "type": "line", "step": "middle", "data": list(targets),
                       "symbol": "none", "lineStyle": {"type": "dashed", "color": GREEN,
                                                       "width": 2},
                       "itemStyle": {"color": GREEN},
                       "endLabel": {"show": True, "formatter": _("目标 {c}") + suffix,
                                    "color": GREEN}})
    return {
        "textStyle": TEXT,
        "legend": {"top": 0},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 72, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": years, "boundaryGap": len(years) < 3},
        "yAxis": {"type": "value", "axisLabel": {"formatter": "{value}" + suffix},
                  "splitLine": {"lineStyle": {"type": "dashed"}},
                  **axis_range(suffix, [p.value for p in points] + list(known))},
        "series": series,
    }


def within_year(points: Sequence[Any], target: float | None, *, name: str, unit_label: str
                ) -> Option:
    """One year month by month: each month's own figure (当月) and the year so far (累计)
    against the year's target, which only the year so far is comparable with."""
    suffix = unit_label if unit_label in ("%", "‰") else ""
    month, so_far = _("当月"), _("1月起累计")
    own = [{"value": None if p.value is None else round(p.value, 2), "shown": p.shown}
           for p in points]
    to_date: list[dict[str, Any]] = [
        {"value": None if p.to_date is None else round(p.to_date, 2), "shown": p.to_date_shown}
        for p in points]
    if to_date:
        # Only the latest figure is written on the chart; the others are in the tooltip
        # and the table below, so twelve labels never crowd the line or the legend.
        to_date[-1]["label"] = {"show": True}
    # A rate's months read as a thin line beside the year so far; counts as bars under it.
    own_series: dict[str, Any] = (
        {"type": "line", "symbolSize": 5, "lineStyle": {"width": 1.5, "color": GREY},
         "itemStyle": {"color": GREY}} if suffix else
        {"type": "bar", "barMaxWidth": 22, "itemStyle": {"color": "#e9c7c8"}})
    line: dict[str, Any] = {
        "name": so_far, "type": "line", "data": to_date, "connectNulls": True, "z": 3,
        "symbolSize": 8, "lineStyle": {"width": 3, "color": BRAND}, "itemStyle": {"color": BRAND},
        "label": {"show": False, "position": "top", "formatter": "{c}" + suffix, "color": INK,
                  "fontWeight": 600}}
    if target is not None:
        line["markLine"] = {
            "symbol": "none", "silent": True,
            "lineStyle": {"type": "dashed", "color": GREEN, "width": 2},
            "label": {"formatter": _("目标 {c}") + suffix, "color": GREEN,
                      "position": "insideStartTop"},
            "data": [{"yAxis": target}]}
    numbers = [p.value for p in points] + [p.to_date for p in points] + [target]
    return {
        "textStyle": TEXT,
        "_fit": 36,
        "legend": {"top": 0, "data": [so_far, month]},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 16, "top": 48, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [p.label for p in points],
                  "axisLabel": {"interval": 0}},
        "yAxis": {"type": "value", "axisLabel": {"formatter": "{value}" + suffix},
                  "splitLine": {"lineStyle": {"type": "dashed"}}, **axis_range(suffix, numbers)},
        "series": [{"name": month, "data": own, "connectNulls": False, **own_series}, line],
    }


def axis_range(suffix: str, numbers: Sequence[float | None]) -> dict[str, float]:
    """A value axis that starts at 0 and leaves room for the labels above the points.

    A rate runs to 100% (one point alone otherwise gets an axis to 140%) and a figure
    above 100% (a 超额 rate) widens it to the next ten; a count gets a round top a
    little above its largest figure. Negative figures (a fall) take the axis below 0.
    """
    known = [float(n) for n in numbers if n is not None]
    full = {"%": 100.0, "‰": 1000.0}.get(suffix)
    high = max(known, default=0.0)
    low = min(known, default=0.0)
    bottom = 0.0 if low >= 0 else -_round_up(-low * 1.1)
    if full is not None:
        step = full / 10
        top = full if high <= full else step * -(-high // step)
    else:
        top = _round_up(high * 1.15) if high > 0 else 1.0
    return {"min": bottom, "max": top}


def _round_up(x: float) -> float:
    """The smallest round number (1, 1.2, 1.5, 2 … 8 × 10ⁿ) not below ``x`` (x > 0)."""
    scale = 10.0 ** math.floor(math.log10(x))
    return next(m * scale for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if m * scale >= x - 1e-9)


def risk_bars(rows: Sequence[RiskRow]) -> Option:
    """How many units each indicator puts at risk."""
    counts = Counter(r.name for r in rows).most_common(12)
    counts.reverse()
    return {
        "textStyle": TEXT,
        "grid": {"left": 8, "right": 36, "top": 8, "bottom": 8, "containLabel": True},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": [n for n, _c in counts],
                  "axisLabel": {"width": 150, "overflow": "truncate"}},
        "series": [{"name": _("预警单位数"), "type": "bar", "data": [c for _n, c in counts],
                    "barWidth": 14, "itemStyle": {"color": AMBER, "borderRadius": [0, 3, 3, 0]},
                    "label": {"show": True, "position": "right"}}],
    }
