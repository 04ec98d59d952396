"""Small standard files for tests, written into a temporary folder."""

from __future__ import annotations

import textwrap
from pathlib import Path

from chuangjian.standards.loader import LoadResult, load_paths

LIBRARY = """\
elements:
  - code: households_total
    name: 居民户总数
    type: integer
    unit: 户
    period: year
    time_agg: last
    tree_agg: sum
  - code: households_in_activities
    name: 参与文化活动的居民户数
    type: integer
    unit: 户
    period: year
    time_agg: last
    tree_agg: sum
  - code: has_reading_room
    name: 是否有报刊阅览室
    type: boolean
    period: year
    time_agg: last
    tree_agg: none
  - code: drug_users
    name: 吸毒人员数
    type: integer
    unit: 人
    period: year
    time_agg: last
    tree_agg: sum
"""

INDICATOR = """\
- code: participation_rate
  name: 居民户文化活动参与率
  method: 数据
  expression: ratio(households_in_activities, households_total)
  unit: "%"
  target: ">= 80"
  score: {rule: proportional, max: 100}
  source: {plan: 篇1, quote: "居民户的文化活动参与率80%以上"}
"""

STANDARD = """\
code: sample
name: 示例标准
campaign: 文明社区
version: 1
years: {{from: 2026, to: 2028}}
applies_to:
  levels: [community]
  categories: [城镇, 农村]
plans: [篇1, 篇2]
pass_mark: 80
classes:
  - {{code: bao_wudu, name: 保无毒, rule: "drug_users == 0", order: 1}}
  - {{code: chuang_wudu, name: 创无毒, rule: "drug_users > 0 and drug_users < 200", order: 2}}
validations:
  - {{code: in_activities_within_total, expression: "households_in_activities <= households_total", message: 参与文化活动的户数不能多于居民户总数}}
items:
  - code: culture
    name: 文化
    contents:
      - code: activities
        name: 文化活动
        indicators:
{indicators}
"""


def standard_text(indicators: str = INDICATOR, **top: str) -> str:
    """A valid standard, with its indicators (YAML list text) and top-level lines replaced."""
    text = STANDARD.format(indicators=textwrap.indent(indicators, " " * 10))
    for key, value in top.items():
        lines = [line for line in text.splitlines() if not line.startswith(f"{key}:")]
        text = "\n".join(lines) + "\n" + f"{key}: {value}\n"
    return text


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def load(folder: Path, standard: str, *, library: str = LIBRARY, name: str = "sample.yaml") -> LoadResult:
    """Load one standard with the small test library (not the built-in one)."""
    files = [write(folder, "library.yaml", library), write(folder, name, standard)]
    return load_paths(files, builtin_elements=False)


def messages(result: LoadResult) -> list[str]:
    return [str(error) for error in result.errors]


def line_of(text: str, fragment: str) -> int:
    """1-based number of the first line containing `fragment`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in text")
