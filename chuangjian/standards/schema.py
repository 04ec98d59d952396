"""The shape of a standard file (评价标准) and of the data element library.

A standard is data, not code: each campaign (创建项目) ships as one YAML file
that these pydantic models validate. Targets and expressions are parsed into
engine objects here, at the boundary, so nothing downstream handles raw
strings or dicts. Rules that need the whole file or several files together
(codes that must exist, expression types, quotes in the plans, weights that
add up) are checked by `chuangjian.standards.loader`, which is the entry
point; validate through it, not through these models alone.
"""

from __future__ import annotations

import datetime
import enum
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, TypeAlias

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StringConstraints,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError

from chuangjian.engine import expressions, scoring, targets
from chuangjian.engine.aggregation import TimeAgg, TreeAgg
from chuangjian.engine.periods import PeriodType

__all__ = [
    "AppliesTo",
    "Category",
    "Content",
    "Dataset",
    "Deadline",
    "Element",
    "ElementLibrary",
    "ElementType",
    "Expression",
    "Indicator",
    "Item",
    "Level",
    "Method",
    "Missing",
    "ProblemCategory",
    "Score",
    "ScoreRule",
    "Severity",
    "Source",
    "Standard",
    "Target",
    "Tier",
    "TimeAgg",
    "TreeAgg",
    "UnitClass",
    "Validation",
    "Years",
    "parse_target",
]

TIMEZONE = "Asia/Shanghai"


# ---------------------------------------------------------------- enumerations


class Level(enum.StrEnum):
    """Levels of the organisation tree a standard or indicator applies to."""

    DISTRICT = "district"  # 区/县
    STREET = "street"  # 街道
    TOWN = "town"  # 镇/乡
    AREA = "area"  # 管区
    COMMUNITY = "community"  # 社区
    VILLAGE = "village"  # 村
    GRID = "grid"  # 小区/网格
    BUILDING = "building"  # 楼组
    DEPARTMENT = "department"  # 条：职能部门、科室

    @property
    def label(self) -> str:
        return _LEVEL_LABELS[self]


_LEVEL_LABELS = {
    Level.DISTRICT: "区/县",
    Level.STREET: "街道",
    Level.TOWN: "镇/乡",
    Level.AREA: "管区",
    Level.COMMUNITY: "社区",
    Level.VILLAGE: "村",
    Level.GRID: "小区/网格",
    Level.BUILDING: "楼组",
    Level.DEPARTMENT: "职能部门",
}


class Category(enum.StrEnum):
    """Urban or rural (城乡分类) — several targets differ between the two."""

    URBAN = "城镇"
    RURAL = "农村"


class Method(enum.StrEnum):
    """How an indicator is assessed (测评方法)."""

    DATA = "数据"
    SITE_VISIT = "实地考察"
    DOCUMENT_REVIEW = "材料审核"
    SURVEY = "问卷调查"


class ScoreRule(enum.StrEnum):
    ALL_OR_NOTHING = "all_or_nothing"
    PROPORTIONAL = "proportional"
    DEDUCTION = "deduction"
    REVIEWER = "reviewer"


# What a missing value means for the score: 0 points, or leave the item out.
Missing = scoring.MissingPolicy


class Tier(enum.StrEnum):
    """Award tiers (等次) above the pass mark."""

    PASS = "达标"  # noqa: S105 — a tier name, not a password
    ADVANCED = "先进"
    MODEL = "示范"


class Severity(enum.StrEnum):
    """Default severity of an inspection problem (问题等级)."""

    SIMPLE = "简易"
    ORDINARY = "一般"
    SERIOUS = "突出"
    MAJOR = "重大"


class ElementType(enum.StrEnum):
    INTEGER = "integer"
    DECIMAL = "decimal"
    PERCENT = "percent"
    BOOLEAN = "boolean"
    TEXT = "text"
    DATE = "date"

    @property
    def value_type(self) -> expressions.ValueType:
        """The expression type; the checker refuses text and date in a formula."""
        if self is ElementType.BOOLEAN:
            return expressions.ValueType.BOOLEAN
        if self is ElementType.TEXT:
            return expressions.ValueType.TEXT
        if self is ElementType.DATE:
            return expressions.ValueType.DATE
        return expressions.ValueType.NUMBER


# TimeAgg and TreeAgg (what each rule means, missing values included) live in the engine.
# ---------------------------------------------------------------- small types

Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64)]
PlanName = Annotated[str, StringConstraints(pattern=r"^篇\d+$")]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


@dataclass(frozen=True)
class Expression:
    """An indicator, class or validation formula: its text and its parsed tree."""

    text: str
    tree: expressions.Expr

    def __str__(self) -> str:
        return self.text

    def names(self) -> frozenset[str]:
        return frozenset(expressions.names_used(self.tree))

    def indicators(self) -> frozenset[str]:
        """Indicator codes named in share_of_children(...)."""
        return frozenset(expressions.indicators_used(self.tree))


def _parse_expression(value: Any) -> Expression:
    if isinstance(value, Expression):
        return value
    if not isinstance(value, str) or not value.strip():
        raise PydanticCustomError("expression_type", "表达式应为一行文字")
    try:
        tree = expressions.parse(value)
    except expressions.ExpressionError as error:
        raise PydanticCustomError(
            "expression_syntax", "表达式{message}", {"message": error.message}
        ) from error
    return Expression(text=value.strip(), tree=tree)


ExpressionField = Annotated[
    Any,
    PlainValidator(_parse_expression),
    PlainSerializer(lambda expression: expression.text, return_type=str),
]


# ---------------------------------------------------------------- targets

# Every engine target shape (Compare, Range, ZeroForYears, ChangeFromPrevious,
# ByCategory, ByYear, ByClass, AtLeastPerPeriod, IsTrue) derives from this.
Target: TypeAlias = targets.Target

_COMPARE = re.compile(r"^\s*(>=|<=|==|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")
_BETWEEN = re.compile(r"^\s*between\s+(-?\d+(?:\.\d+)?)\s+and\s+(-?\d+(?:\.\d+)?)\s*$")
_TARGET_FORMS = (
    '目标的写法：">= 90"、"<= 0"、"== 100"、"between 80 and 100"、is_true，'
    "或 zero_for_years / change_from_previous / by_category / by_year / by_class / at_least"
)


def _number(text: str) -> int | float:
    number = float(text)
    return int(number) if number.is_integer() else number


def _target_error(message: str) -> PydanticCustomError:
    return PydanticCustomError("target", message)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def parse_target(value: Any, class_keys: Mapping[str, str] | None = None) -> Target:
    """Turn a YAML target (string or mapping) into an engine target.

    `class_keys` maps every class code and name of the standard to its name:
    ``by_class`` may be written with either, and the engine object is keyed
    by the class name (保无毒), which is what its explanations print and what
    `TargetContext.unit_class` must hold.
    """
    if isinstance(value, str):
        if value.strip() == "is_true":
            return targets.IsTrue()
        if match := _COMPARE.match(value):
            return targets.Compare(match.group(1), _number(match.group(2)))
        if match := _BETWEEN.match(value):
            low, high = _number(match.group(1)), _number(match.group(2))
            if low > high:
                raise _target_error(f"目标区间的下限 {low} 大于上限 {high}")
            return targets.Range(low, high)
        raise _target_error(f"看不懂目标「{value}」。{_TARGET_FORMS}")
    if not isinstance(value, Mapping):
        raise _target_error(f"目标应为文字或映射，实际为「{value}」。{_TARGET_FORMS}")

    keys = set(value)
    if keys == {"zero_for_years"}:
        years = value["zero_for_years"]
        if not isinstance(years, int) or isinstance(years, bool) or years < 1:
            raise _target_error("zero_for_years 应为不小于 1 的整数（连续几年为零）")
        return targets.ZeroForYears(years)
    if "change_from_previous" in keys:
        return _parse_change(value)
    if keys in ({"at_least", "per"}, {"at_least", "per", "share"}):
        count, per = value["at_least"], value["per"]
        share = value.get("share", 100)
        if not _is_number(share) or not 0 < share <= 100:
            raise _target_error("share 应为 0 到 100 之间的百分数（多少比例的期数须做到）")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise _target_error("at_least 应为不小于 1 的整数（每期至少几次）")
        try:
            period = PeriodType(per)
        except ValueError:
            raise _target_error(
                f"per 应为 day、week、month、quarter、year 之一，实际为「{per}」"
            ) from None
        if share != 100 and period is PeriodType.YEAR:
            raise _target_error("share 只用于按天、周、月、季度判断的目标")
        return targets.AtLeastPerPeriod(count, period, share)
    for form in ("by_category", "by_year", "by_class"):
        if form in keys:
            extra = keys - {form, "default"}
            if extra:
                raise _target_error(f"{form} 目标中有未知字段「{sorted(extra, key=str)[0]}」")
            return _parse_cases(form, value[form], value.get("default"), class_keys)
    unknown = sorted(keys, key=str)[0] if keys else ""
    raise _target_error(f"看不懂目标中的字段「{unknown}」。{_TARGET_FORMS}")


def _parse_change(value: Mapping[str, Any]) -> targets.ChangeFromPrevious:
    extra = set(value) - {"change_from_previous", "decrease", "strict"}
    if extra:
        raise _target_error(f"change_from_previous 目标中有未知字段「{sorted(extra, key=str)[0]}」")
    percent = value["change_from_previous"]
    if not _is_number(percent):
        raise _target_error("change_from_previous 应为百分数，如 -20 表示比上年下降20%")
    if percent < -100:
        raise _target_error("目标超出范围：比上年下降不能超过 100%")
    decrease, strict = value.get("decrease"), value.get("strict", False)
    if decrease is not None and not isinstance(decrease, bool):
        raise _target_error("decrease 应为 true 或 false")
    if not isinstance(strict, bool):
        raise _target_error("strict 应为 true 或 false")
    try:
        return targets.ChangeFromPrevious(percent, decrease=decrease, strict=strict)
    except ValueError as error:
        raise _target_error(str(error)) from None


def _parse_cases(
    form: str, cases: Any, default: Any, class_keys: Mapping[str, str] | None
) -> Target:
    if not isinstance(cases, Mapping) or not cases:
        raise _target_error(f"{form} 应为非空映射，如 {{城镇: \">= 100\", 农村: \">= 80\"}}")
    parsed: dict[Any, Target] = {}
    for key, case in cases.items():
        if form == "by_category":
            try:
                key = Category(key)
            except ValueError:
                raise _target_error(f"by_category 的类别应为 城镇 或 农村，实际为「{key}」") from None
        elif form == "by_year":
            if not isinstance(key, int) or isinstance(key, bool):
                raise _target_error(f"by_year 的键应为年份，实际为「{key}」")
        elif class_keys is not None:
            if key not in class_keys:
                raise _target_error(f"by_class 中的类别「{key}」没有在 classes 中定义")
            key = class_keys[key]
        parsed[key] = parse_target(case, class_keys)
    parsed_default = None if default is None else parse_target(default, class_keys)
    if form == "by_category":
        return targets.ByCategory(parsed, parsed_default)
    if form == "by_year":
        return targets.ByYear(parsed, parsed_default)
    return targets.ByClass(parsed, parsed_default)


def _validate_target(value: Any, info: ValidationInfo) -> Target:
    context = info.context or {}
    return parse_target(value, context.get("class_keys"))


TargetField = Annotated[
    Target,
    PlainValidator(_validate_target),
    PlainSerializer(lambda target: target.describe_zh(), return_type=str),
]


def target_thresholds(target: Target) -> Iterator[int | float]:
    """Every absolute number a target compares against (not relative changes)."""
    if isinstance(target, targets.Compare):
        yield target.value
    elif isinstance(target, targets.Range):
        yield target.low
        yield target.high
    elif isinstance(target, targets.ByCategory | targets.ByYear | targets.ByClass):
        for case in target.cases.values():
            yield from target_thresholds(case)
        if target.default is not None:
            yield from target_thresholds(target.default)


def _clock_time(value: Any) -> datetime.time:
    # YAML 1.1 reads an unquoted 16:00 as the base-60 number 960; refuse it
    # rather than guess, since a silent 00:16 deadline would be far worse.
    if isinstance(value, datetime.time):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
        raise PydanticCustomError("clock_time", '时间应写成带引号的 "HH:MM"，如 "16:00"')
    hour, minute = (int(part) for part in value.strip().split(":"))
    if hour > 23 or minute > 59:
        raise PydanticCustomError("clock_time", f"时间「{value}」不存在")
    return datetime.time(hour, minute)


ClockTime = Annotated[
    datetime.time,
    BeforeValidator(_clock_time),
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str),
]


# ---------------------------------------------------------------- models


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, arbitrary_types_allowed=True, populate_by_name=True
    )


class Years(_Model):
    """The years a standard is in force; `to` empty means open-ended."""

    start: int = Field(alias="from", ge=2000, le=2100)
    to: int | None = Field(default=None, ge=2000, le=2100)

    def covers(self, year: int) -> bool:
        return self.start <= year and (self.to is None or year <= self.to)


class AppliesTo(_Model):
    levels: tuple[Level, ...] = Field(min_length=1)
    categories: tuple[Category, ...] = (Category.URBAN, Category.RURAL)


class TierMark(_Model):
    """A tier and the minimum total score that earns it."""

    name: Tier
    min: float = Field(ge=0)


class UnitClass(_Model):
    """A class of units decided by a rule over data (保无毒 / 创无毒).

    Classes are re-evaluated every `Standard.class_period`, so a unit moves up
    or down as its situation changes (动态升降).
    """

    code: Code
    name: Text
    rule: ExpressionField
    order: int
    description: str = ""


class Deadline(_Model):
    """Due at Shanghai clock `time`, `day_offset` days after the period's last day."""

    day_offset: int = Field(default=0, ge=0, le=366)
    time: ClockTime = datetime.time(23, 59)


class Dataset(_Model):
    """A reporting schedule (上报): which elements, how often, by when."""

    TIMEZONE: ClassVar[str] = TIMEZONE

    code: Code
    name: Text
    period: PeriodType
    deadline: Deadline = Deadline()
    lock_after_deadline: bool = False
    levels: tuple[Level, ...] = ()
    elements: tuple[Code, ...] = Field(min_length=1)
    description: str = ""


class Validation(_Model):
    """A rule across elements that every submission must satisfy."""

    code: Code
    expression: ExpressionField
    message: Text


class Element(_Model):
    """A data element (数据元素), defined once for every standard (一数一源)."""

    code: Code
    name: Text
    type: ElementType
    unit: str = ""
    period: PeriodType
    time_agg: TimeAgg
    tree_agg: TreeAgg
    min: float | None = None
    max: float | None = None
    description: str = ""

    @property
    def value_type(self) -> expressions.ValueType:
        return self.type.value_type


class Source(_Model):
    """Where in the plans an indicator comes from, quoted verbatim."""

    plan: PlanName
    quote: Text


class Score(_Model):
    """How many points an indicator is worth and how they are earned."""

    rule: ScoreRule
    max: float = Field(ge=0)
    per: float | None = Field(default=None, gt=0)
    cap: float | None = Field(default=None, ge=0)

    def to_engine(
        self,
    ) -> scoring.AllOrNothing | scoring.Proportional | scoring.DeductPerOccurrence | scoring.Reviewer:
        if self.rule is ScoreRule.ALL_OR_NOTHING:
            return scoring.AllOrNothing(self.max)
        if self.rule is ScoreRule.PROPORTIONAL:
            return scoring.Proportional(self.max)
        if self.rule is ScoreRule.DEDUCTION:
            if self.per is None:
                raise ValueError("扣分规则必须写 per（每次扣几分）")
            return scoring.DeductPerOccurrence(self.max, self.per, self.cap)
        return scoring.Reviewer(self.max)


class Indicator(_Model):
    """A 测评标准: one measurable requirement with its target and points."""

    code: Code
    name: Text
    method: Method
    expression: ExpressionField | None = None
    unit: str = ""
    target: TargetField | None = None
    score: Score
    missing: Missing = Missing.ZERO
    veto: bool = False
    bonus: bool = False
    evidence: tuple[Text, ...] = ()
    source: Source
    level: Level | None = None
    description: str = ""
    # A ratio may pass 100% only when the plan means it (完成上级下达的指标); every
    # other ratio's numerator ≤ denominator must be a validation rule (loader).
    over_100: bool = False


class Content(_Model):
    """A 测评内容, grouping indicators."""

    code: Code
    name: Text
    indicators: tuple[Indicator, ...] = Field(min_length=1)
    description: str = ""


class Item(_Model):
    """A 测评项目, the top of the hierarchy users know."""

    code: Code
    name: Text
    contents: tuple[Content, ...] = Field(min_length=1)
    description: str = ""

    @property
    def max_score(self) -> float:
        """Points of this item toward the standard's total (no bonus, no other level)."""
        return sum(
            indicator.score.max
            for content in self.contents
            for indicator in content.indicators
            if not indicator.bonus and indicator.level is None
        )


class ProblemCategory(_Model):
    """A kind of problem inspectors record (六乱 → 乱停乱放 …)."""

    code: Code
    name: Text
    severity: Severity = Severity.ORDINARY
    deadline_days: int = Field(ge=0)
    description: str = ""
    children: tuple[ProblemCategory, ...] = ()

    def walk(self) -> Iterator[ProblemCategory]:
        yield self
        for child in self.children:
            yield from child.walk()


class Standard(_Model):
    """One campaign's standard (评价标准), as read from its YAML file."""

    code: Slug
    name: Text
    campaign: Text
    version: int = Field(ge=1)
    years: Years
    applies_to: AppliesTo
    plans: tuple[PlanName, ...] = Field(min_length=1)
    description: str = ""
    total: float = Field(default=100, gt=0)
    pass_mark: float = Field(ge=0)
    tiers: tuple[TierMark, ...] = ()
    bonus_cap: float = Field(default=0, ge=0)
    classes: tuple[UnitClass, ...] = ()
    class_period: PeriodType = PeriodType.YEAR
    datasets: tuple[Dataset, ...] = ()
    validations: tuple[Validation, ...] = ()
    elements: tuple[Element, ...] = ()
    items: tuple[Item, ...] = Field(min_length=1)
    problem_categories: tuple[ProblemCategory, ...] = ()

    @property
    def key(self) -> tuple[str, int]:
        return (self.code, self.version)

    def all_indicators(self) -> list[Indicator]:
        return [
            indicator
            for item in self.items
            for content in item.contents
            for indicator in content.indicators
        ]

    def indicator(self, code: str) -> Indicator:
        for indicator in self.all_indicators():
            if indicator.code == code:
                return indicator
        raise KeyError(code)

    def all_problem_categories(self) -> list[ProblemCategory]:
        return [node for category in self.problem_categories for node in category.walk()]

    def tier_for(self, score: float) -> Tier | None:
        """The highest tier a total score reaches, None below the pass mark."""
        if score < self.pass_mark:
            return None
        reached = [tier for tier in self.tiers if score >= tier.min]
        return max(reached, key=lambda tier: tier.min).name if reached else Tier.PASS


class ElementLibrary(_Model):
    """A file of the data element library: only `elements` (and a description)."""

    description: str = ""
    elements: tuple[Element, ...] = Field(min_length=1)


# ---------------------------------------------------------------- plan vs office (本地设定)


class PartOrigin(_Model):
    """Who decided one part of a standard: the plan (quoted) or the platform (a default)."""

    by: Literal["plan", "default"]
    plan: PlanName | None = None
    quote: str = ""
    note: Text


class Origins(_Model):
    """Beside each built-in standard (``builtin/origins/<code>.yaml``): which of the parts an
    office may set are the plan's words and which are our defaults. The plans set the
    indicators and their targets (each quoted on the indicator); they never set a pass mark,
    tiers or weights, and never say 否决, so those are defaults an overlay may change."""

    standard: Slug
    pass_mark: PartOrigin
    tiers: PartOrigin
    bonus_cap: PartOrigin
    weights: PartOrigin
    veto: PartOrigin

    def part(self, name: str) -> PartOrigin:
        found: PartOrigin = getattr(self, name)
        return found


OVERRIDABLE = ("pass_mark", "tiers", "bonus_cap", "weights", "veto")


class IndicatorOverride(_Model):
    """An office's weight (分值) or veto flag for one indicator."""

    max: float | None = Field(default=None, gt=0, le=1000)
    veto: bool | None = None


class Overlay(_Model):
    """An office's settings for a standard (本地设定), on top of the built-in file.

    Only the defaults may change (pass mark, tiers, bonus cap, weights, veto items); the
    plan's parts (indicators, targets, quotes) stay as the plan says. Versioned like a
    standard: the same ``version`` with other content is refused.
    """

    overlay: Slug                      # the standard's code
    standard_version: int = Field(ge=1)
    version: int = Field(ge=1, le=999)
    name: Text
    office: Text
    reason: Text
    pass_mark: float | None = Field(default=None, ge=0)
    tiers: tuple[TierMark, ...] | None = None
    bonus_cap: float | None = Field(default=None, ge=0)
    indicators: dict[Code, IndicatorOverride] = Field(default_factory=dict, max_length=500)

    def parts(self) -> list[str]:
        """The defaults this overlay changes."""
        found = [name for name in ("pass_mark", "tiers", "bonus_cap")
                 if getattr(self, name) is not None]
        if any(o.max is not None for o in self.indicators.values()):
            found.append("weights")
        if any(o.veto is not None for o in self.indicators.values()):
            found.append("veto")
        return found
