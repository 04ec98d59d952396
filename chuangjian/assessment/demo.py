"""Demo assessment (演示考核): 自查 and 考核 of every built-in standard for the demo district.

Runs after the reports demo. The year's 年报 (annual self-check report) is filled in
through the real reporting action for units that have not sent it, one community
reports an unplanned birth (一票否决 in 文明社区), reviewers score the 材料审核 and
实地考察 items with comments, then each standard in force is assessed. Repeatable:
existing reports, scores and current runs are kept.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, TextIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chuangjian.assessment import actions
from chuangjian.assessment.compute import open_during_year, sheet_of
from chuangjian.assessment.freshness import refresh_stale
from chuangjian.assessment.models import AssessmentRun, Kind, ReviewerScore, RunStatus
from chuangjian.assessment.spec import spec_for
from chuangjian.audit.log import log_action
from chuangjian.engine.periods import Period
from chuangjian.org.models import Membership, Role, Unit, User
from chuangjian.org.scope import Scope
from chuangjian.reporting import actions as reporting_actions
from chuangjian.reporting.datasets import catalog
from chuangjian.reporting.demo import _values
from chuangjian.reporting.models import Status, Submission
from chuangjian.standards.models import StandardVersion

COMMENTS = [
    "会议纪要不全，缺少第三季度记录",
    "台账资料归档不规范，部分活动无照片",
    "现场查看发现宣传栏内容未及时更新",
    "制度已建立，但落实记录偏少",
    "佐证材料中缺少责任分解表",
    "实地抽查两处，一处整改不到位",
]


def _annual_reports(year: int, today: dt.date, stdout: TextIO) -> int:
    """File the year's 年报 for units that have not, with zero events except the stories."""
    period = Period.year(year)
    cat = catalog()
    done = set(Submission.objects.filter(period=str(period))
               .exclude(status=Status.DRAFT).values_list("unit_id", "dataset_code"))
    people: dict[int, User] = {}
    for m in Membership.objects.select_related("user").order_by("role"):
        if m.role in (Role.WORKER, Role.RESPONSIBLE, Role.LEADER, Role.ADMIN):
            people.setdefault(m.unit_id, m.user)
    filed = 0
    now = min(timezone.now(), dt.datetime.combine(today, dt.time(10), tzinfo=dt.UTC))
    for unit in Unit.objects.filter(closed_on__isnull=True).order_by("path"):
        ds = next((d for d in cat.for_unit(unit, year).values() if d.period_type == "year"), None)
        if ds is None or (unit.pk, ds.code) in done:
            continue
        rng = random.Random(f"assessment-demo/{unit.code}/{ds.code}/{year}")  # noqa: S311
        # Zero events except the stories (南门社区's unplanned birth: 一票否决).
        values: dict[str, Any] = _values(unit, ds, rng, period)
        reporter = next((people[i] for i in [unit.pk, *reversed(unit.ancestor_ids())]
                         if i in people), None)
        for attempt in range(2):
            try:
                reporting_actions.submit_values(actor=reporter, unit=unit, dataset_code=ds.code,
                                                period=str(period), values=values, now=now, scope=Scope.system())
            except reporting_actions.ReportInvalid as error:
                if attempt:
                    stdout.write(f"  {unit.name} {ds.name}：{'；'.join(error.messages)}\n")
                    break
                # A random figure broke a rule (e.g. at most 9 domains): take the bound.
                for code in error.fields:
                    element = ds.element_by_code.get(code)
                    bound = element.max_value if element is not None else None
                    values[code] = int(bound) if bound is not None else rng.randint(3, 8)
            except ValidationError as error:
                stdout.write(f"  {unit.name} {ds.name}：{'；'.join(error.messages)}\n")
                break
            else:
                filed += 1
                break
    return filed


def _reviewer_scores(version: StandardVersion, year: int, units: list[Unit]) -> int:
    """Scores for every reviewer item: 自查 a little kinder than 考核, comments below full marks."""
    spec = spec_for(version)
    have = set(ReviewerScore.objects.filter(standard_code=version.code, year=year)
               .values_list("kind", "unit_id", "indicator_code"))
    leaders = {m.unit_id: m.user for m in Membership.objects.select_related("user")
               .filter(role__in=[Role.LEADER, Role.ADMIN]).order_by("role")}
    rows = []
    now = timezone.now()
    for unit in units:
        sheet = sheet_of(spec, unit)
        if sheet is None:
            continue
        from chuangjian.assessment.compute import indicators_for

        for ind in indicators_for(spec, unit, sheet):
            if not ind.is_reviewer:
                continue
            for kind, low in ((Kind.SELF, 0.8), (Kind.REVIEW, 0.65)):
                if (kind.value, unit.pk, ind.code) in have:
                    continue
                rng = random.Random(f"{version.code}/{year}/{unit.code}/{ind.code}/{kind}")  # noqa: S311
                score = round(ind.max_score * rng.uniform(low, 1.0) * 2) / 2
                score = min(score, ind.max_score)
                comment = "" if score >= ind.max_score else rng.choice(COMMENTS)
                evidence = [{"label": label, "url": ""} for label in ind.evidence[:2]]
                scorer = next((leaders[i] for i in reversed(unit.ancestor_ids()) if i in leaders),
                              None) if kind == Kind.REVIEW else leaders.get(unit.pk)
                rows.append(ReviewerScore(standard_code=version.code, year=year, kind=kind,
                                          unit=unit, indicator_code=ind.code, score=score,
                                          comment=comment, evidence=evidence, scored_by=scorer,
                                          scored_at=now))
    with transaction.atomic():
        ReviewerScore.objects.bulk_create(rows, ignore_conflicts=True)
        if rows:
            log_action(action="assessment.demo.scored", actor=None,
                       data={"standard": version.code, "year": year, "reviewer_scores": len(rows)})
    return len(rows)


def _unit_classes(version: StandardVersion, year: int, root: Unit) -> int:
    """Give every unit its class for the year (保无毒 / 创无毒 …) the way an office would:
    the 动态升降 step suggests it from the previous year's figures (or this year's, when
    the demo holds no earlier year), and the demo confirms every suggestion."""
    from chuangjian.assessment.classes import class_values
    from chuangjian.standards import actions as standards_actions
    from chuangjian.standards.models import UnitClassAssignment

    if not version.unit_classes.exists() or UnitClassAssignment.objects.filter(
            standard_code=version.code, period=str(year), unit_class__isnull=False).exists():
        return 0
    scope = Scope.system()
    values: dict[int, dict[str, float | None]] = {}
    based_on = year
    for based_on in (year - 1, year):
        values = class_values(scope=scope, standard_code=version.code, year=based_on, unit=root)
        if any(v is not None for row in values.values() for v in row.values()):
            break
    if not values:
        return 0
    standards_actions.propose_unit_classes(actor=None, scope=scope, standard=version,
                                           period=str(year), values=values,
                                           based_on=str(based_on))
    return standards_actions.confirm_unit_classes(actor=None, scope=scope,
                                                  standard_code=version.code, period=str(year))


def run(stdout: TextIO, *, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    year = today.year
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None or not StandardVersion.objects.exists():
        stdout.write("演示考核：没有组织树或标准，跳过\n")
        return
    filed = _annual_reports(year, today, stdout)
    units = [u for u in Unit.objects.filter(path__startswith=root.path) if open_during_year(u, year)]
    scored = 0
    made = 0
    classed = 0
    for version in StandardVersion.objects.order_by("code", "-version", "-overlay_version"):
        if not (version.year_from <= year and (version.year_to is None or year <= version.year_to)):
            continue
        if actions.standard_version(version.code, year).pk != version.pk:
            continue
        scored += _reviewer_scores(version, year, units)
        classed += _unit_classes(version, year, root)
        for kind in (Kind.SELF, Kind.REVIEW):
            exists = AssessmentRun.objects.filter(standard_code=version.code, year=year,
                                                  kind=kind, root=root, current=True,
                                                  status=RunStatus.DONE).exists()
            if exists:
                continue
            actions.start_run(actor=None, standard_code=version.code, year=year, kind=kind,
                              unit=root, today=today, scope=Scope.system())
            made += 1
    spot = AssessmentRun.objects.filter(standard_code="wenming_shequ", year=year, kind=Kind.SPOT,
                                        current=True).exists()
    if not spot and StandardVersion.objects.filter(code="wenming_shequ").exists():
        actions.start_run(actor=None, standard_code="wenming_shequ", year=year, kind=Kind.SPOT,
                          unit=root, today=today, scope=Scope.system())
        made += 1
    # What the demo's writers marked stale is brought up to date here, as the queue
    # worker would after commit, so the demo's pages show fresh results at once.
    refreshed = refresh_stale(scope=Scope.system())
    stdout.write(f"演示考核：补报 {year} 年报 {filed} 份，评审打分 {scored} 项，"
                 f"确认单位类别 {classed} 个，新算考核批次 {made} 个，"
                 f"更新考核结果 {refreshed.rows} 行\n")
