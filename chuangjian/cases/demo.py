"""Demo cases (演示数据) in 幸福里社区 and 南门社区 of 城关街道.

Five people in follow-up: one whose last test was missed (an alert in the inbox of
何静 and of the leader), one with a positive test (a relapse), one certified drug-free
(脱毒认定) after more than three clean years, one transferred to 湖滨社区 of 东湖街道 and
accepted there, one still without a 包帮领导. A few reads leave rows in the access log.
Everything goes through the actions; running it again adds nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TextIO

from django.conf import settings
from django.utils import timezone

from chuangjian.cases import actions
from chuangjian.cases.models import (
    AccessKind,
    Case,
    CaseKind,
    CloseReason,
    Risk,
    TeamRole,
    UrineResult,
    UrineTest,
)
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Scope
from chuangjian.registers.models import Person


def _adults(unit: Unit, n: int, today: dt.date) -> list[Person]:
    born_before = today.replace(year=today.year - 25)
    return list(Person.objects.filter(unit=unit, birth_date__lt=born_before,
                                      moved_out_on__isnull=True).order_by("pk")[:n])


def _follow(case: Case, today: dt.date, *, skip_last: bool = False,
            positive_at: int | None = None, user: User) -> None:
    """Monthly visits and every due test recorded up to today (the last one missed)."""
    system = Scope.system()
    day = case.order_start + dt.timedelta(days=25)
    while day <= today and (case.closed_on is None or day <= case.closed_on):
        actions.record_visit(actor=user, scope=system, case=case, date=day, place="社区帮教室",
                             notes="了解近况，家庭关系稳定，鼓励坚持戒断", today=today)
        day += dt.timedelta(days=case.visit_every_days)
    due = list(UrineTest.objects.filter(case=case, due_on__lte=today).order_by("due_on"))
    for i, test in enumerate(due):
        if skip_last and i == len(due) - 1:
            result = UrineResult.ABSENT
        elif positive_at is not None and i == positive_at:
            result = UrineResult.POSITIVE
        else:
            result = UrineResult.NEGATIVE
        actions.record_test(actor=user, scope=system, test=test, result=result,
                            tested_on=None if result == UrineResult.ABSENT else test.due_on,
                            today=today)


def run(stdout: TextIO | Any = None, *, today: dt.date | None = None) -> None:
    if Case.objects.exists():
        return
    today = today or timezone.localdate()
    units = {u.code: u for u in Unit.objects.filter(code__in=["QY-01-A-01", "QY-01-A-02",
                                                              "QY-02-A-01"])}
    users = {u.username: u for u in User.objects.filter(username__in=[
        "cg_caseworker", "xfl_shuji", "xfl_worker", "nm_worker", "cd_leader", "dh_caseworker",
        "cg_dudao", "qy_jdb"])}
    if len(units) < 3 or len(users) < 8:
        return
    xfl, nm, hb = units["QY-01-A-01"], units["QY-01-A-02"], units["QY-02-A-01"]
    people = _adults(xfl, 3, today) + _adults(nm, 2, today)
    if len(people) < 5:
        return
    system = Scope.system()
    sg = users["cg_caseworker"]

    def open_(person: Person, kind: str, start: dt.date, years: int, leader: User | None,
              risk: str = Risk.MEDIUM, cadre: User | None = None) -> Case:
        team = [actions.MemberIn(role=TeamRole.FAMILY, name=person.name[0] + "家属")]
        if cadre is not None:
            team.append(actions.MemberIn(role=TeamRole.CADRE, user=cadre))
        return actions.open_case(actor=sg, scope=system, person=person, unit=person.unit,
                                 kind=kind, order_start=start,
                                 order_end=start.replace(year=start.year + years),
                                 caseworker=sg, leader=leader, risk=risk, team=team,
                                 today=today)

    # 1 · 幸福里: 社区戒毒 for a year; the last test missed.
    missed = open_(people[0], CaseKind.DETOX, today - dt.timedelta(days=400), 3,
                   users["xfl_shuji"], Risk.HIGH, cadre=users["xfl_worker"])
    _follow(missed, today, skip_last=True, user=sg)
    # 2 · 幸福里: 社区康复 with a positive test half a year ago.
    relapsed = open_(people[1], CaseKind.REHAB, today - dt.timedelta(days=300), 3,
                     users["xfl_shuji"], cadre=users["xfl_worker"])
    _follow(relapsed, today, positive_at=1, user=sg)
    # 3 · 幸福里: 社区康复 without a 包帮领导 yet.
    open_(people[2], CaseKind.REHAB, today - dt.timedelta(days=40), 3, None, Risk.LOW)
    # 4 · 南门: clean for longer than the rules ask, certified drug-free (脱毒认定).
    clean_days = settings.CASES_DETOX_CLEAN_DAYS
    certified = open_(people[3], CaseKind.DETOX, today - dt.timedelta(days=clean_days + 60),
                      4, users["cd_leader"])
    _follow(certified, today - dt.timedelta(days=20), user=sg)
    actions.close_case(actor=sg, scope=system, case=certified,
                       reason=CloseReason.DETOX_CERTIFIED, on=today - dt.timedelta(days=10),
                       note="戒断三年未复吸，经县禁毒办认定", today=today)
    # 5 · 南门 → 湖滨社区 (东湖街道): 人户分离, delegated to the place of residence.
    moved = open_(people[4], CaseKind.DETOX, today - dt.timedelta(days=200), 3,
                  users["cd_leader"])
    _follow(moved, today - dt.timedelta(days=60), user=sg)
    transfer = actions.request_transfer(actor=sg, scope=system, case=moved, to_unit=hb,
                                        reason="人户分离，现居住在湖滨社区", today=today)
    actions.accept_transfer(actor=users["dh_caseworker"], scope=system, transfer=transfer,
                            caseworker=users["dh_caseworker"], today=today)
    # Reads: the 社工 opens and reveals, the leader opens, the supervisor searches.
    for user, case, kind in ((sg, missed, AccessKind.OPEN), (sg, missed, AccessKind.REVEAL),
                             (users["xfl_shuji"], missed, AccessKind.OPEN),
                             (users["cg_dudao"], relapsed, AccessKind.SEARCH),
                             (sg, relapsed, AccessKind.PRINT)):
        actions.record_access(scope=system, user=user, case=case, kind=kind,
                              detail="姓名 " + case.person.name[:1] + "*"
                              if kind == AccessKind.SEARCH and case.person else "")
    if stdout is not None:
        stdout.write(f"演示帮教案件：{Case.objects.count()} 件（含委托管理 1 件、脱毒认定 1 件）")
