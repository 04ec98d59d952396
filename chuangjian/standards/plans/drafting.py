"""From reviewed plan targets to a draft standard (YAML the loader accepts).

The user accepts, edits or rejects each proposal of the plan reader and maps
each accepted one to a data element of the library (suggested by name) or to a
new element; :func:`draft_yaml` writes the standard and :func:`check_draft`
runs it through the same loader as ``chuangjian standards validate``.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from chuangjian.standards.plans import plan_texts
from chuangjian.standards.plans.reader import OPS, PERIODS

NEW = "__new__"
MAX_ROWS = 200


@dataclass(frozen=True)
class LibraryElement:
    code: str
    name: str
    type: str
    unit: str


@dataclass(frozen=True)
class Row:
    """One accepted target after review."""

    quote: str
    metric: str
    op: str
    value: float
    unit: str | None
    period: str | None
    category: str | None
    year: int | None
    span_years: int | None
    element: str          # a library element code, or NEW
    element_name: str     # the new element's name when element is NEW


@cache
def library() -> tuple[LibraryElement, ...]:
    """The built-in data element library (一数一源), which a draft may use as it is."""
    from chuangjian.standards import loader

    result = loader.load_paths([], builtin_elements=True)
    return tuple(LibraryElement(code, e.name, e.type.value, e.unit)
                 for code, e in sorted(result.elements.items()))


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"[^\u4e00-\u9fffA-Za-z0-9%]", "", text)
    return {text[i:i + 2] for i in range(len(text) - 1)} or {text}


def suggest_elements(metric: str, elements: Sequence[LibraryElement], limit: int = 5
                     ) -> list[LibraryElement]:
    """Library elements whose names share the most character pairs with ``metric``."""
    wanted = _bigrams(metric)
    scored = []
    for element in elements:
        have = _bigrams(element.name)
        overlap = len(wanted & have) / len(wanted | have) if wanted and have else 0.0
        if overlap > 0.12:
            scored.append((overlap, element))
    scored.sort(key=lambda pair: (-pair[0], pair[1].code))
    return [element for _, element in scored[:limit]]


def seed_plan_of(quotes: Iterable[str]) -> str | None:
    """The packaged plan (篇N) that contains every quote, if one does."""
    quotes = [q for q in quotes if q]
    if not quotes:
        return None
    for name, text in sorted(plan_texts().items(), key=lambda kv: int(kv[0][1:])):
        if all(q in text for q in quotes):
            return name
    return None


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 4)


def target_of(row: Row) -> Any:
    """The standard's target for a reviewed row (docs/standards-reference.md)."""
    value = _number(row.value)
    if row.op == "zero":
        return {"zero_for_years": row.span_years} if row.span_years else "<= 0"
    if row.op in ("decrease_by", "increase_by"):
        if row.unit != "%":
            return None
        return {"change_from_previous": -value if row.op == "decrease_by" else value}
    if row.op == ">=" and row.period and row.unit in ("次", "场", "节") and isinstance(value, int) and value >= 1:
        return {"at_least": value, "per": row.period}
    return f"{row.op} {value}"


def _element_type(row: Row) -> str:
    if row.unit in ("%", "个百分点", "百分点"):
        return "percent"
    if row.op == "zero" or (float(row.value).is_integer() and row.unit in (
            None, "个", "户", "名", "人", "次", "场", "节", "份", "项", "处", "起", "件")):
        return "integer"
    return "decimal"


def _new_code(plan: str, index: int) -> str:
    return f"{_plan_slug(plan)}_target_{index:02d}"


def _plan_slug(plan: str) -> str:
    return "plan" + (re.sub(r"\D", "", plan) or "x")


def draft_yaml(*, rows: Sequence[Row], name: str, campaign: str, plan: str, year: int) -> str:
    """A draft standard: one indicator per reviewed target, points shared equally."""
    if not rows:
        raise ValueError("没有已接受的目标，无法生成标准草稿")
    if len(rows) > MAX_ROWS:
        raise ValueError(f"目标超过 {MAX_ROWS} 条")
    known = {element.code: element for element in library()}
    elements: list[dict[str, Any]] = []
    indicators: list[dict[str, Any]] = []
    share = round(100 / len(rows), 2)
    for index, row in enumerate(rows, start=1):
        if row.element != NEW and row.element in known:
            code = row.element
            unit = known[code].unit or (row.unit or "")
        else:
            code = _new_code(plan, index)
            unit = row.unit or ""
            elements.append({
                "code": code, "name": (row.element_name or row.metric)[:60],
                "type": _element_type(row), "unit": unit,
                "period": row.period or "year", "time_agg": "sum" if row.period else "last",
                "tree_agg": "sum" if _element_type(row) == "integer" else "mean",
                "description": f"由计划读取器从「{row.quote}」生成",
            })
        points = share if index < len(rows) else round(100 - share * (len(rows) - 1), 2)
        indicator: dict[str, Any] = {
            "code": f"target_{index:02d}",
            "name": (row.metric + (f"（{row.category}）" if row.category else ""))[:80],
            "method": "数据",
            "expression": code,
            "unit": unit if unit in ("%", "‰") else (row.unit or ""),
        }
        target = target_of(row)
        if target is not None:
            indicator["target"] = target
        indicator["score"] = {"rule": "all_or_nothing", "max": points}
        indicator["source"] = {"plan": plan, "quote": row.quote}
        indicators.append(indicator)
    document: dict[str, Any] = {
        "code": "draft_" + _plan_slug(plan),
        "name": name,
        "campaign": campaign,
        "version": 1,
        "years": {"from": year, "to": None},
        "applies_to": {"levels": ["community"]},
        "plans": [plan],
        "description": "由计划读取器生成的草稿，请复核后再载入。",
        "pass_mark": 60,
        "elements": elements,
        "items": [{
            "code": "plan_targets", "name": "计划目标",
            "contents": [{"code": "quantified", "name": "量化目标", "indicators": indicators}],
        }],
    }
    if not elements:
        del document["elements"]
    header = f"# {name}：计划读取器生成的标准草稿（{plan}）。\n"
    return header + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


def check_draft(text: str) -> list[str]:
    """The loader's errors for a draft (empty when ``standards validate`` accepts it)."""
    from chuangjian.standards import loader

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "draft.yaml"
        path.write_text(text, encoding="utf-8")
        result = loader.load_paths([path])
        return [str(error).replace(str(path), "draft.yaml") for error in result.errors]


def parse_rows(data: Any, count: int) -> tuple[list[Row], list[str]]:
    """Reviewed rows out of the page's form fields (``p-N-field``); errors name the row."""
    rows: list[Row] = []
    errors: list[str] = []
    for index in range(min(count, MAX_ROWS)):
        def field(name: str, i: int = index) -> str:
            return str(data.get(f"p-{i}-{name}", "")).strip()[:400]

        if field("decision") != "accept":
            continue
        label = f"第 {index + 1} 条"
        op = field("op")
        if op not in OPS:
            errors.append(f"{label}：比较方式无效")
            continue
        try:
            value = float(field("value") or "0")
        except ValueError:
            errors.append(f"{label}：数值「{field('value')}」不是数字")
            continue
        if not -1e12 < value < 1e12:
            errors.append(f"{label}：数值超出范围")
            continue
        period = field("period") or None
        if period is not None and period not in PERIODS:
            errors.append(f"{label}：周期无效")
            continue

        def integer(name: str) -> int | None:
            raw = field(name)
            return int(raw) if raw.isdigit() and len(raw) <= 4 else None

        quote, metric = field("quote"), field("metric")
        if not quote or not metric:
            errors.append(f"{label}：引文和指标名称不能为空")
            continue
        rows.append(Row(quote=quote, metric=metric, op=op, value=value, unit=field("unit") or None,
                        period=period, category=field("category") or None, year=integer("year"),
                        span_years=integer("span_years"), element=field("element") or NEW,
                        element_name=field("element_name")))
    return rows, errors
