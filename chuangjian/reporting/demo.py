"""Demo reports (演示上报数据): a month of daily reports and a year of monthly, quarterly
and annual ones for the demo district, some late, some missing, some reviewed.

Built through the real actions, with a fixed random seed: running it again finds
every report already there and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangjian.audit.log import log_action
from chuangjian.engine import expressions
from chuangjian.engine.periods import SHANGHAI, Period, PeriodType
from chuangjian.org.levels import Kind
from chuangjian.org.models import Membership, Role, Unit, User
from chuangjian.org.scope import Scope
from chuangjian.reporting import actions, rollups
from chuangjian.reporting.datasets import (
    MergedDataset,
    catalog,
    computed_values,
    unit_open_during,
)
from chuangjian.reporting.models import Channel, DataValue, NewsItem, Status, Submission
from chuangjian.reporting.values import parse_value
from chuangjian.standards.models import DataElement, StandardVersion

ENTRY_ROLES = (Role.WORKER, Role.RESPONSIBLE, Role.LEADER, Role.ADMIN)

# Events a demo unit reports as none (0): fires, unplanned births, accidents … A random
# figure there would veto every unit. The stories below are the exceptions.
ZERO_EVENTS = ("unplanned_births", "major_fires", "major_liability_accidents",
               "indigenous_schisto_cases", "failing_criteria_hits", "drug_spread_found")
# (unit code, element, year) → value: the demo's stories, told through the data and read
# back on the explanation pages. 南门社区 reports an unplanned birth in 2026 (一票否决 of
# 文明社区); 锦绣社区 had a major fire in 2024, so 「连续3年无重大火灾事故」 fails in 2026.
STORIES: dict[tuple[str, str, int], float] = {
    ("QY-01-A-02", "unplanned_births", 2026): 1,
    ("QY-01-B-02", "major_fires", 2024): 1,
}
# The years before the standards came into force, imported from the offices' old ledgers.
HISTORY_YEARS = (2022, 2023, 2024, 2025)


@dataclass
class DemoReportResult:
    submitted: int = 0
    skipped: int = 0
    missing: int = 0
    late: int = 0
    news: int = 0
    notes: list[str] = field(default_factory=list)


def _value(rng: random.Random, element: DataElement, base: float) -> Any:
    if element.type == "boolean":
        return "是" if rng.random() < 0.9 else "否"
    if element.type == "text":
        return rng.choice(["按计划推进，无异常", "已完成当日巡查", "重点整治背街小巷", "配合区督查组检查"])
    if element.type == "date":
        return "2026-01-15"
    low = element.min_value if element.min_value is not None else 0
    high = element.max_value
    if element.type == "percent":
        low, high = max(low, 60), min(high if high is not None else 100, 100)
        return round(min(high, max(low, base + rng.gauss(0, 3))), 1)
    value = max(low, base * (1 + rng.gauss(0, 0.15)))
    if high is not None:
        value = min(high, value)
    if element.type == "integer":
        return round(value)
    return round(value, 1)


DRUG_FREE_TOWN = "QY-03"  # 白石镇 in org/demo.py


def _base(unit: Unit, element: DataElement, period_type: PeriodType) -> float:
    rng = random.Random(f"{unit.code}/{element.code}")  # noqa: S311 - demo data, not security
    if element.code == "registered_drug_users":
        # 篇2 sorts towns by the drug users registered at a year's end: none → 保无毒, under
        # 200 → 创无毒. The demo keeps them at that scale, with one town (白石镇) drug-free.
        return 0.0 if unit.code.startswith(DRUG_FREE_TOWN) else rng.uniform(2, 12)
    if element.type == "percent":
        return rng.uniform(82, 97)
    scale = {PeriodType.DAY: 6, PeriodType.WEEK: 20, PeriodType.MONTH: 25,
             PeriodType.QUARTER: 60, PeriodType.YEAR: 200}[period_type]
    if element.time_agg == "last":
        scale *= 8  # stock figures (households, facilities) are larger than flows
    return rng.uniform(0.4, 1.6) * scale


def _pairs(tree: Any) -> list[tuple[str, str]]:
    """(numerator, denominator) of every ``a <= b`` (or ``b >= a``) clause of a rule."""
    if isinstance(tree, expressions.Binary) and tree.op == "and":
        return _pairs(tree.left) + _pairs(tree.right)
    if (isinstance(tree, expressions.Binary) and tree.op in ("<=", "<", ">=", ">")
            and isinstance(tree.left, expressions.Name)
            and isinstance(tree.right, expressions.Name)):
        a, b = tree.left.name, tree.right.name
        return [(a, b)] if tree.op in ("<=", "<") else [(b, a)]
    return []


def _fix_rules(ds: MergedDataset, values: dict[str, Any], rng: random.Random) -> None:
    """Make numerators fit their denominators (every rate's rule), so no rate passes 100%."""
    for _step in range(3):
        for rule in ds.rules:
            for a, b in _pairs(rule.tree):
                if a in values and b in values and values[a] > values[b]:
                    share = rng.uniform(0.8, 1.0)
                    kind = ds.element_by_code[a].type
                    values[a] = int(values[b] * share) if kind == "integer" else round(
                        float(values[b]) * share, 1)


def _values(unit: Unit, ds: MergedDataset, rng: random.Random,
            period: Period | None = None) -> dict[str, Any]:
    values = {e.code: _value(rng, e, _base(unit, e, ds.period_type)) for e in ds.elements}
    for code in ZERO_EVENTS:
        if code in values:
            values[code] = 0
    if period is not None:
        for (unit_code, code, year), value in STORIES.items():
            if unit_code == unit.code and code in values and period.start.year == year:
                values[code] = value
    _fix_rules(ds, values, rng)
    if period is not None and ds.cross_rules:
        _fit_registers(unit, ds, period, values, rng)
    return values


def _fit_registers(unit: Unit, ds: MergedDataset, period: Period, values: dict[str, Any],
                   rng: random.Random) -> None:
    """Make typed figures fit the registers' (参与文化活动的户数 ≤ 名册中的居民户数; 绿地面积
    from the register ≤ 小区用地面积 typed), as the form requires."""
    figures = computed_values(unit, ds, period)
    for rule in ds.cross_rules:
        for a, b in _pairs(rule.tree):
            share = rng.uniform(0.8, 1.0)
            if a in values and figures.get(b) is not None and values[a] > figures[b]:
                kind = ds.element_by_code[a].type
                bound = float(figures[b] or 0) * share
                values[a] = int(bound) if kind == "integer" else round(bound, 1)
            elif b in values and figures.get(a) is not None and figures[a] > values[b]:
                kind = ds.element_by_code[b].type
                bound = float(figures[a] or 0) / rng.uniform(0.25, 0.5)
                values[b] = int(bound) + 1 if kind == "integer" else round(bound + 1, 1)


def _reporter(unit: Unit, people: dict[int, User]) -> User | None:
    for unit_id in [unit.pk, *reversed(unit.ancestor_ids())]:
        if unit_id in people:
            return people[unit_id]
    return None


def _approver(unit: Unit, leaders: dict[int, User]) -> User | None:
    for unit_id in reversed(unit.ancestor_ids()):
        if unit_id in leaders:
            return leaders[unit_id]
    return None


def build_reporting_demo(*, today: dt.date | None = None, days: int = 30,
                         months: int = 12) -> DemoReportResult:
    """Fill the demo district with reports up to ``today`` (Shanghai date)."""
    today = today or timezone.localdate()
    result = DemoReportResult()
    if not StandardVersion.objects.exists():
        from chuangjian.standards import actions as standards_actions
        from chuangjian.standards import loader

        standards_actions.load_standards(actor=None, result=loader.load_builtin(), scope=Scope.system())
        result.notes.append(_("已载入内置标准"))
    units = list(Unit.objects.filter(kind__in=[Kind.AREA, Kind.DEPARTMENT],
                                     closed_on__isnull=True).order_by("path"))
    people: dict[int, User] = {}
    leaders: dict[int, User] = {}
    for m in Membership.objects.select_related("user").order_by("role"):
        if m.role in (Role.WORKER, Role.RESPONSIBLE):
            people.setdefault(m.unit_id, m.user)
        if m.role in (Role.LEADER, Role.ADMIN, Role.RESPONSIBLE):
            leaders.setdefault(m.unit_id, m.user)
    for unit_id, user in leaders.items():
        people.setdefault(unit_id, user)
    existing = set(Submission.objects.exclude(status=Status.DRAFT)
                   .values_list("unit_id", "dataset_code", "period"))
    cat = catalog()
    now = timezone.now()
    plan: list[Period] = []
    day = Period.containing(PeriodType.DAY, today)
    for _step in range(days):
        plan.append(day)
        day = day.previous()
    month = Period.containing(PeriodType.MONTH, today).previous()
    for _step in range(months):
        plan.append(month)
        month = month.previous()
    quarter = Period.containing(PeriodType.QUARTER, today).previous()
    for _step in range(4):
        plan.append(quarter)
        quarter = quarter.previous()
    plan.append(Period.containing(PeriodType.YEAR, today).previous())
    for period in sorted(plan):
        for unit in units:
            ds = next((d for d in cat.for_unit(unit, period.start.year).values()
                       if d.period_type is period.type), None)
            if ds is None or not unit_open_during(unit, period):
                continue
            if (unit.pk, ds.code, str(period)) in existing:
                result.skipped += 1
                continue
            rng = random.Random(f"{unit.code}/{ds.code}/{period}")  # noqa: S311
            _submit_one(unit, ds, period, rng, today=today, now=now, people=people,
                        leaders=leaders, result=result)
    result.news = _news(units, people, leaders, today)
    return result


def _submit_one(unit: Unit, ds: MergedDataset, period: Period, rng: random.Random, *,
                today: dt.date, now: dt.datetime, people: dict[int, User],
                leaders: dict[int, User], result: DemoReportResult) -> None:
    due = ds.deadline_for(period)
    is_today = period.type is PeriodType.DAY and period.start == today
    roll = rng.random()
    if is_today:
        # Today's picture at any hour: about two thirds are in by 15:00.
        at = dt.datetime.combine(today, dt.time(9), tzinfo=SHANGHAI) + dt.timedelta(
            minutes=rng.randint(0, 360))
        if roll < 0.3 or at > now:
            result.missing += 1
            return
    elif roll < 0.07:
        result.missing += 1
        return
    elif roll < 0.19:
        at = due + dt.timedelta(minutes=rng.randint(5, 60 * 30))
    else:
        earliest = max(period.start_instant(), due - dt.timedelta(days=3))
        if period.type is PeriodType.DAY:
            earliest = dt.datetime.combine(period.start, dt.time(9), tzinfo=SHANGHAI)
        span = max(60, int((due - earliest).total_seconds()) - 60)
        at = earliest + dt.timedelta(seconds=rng.randint(0, span))
        # Clerks report in office hours.
        local = at.astimezone(SHANGHAI).replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59))
        if period.start_instant() <= local < due:
            at = local
    at = min(at, now)
    reporter = _reporter(unit, people)
    approver = _approver(unit, leaders)
    try:
        if at >= due and ds.lock_after_deadline:
            # A late report on a locking data set needs the level above's exception (例外).
            actions.grant_exception(actor=approver, unit=unit, dataset_code=ds.code,
                                    period=str(period), until=at + dt.timedelta(hours=2),
                                    reason="网络故障，申请补报", now=at - dt.timedelta(minutes=1), scope=Scope.system())
        outcome = actions.submit_values(actor=reporter, unit=unit, dataset_code=ds.code,
                                        period=str(period),
                                        values=_values(unit, ds, rng, period),
                                        channel=rng.choice([Channel.WEB] * 6 + [Channel.IMPORT,
                                                                                Channel.API]),
                                        now=at, scope=Scope.system())
    except (ValidationError, PermissionError) as error:
        result.notes.append(f"{unit.code} {ds.code} {period}：{'；'.join(getattr(error, 'messages', [str(error)]))}")
        return
    result.submitted += 1
    result.late += outcome.submission.late
    review_at = at + dt.timedelta(hours=rng.randint(1, 30))
    if approver is not None and review_at < now and not is_today:
        decision = rng.random()
        if decision < 0.6:
            actions.review_submission(actor=approver, submission=outcome.submission, accept=True,
                                      now=review_at, scope=Scope.system())
        elif decision < 0.65:
            actions.review_submission(actor=approver, submission=outcome.submission,
                                      accept=False, comment="请核对数据并补充情况说明",
                                      now=review_at, scope=Scope.system())


NEWS = [
    ("news", "幸福里社区开展“门前五包”集中签约活动", "社区组织沿街商户集中签订门前五包责任书，共签约商户 46 家。"),
    ("experience", "南门社区“楼道微治理”经验做法", "以楼组长为骨干，建立“一楼一档”，楼道堆物清理率达到 98%。"),
    ("news", "城西管区开展背街小巷环境整治", "出动志愿者 120 人次，清理卫生死角 35 处，规范非机动车停放 400 余辆。"),
    ("experience", "白石镇“五位一体”帮教工作法", "整合派出所、司法所、社区、家庭和社会组织力量，帮教率达到 96%。"),
    ("news", "东湖街道举办道德讲堂", "邀请身边好人讲述诚信故事，居民 150 余人参加。"),
]


def _news(units: list[Unit], people: dict[int, User], leaders: dict[int, User],
          today: dt.date) -> int:
    if NewsItem.objects.exists():
        return 0
    targets = [u for u in units if u.pk in people and u.level in ("community", "area", "street")]
    created = 0
    for i, (kind, title, body) in enumerate(NEWS):
        if not targets:
            break
        unit = targets[(i * 3) % len(targets)]
        at = dt.datetime.combine(today - dt.timedelta(days=3 + i * 4), dt.time(10),
                                 tzinfo=SHANGHAI)
        item = actions.submit_news(actor=people[unit.pk], unit=unit, kind=kind, title=title,
                                   body=body, now=at, scope=Scope.system())
        created += 1
        approver = _approver(unit, leaders)
        if approver is not None and i % 3 != 2:
            actions.decide_news(actor=approver, item=item, adopt=i % 3 == 0,
                                comment="内容翔实，予以采用" if i % 3 == 0 else "", now=at
                                + dt.timedelta(days=1), scope=Scope.system())
    return created


def demo_value(value: Decimal | None) -> str:  # pragma: no cover - helper for shells
    return "" if value is None else str(value)


@dataclass
class HistoryResult:
    submissions: int = 0
    values: int = 0
    rollups: int = 0


@transaction.atomic
def build_history(*, years: tuple[int, ...] = HISTORY_YEARS) -> HistoryResult:
    """The annual and quarterly reports of ``years``, as an office imports them from its old
    ledgers (历史数据导入) when it starts: accepted, on the forms of the first year the
    standards are in force, bulk-created with their rollups.

    They let every 比上年 / 逐年 / 连续3年 target compute. Repeatable: a report already there
    (the reports demo files the year before today) is kept and nothing is added twice.
    """
    result = HistoryResult()
    first = StandardVersion.objects.aggregate(first=Min("year_from"))["first"]
    if first is None:
        return result
    cat = catalog()
    units = list(Unit.objects.filter(kind__in=[Kind.AREA, Kind.DEPARTMENT]).order_by("path"))
    people: dict[int, User] = {}
    leaders: dict[int, User] = {}
    for m in Membership.objects.select_related("user").order_by("role"):
        if m.role in (Role.WORKER, Role.RESPONSIBLE):
            people.setdefault(m.unit_id, m.user)
        if m.role in (Role.LEADER, Role.ADMIN, Role.RESPONSIBLE):
            leaders.setdefault(m.unit_id, m.user)
    periods = [p for y in years for p in (Period.year(y), *Period.year(y).subperiods(
        PeriodType.QUARTER))]
    existing = set(Submission.objects.filter(period__in=[str(p) for p in periods])
                   .values_list("unit_id", "dataset_code", "period"))
    subs: list[Submission] = []
    pending: list[tuple[Submission, MergedDataset, Period, dt.datetime, dict[str, Any]]] = []
    for unit in units:
        forms = [d for d in cat.for_unit(unit, max(first, max(years) + 1)).values()
                 if d.period_type in (PeriodType.YEAR, PeriodType.QUARTER)]
        for ds in forms:
            for period in periods:
                if (period.type is not ds.period_type or not unit_open_during(unit, period)
                        or (unit.pk, ds.code, str(period)) in existing):
                    continue
                rng = random.Random(f"history/{unit.code}/{ds.code}/{period}")  # noqa: S311
                due = ds.deadline_for(period)
                at = due - dt.timedelta(days=2, hours=rng.randint(0, 48))
                sub = Submission(
                    unit=unit, dataset_code=ds.code, period=str(period),
                    period_type=period.type.value, version=1, status=Status.ACCEPTED,
                    channel=Channel.IMPORT, due_at=due, first_submitted_at=at,
                    submitted_at=at, submitted_by=_reporter(unit, people), late=False,
                    reviewed_at=at + dt.timedelta(days=1), reviewed_by=_approver(unit, leaders),
                    comment="历史数据，由旧台账导入")
                subs.append(sub)
                pending.append((sub, ds, period, at, _values(unit, ds, rng, period)))
    if not subs:
        return result
    Submission.objects.bulk_create(subs, batch_size=500)
    rows: list[DataValue] = []
    for sub, ds, period, at, values in pending:
        for code, raw in values.items():
            parsed = parse_value(ds.element_by_code[code], raw)
            rows.append(DataValue(unit_id=sub.unit_id, element=ds.element_by_code[code],
                                  period=str(period), period_type=period.type.value,
                                  period_start=period.start, number=parsed.number,
                                  text=parsed.text, submission=sub, updated_at=at,
                                  updated_by=sub.submitted_by))
    DataValue.objects.bulk_create(rows, batch_size=1000)
    touched = {row.element.pk for row in rows}
    result.submissions, result.values = len(subs), len(rows)
    result.rollups = rollups.rebuild(element_ids=touched)
    log_action(action="reporting.demo.history_imported", actor=None,
               data={"years": list(years), "submissions": len(subs), "values": len(rows)})
    return result
