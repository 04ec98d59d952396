"""Award schemes (评选方案): the titles the plans name, as data beside the standards.

A scheme says what the title is, who may be nominated (a unit, a household, a volunteer, a
person) and by whom, the quota at each level (a number, or a ratio such as 篇13's 「1:1」
to the titles of the level above), the eligibility rules read from the product, the
length of each stage and whether holders are re-checked every year. Each scheme quotes
the plan it comes from; the loader checks the quote against the packaged plans exactly as
the standards loader does, and every error names the file and the field in Chinese.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from chuangjian.lib.yamlsafe import BoundedSafeLoader
from chuangjian.standards.plans import plan_texts

BUILTIN_DIR = Path(__file__).with_name("builtin")

Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,47}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=300)]
RATIO = re.compile(r"^(\d{1,3}):(\d{1,3})$")

# Levels of a title, lowest first (the registers' 命名级别 uses the same words).
LEVELS = ("community", "street", "county", "city", "province", "national")
LEVEL_NAMES = {"community": "社区级", "street": "街道（乡镇）级", "county": "县（区）级",
               "city": "市级", "province": "省级", "national": "国家级"}
# A round is organised in the tree at these levels; titles above are named outside it
# (by the city) and recorded here from the naming document.
ROUND_LEVELS = {"street": "street", "county": "district"}
NOMINEES = {"unit": "单位", "household": "家庭", "volunteer": "志愿者", "person": "个人"}
# Who may put a nominee forward: a unit (the community recommends), residents (群众推荐,
# recorded by the unit with the recommender's name and phone), or the nominee itself.
NOMINATORS = {"units": "单位推荐", "people": "群众推荐", "self": "自荐（申报）"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Model):
    plan: Annotated[str, StringConstraints(pattern=r"^篇\d+$")]
    quote: Text


class Quota(_Model):
    """The number of titles a round at this level may name: a number, or a ratio to the
    titles of the same scheme named at another level in the same year (篇13 「1:1」)."""

    level: Literal["street", "county", "city", "province", "national"]
    total: int | None = Field(default=None, ge=1, le=10_000)
    ratio: str | None = None
    of: Literal["street", "county", "city", "province", "national"] | None = None
    per_unit: int | None = Field(default=None, ge=1, le=1_000)


class Rule(_Model):
    """One eligibility rule, computed from the product (``eligibility.py``)."""

    rule: Literal["assessment_passed", "in_family_register", "volunteer_registered",
                  "no_overdue_rectification", "living_here"]
    standard: Code | None = None       # assessment_passed
    years: int | None = Field(default=None, ge=1, le=10)     # in register / registered
    days: int | None = Field(default=None, ge=1, le=365)     # rectification older than
    kind: Literal["healthy", "learning", "civilised"] | None = None


class Stages(_Model):
    nominate_days: int = Field(ge=1, le=90)
    vote_days: int = Field(ge=1, le=30)
    publicity_days: int = Field(ge=1, le=30)


class Weights(_Model):
    """综合评定: the share of the votes and of the organiser's score, in per cent."""

    votes: int = Field(ge=0, le=100)
    scores: int = Field(ge=0, le=100)


class Scheme(_Model):
    code: Code
    name: Text                       # the title as printed (健康家庭)
    campaign: Text
    nominee: Literal["unit", "household", "volunteer", "person"]
    nominated_by: tuple[Literal["units", "people", "self"], ...] = Field(min_length=1)
    quotas: tuple[Quota, ...] = Field(min_length=1)
    eligibility: tuple[Rule, ...] = ()
    stages: Stages
    weights: Weights
    valid_years: int = Field(default=1, ge=1, le=10)
    recheck: bool = True
    source: Source

    @property
    def nominee_label(self) -> str:
        return NOMINEES[self.nominee]

    def quota_at(self, level: str) -> Quota | None:
        return next((q for q in self.quotas if q.level == level), None)


class SchemeError(Exception):
    """A scheme file that does not load; ``messages`` name the file and the field."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


def _where(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc)


def parse(text: str, *, name: str) -> Scheme:
    """One scheme from its YAML text; every problem raises ``SchemeError`` in Chinese."""
    try:
        data = yaml.load(text, Loader=BoundedSafeLoader)  # noqa: S506 - bounded safe loader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f"第{mark.line + 1}行：" if mark is not None else ""
        raise SchemeError([f"{name}：{line}{getattr(error, 'problem', None) or 'YAML 格式错误'}"]
                          ) from None
    if not isinstance(data, dict):
        raise SchemeError([f"{name}：应为一个评选方案（键值对）"])
    try:
        scheme = Scheme.model_validate(data)
    except ValidationError as error:
        raise SchemeError([f"{name}：{_where(e['loc'])}：{_pydantic_text(e)}"
                           for e in error.errors()]) from None
    problems = _check(scheme)
    if problems:
        raise SchemeError([f"{name}：{p}" for p in problems])
    return scheme


def _pydantic_text(error: Any) -> str:
    kind = error.get("type", "")
    return {"missing": "缺少此项", "extra_forbidden": "不认识的键",
            "literal_error": "取值不在允许的范围内", "string_pattern_mismatch": "格式不对",
            "greater_than_equal": "数值太小", "less_than_equal": "数值太大",
            "int_parsing": "应为整数", "too_short": "不能为空"}.get(kind, "取值无效")


def _check(scheme: Scheme) -> list[str]:
    problems: list[str] = []
    plans = plan_texts()
    if scheme.source.plan not in plans:
        problems.append(f"source.plan：未知的篇目「{scheme.source.plan}」")
    elif scheme.source.quote not in plans[scheme.source.plan]:
        problems.append(f"source.quote：引文在{scheme.source.plan}中找不到：「{scheme.source.quote[:30]}」")
    if scheme.weights.votes + scheme.weights.scores != 100:
        problems.append("weights：投票与评分的权重之和应为 100")
    seen: set[str] = set()
    for i, q in enumerate(scheme.quotas):
        where = f"quotas.{i}"
        if q.level in seen:
            problems.append(f"{where}.level：级别「{LEVEL_NAMES[q.level]}」写了两次")
        seen.add(q.level)
        if (q.total is None) == (q.ratio is None):
            problems.append(f"{where}：名额写 total（个数）或 ratio（比例，如 1:1）之一")
        if q.ratio is not None:
            m = RATIO.match(q.ratio)
            if not m or int(m.group(1)) == 0 or int(m.group(2)) == 0:
                problems.append(f"{where}.ratio：比例应写成「1:1」这样的两个正整数")
            if q.of is None or q.of == q.level:
                problems.append(f"{where}.of：比例要写明相对哪一级的称号数（另一级别）")
    for i, r in enumerate(scheme.eligibility):
        where = f"eligibility.{i}"
        if r.rule == "assessment_passed" and not r.standard:
            problems.append(f"{where}.standard：考核条件要写明标准编码")
        if r.rule in ("in_family_register", "volunteer_registered") and not r.years:
            problems.append(f"{where}.years：要写明在册满几年")
        if r.rule == "in_family_register" and not r.kind:
            problems.append(f"{where}.kind：要写明家庭创建的类别")
        if r.rule == "no_overdue_rectification" and not r.days:
            problems.append(f"{where}.days：要写明整改单超过几天未销号")
        wanted = {"in_family_register": "household", "volunteer_registered": "volunteer"}
        if r.rule in wanted and scheme.nominee != wanted[r.rule]:
            problems.append(f"{where}.rule：此条件只适用于{NOMINEES[wanted[r.rule]]}")
    return problems


@dataclass(frozen=True)
class Loaded:
    schemes: dict[str, Scheme]


@cache
def builtin() -> dict[str, Scheme]:
    """The built-in schemes by code (loaded once; a bad file stops the start-up)."""
    out: dict[str, Scheme] = {}
    errors: list[str] = []
    for path in sorted(BUILTIN_DIR.glob("*.yaml")):
        try:
            scheme = parse(path.read_text(encoding="utf-8"), name=path.name)
        except SchemeError as error:
            errors.extend(error.messages)
            continue
        if scheme.code in out:
            errors.append(f"{path.name}：方案编码「{scheme.code}」重复")
        out[scheme.code] = scheme
    if errors:
        raise SchemeError(errors)
    return out


def scheme_for(code: str) -> Scheme | None:
    return builtin().get(code)
