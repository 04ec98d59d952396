"""Reading questionnaires: an uploaded .xlsx (bounded reader of ``chuangjian.lib``) or a
built-in YAML file written in the same three sheets, plus our two extra keys:

- ``targets``: the target rate (percent) per respondent group, from the plans;
- ``feeds``: which data elements of the standards the results feed (the source).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from chuangjian.lib.xlsx import XlsxRefused, read_workbook
from chuangjian.lib.yamlsafe import BoundedSafeLoader
from chuangjian.surveys import xlsform
from chuangjian.surveys.xlsform import Fault, FormError

BUILTIN = Path(__file__).resolve().parent / "builtin"
MAX_ROWS = 2_000
MAX_CELLS = 60_000
SHEETS = ("survey", "choices", "settings")


@dataclass
class Parsed:
    definition: dict[str, Any]
    targets: dict[str, float] = field(default_factory=dict)
    feeds: list[dict[str, Any]] = field(default_factory=list)


def read_xlsx(data: bytes, *, fallback_id: str = "") -> Parsed:
    """Parse an XLSForm workbook; ``FormError`` (with ``XlsxRefused`` folded in) on faults."""
    try:
        sheets = read_workbook(data, max_rows=MAX_ROWS, max_cells=MAX_CELLS,
                               wanted=lambda names: [n for n in names if n.lower() in SHEETS])
    except XlsxRefused as error:
        raise FormError([Fault("", None, "", error.message)]) from None
    by_name = {n.lower(): n for n in sheets.rows}
    if "survey" not in by_name:
        raise FormError([Fault("survey", None, "", "文件中没有名为 survey 的工作表（XLSForm 格式）")])

    def rows(sheet: str) -> xlsform.Rows:
        if sheet not in by_name:
            return []
        table = [[c.value for c in row] for row in sheets.rows[by_name[sheet]]]
        return xlsform.rows_from_table(table)

    survey, choices, settings = rows("survey"), rows("choices"), rows("settings")
    if survey and "type" not in {k for _n, r in survey for k in r}:
        raise FormError([Fault("survey", 1, "type", "表头缺少 type 列")])
    return Parsed(xlsform.parse_form(survey, choices, settings, fallback_id=fallback_id))


def read_yaml(text: str, *, name: str = "") -> Parsed:
    try:
        doc = yaml.load(text, Loader=BoundedSafeLoader)  # noqa: S506 - the bounded safe loader
    except yaml.YAMLError as error:
        raise FormError([Fault(name, None, "", f"YAML 格式错误：{error}")]) from None
    if not isinstance(doc, dict):
        raise FormError([Fault(name, None, "", "文件内容应为 survey、choices、settings 三部分")])
    parts = {key: doc.get(key) or [] for key in SHEETS}
    for key, items in parts.items():
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise FormError([Fault(key, None, "", "应为若干行，每行是“列名: 值”")])
    definition = xlsform.parse_form(*(xlsform.rows_from_mapping(parts[k]) for k in SHEETS))
    targets = {str(k): float(v) for k, v in (doc.get("targets") or {}).items()}
    return Parsed(definition, targets, list(doc.get("feeds") or []))


@cache
def builtin() -> dict[str, Parsed]:
    """The questionnaires shipped with the product, by code."""
    out: dict[str, Parsed] = {}
    for path in sorted(BUILTIN.glob("*.yaml")):
        parsed = read_yaml(path.read_text(encoding="utf-8"), name=path.name)
        out[parsed.definition["form_id"]] = parsed
    return out


@cache
def builtin_feeds() -> list[tuple[str, dict[str, Any]]]:
    """(questionnaire code, feed) of every built-in questionnaire, read without Django."""
    found: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(BUILTIN.glob("*.yaml")):
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=BoundedSafeLoader)  # noqa: S506
        code = (doc.get("settings") or [{}])[0].get("form_id", path.stem)
        found += [(code, feed) for feed in doc.get("feeds") or []]
    return found


def feeds_for(code: str, group: str) -> list[str]:
    """The element codes a questionnaire's responses of one group feed."""
    return [c for q, feed in builtin_feeds() if q == code and group in feed.get("groups", [])
            for c in (feed["surveyed"], feed["positive"])]
