"""The demo's plans and tasks (演示计划与任务): every community's and village's plan of the
year, with a target per indicator decomposed into tasks owned by its people — most done
and verified, some waiting for verification, some overdue and escalated, the rest under
way; each street's plan; a street-wide 六乱整治 split down to the 管区 and communities; a
month of weekly 例会 in 幸福里社区 whose decisions became tasks; and every persona's digest.

Built through the real actions at simulated times; a plan already there is skipped, so
running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chuangjian.engine.periods import SHANGHAI
from chuangjian.lib import workdays
from chuangjian.org.levels import Kind, Level
from chuangjian.org.models import Membership, Role, Unit, User
from chuangjian.org.scope import Scope
from chuangjian.tasks import actions
from chuangjian.tasks.models import GroupRole, Meeting, MeetingKind, Plan, Task

SYSTEM = Scope.system()
# The community standards tried in turn (the first that applies); streets take 无毒 (county).
COMMUNITY_STANDARDS = ("wenming_shequ", "wudu_zhen")
STREET_STANDARD = "wudu_xian"
# 幸福里社区 also keeps the 文明单位 plan, whose decomposition the standard scores.
CIVILITY_UNIT = "QY-01-A-01"
MEETING_UNIT = "QY-01-A-01"
DECISIONS = [
    ("清理各楼道堆物，网格长逐栋检查", "补齐十一月活动签到表和照片"),
    ("更新小区宣传栏公益广告", "排查小区电动车飞线充电"),
    ("组织志愿者劝导不文明行为", "核对困难家庭走访台账"),
    ("落实门前五包责任书签订", "整理测评指数档案材料"),
    ("迎检前再查一次背街小巷卫生", "通报上周整改完成情况"),
]


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


def _people(unit: Unit) -> tuple[User | None, User | None, User | None]:
    """(第一责任人, 直接责任人, a second worker): the nearest leader at or above the unit,
    and the unit's own responsible person and worker (or the nearest above)."""
    ids = [unit.pk, *reversed(unit.ancestor_ids())]
    rows = list(Membership.objects.filter(unit_id__in=ids, user__is_active=True)
                .select_related("user", "unit"))
    by_unit: dict[int, list[Membership]] = {}
    for m in rows:
        by_unit.setdefault(m.unit_id, []).append(m)

    def nearest(roles: tuple[str, ...]) -> User | None:
        for uid in ids:
            for m in by_unit.get(uid, []):
                if m.role in roles:
                    return m.user
        return None

    return (nearest((Role.LEADER,)), nearest((Role.RESPONSIBLE, Role.WORKER)),
            nearest((Role.WORKER,)))


def _plan(unit: Unit, codes: tuple[str, ...], year: int, actor: User | None) -> Plan | None:
    for code in codes:
        if Plan.objects.filter(unit=unit, standard_code=code, year=year).exists():
            return None
        try:
            return actions.generate_plan(actor=actor, scope=SYSTEM, unit=unit, standard_code=code,
                                         year=year)
        except ValidationError:
            continue
    return None


def _group(plan: Plan, first: User | None, direct: User | None, worker: User | None) -> None:
    for user, role in ((first, GroupRole.LEADER), (direct, GroupRole.DEPUTY),
                       (worker, GroupRole.OFFICE)):
        if user is not None and not plan.group.filter(user=user).exists():
            actions.set_group_member(actor=None, scope=SYSTEM, plan=plan, user=user, role=role,
                                     duty={GroupRole.LEADER: "全面抓", GroupRole.DEPUTY: "具体抓",
                                           GroupRole.OFFICE: "台账与协调"}[role])


def _work(task: Task, worker: User | None, verifier: User | None, today: dt.date,
          rng: random.Random, now: dt.datetime) -> str:
    """Carry a task to where it stands today: verified, handed in, overdue, under way."""
    due = workdays.local_day(task.deadline)
    doer = task.direct_responsible or worker
    if doer is None:
        return "open"
    scope = Scope.for_user(doer)
    if due < today - dt.timedelta(days=14):
        roll = rng.random()
        if roll < 0.72:
            done_on = _at(due - dt.timedelta(days=rng.randint(1, 6)), 15)
            actions.report_progress(actor=doer, scope=scope, task=task, progress=50,
                                    note="已按要求推进，过半。", now=done_on - dt.timedelta(days=7))
            actions.complete_task(actor=doer, scope=scope, task=task, note="已完成，材料已归档。",
                                  now=done_on)
            if verifier is not None and verifier.pk != doer.pk:
                actions.verify_task(actor=verifier, scope=Scope.for_user(verifier), task=task,
                                    passed=True, now=done_on + dt.timedelta(days=1))
                return "verified"
            return "done"
        if roll < 0.84:
            actions.complete_task(actor=doer, scope=scope, task=task, note="已完成，请核验。",
                                  now=_at(due, 11))
            return "done"
        actions.report_progress(actor=doer, scope=scope, task=task, progress=rng.choice([20, 40, 60]),
                                note="推进中，部分楼栋尚未完成。", now=_at(due - dt.timedelta(days=3)))
        return "overdue"
    if due <= today:
        actions.report_progress(actor=doer, scope=scope, task=task, progress=rng.choice([30, 70]),
                                note="正在落实。", now=min(now, _at(due - dt.timedelta(days=2))))
        return "overdue"
    if task.start <= today:
        actions.report_progress(actor=doer, scope=scope, task=task, progress=rng.choice([10, 30, 50]),
                                note="已启动。", now=min(now, _at(task.start + dt.timedelta(days=3))))
    return "open"


def _decompose(plan: Plan, today: dt.date, rng: random.Random, now: dt.datetime,
               *, everything: bool) -> dict[str, int]:
    first, direct, worker = _people(plan.unit)
    _group(plan, first, direct, worker)
    assigner = first or direct
    counts: dict[str, int] = {}
    items = list(plan.items.order_by("order"))
    for i, item in enumerate(items):
        if not everything and rng.random() < 0.1:
            counts["unassigned"] = counts.get("unassigned", 0) + 1
            continue  # left undecomposed: the plan page shows the gap
        month = 1 + (i * 11) // max(len(items), 1)
        start = dt.date(plan.year, month, 1)
        deadline = dt.date(plan.year, month + 1, 1) + dt.timedelta(days=rng.randint(5, 25))
        owner = direct if (i % 3) or worker is None else worker
        task = actions.create_task(actor=assigner, scope=SYSTEM, unit=plan.unit,
                                   title=item.name[:60], start=start, deadline=deadline, item=item,
                                   first_responsible=first, direct_responsible=owner,
                                   description=item.target_in_force, now=_at(start))
        state = _work(task, worker, assigner, today, rng, now)
        counts[state] = counts.get(state, 0) + 1
    return counts


def _street_split(street: Unit, today: dt.date, now: dt.datetime) -> None:
    """篇10: the street's 六乱整治 split to each 管区, and on to each community."""
    first, direct, _w = _people(street)
    if Task.objects.filter(unit=street, title="六乱整治百日攻坚").exists():
        return
    start = today - dt.timedelta(days=40)
    top = actions.create_task(actor=first, scope=SYSTEM, unit=street, title="六乱整治百日攻坚",
                              description="乱停乱放、乱搭乱建、乱涂乱画、乱堆乱占、乱扯乱挂、乱摆摊点",
                              start=start, deadline=today + dt.timedelta(days=40),
                              first_responsible=first, direct_responsible=direct, now=_at(start))
    rng = random.Random(street.code)  # noqa: S311 - demo data
    for area in Unit.objects.filter(parent=street, level=Level.AREA, kind=Kind.AREA,
                                    closed_on__isnull=True).order_by("path"):
        a_first, _a_direct, _ = _people(area)
        mid = actions.create_task(actor=first, scope=SYSTEM, unit=area, parent=top,
                                  title=f"{area.name}六乱整治", start=start,
                                  deadline=today + dt.timedelta(days=30), first_responsible=a_first,
                                  now=_at(start))
        for community in Unit.objects.filter(parent=area, closed_on__isnull=True).order_by("path"):
            c_first, c_direct, _ = _people(community)
            leaf = actions.create_task(actor=a_first, scope=SYSTEM, unit=community, parent=mid,
                                       title=f"{community.name}六乱整治", start=start,
                                       deadline=today + dt.timedelta(days=rng.choice([-3, 10, 20])),
                                       first_responsible=c_first, direct_responsible=c_direct,
                                       now=_at(start))
            if c_direct is not None:
                actions.report_progress(actor=c_direct, scope=SYSTEM, task=leaf,
                                        progress=rng.choice([20, 50, 80]), note="已清理主要路段。",
                                        now=now - dt.timedelta(days=2))


def _meetings(unit: Unit, today: dt.date, now: dt.datetime) -> int:
    """Weekly 例会 over the last month; each meeting's decisions became tasks at once."""
    first, direct, worker = _people(unit)
    if direct is None or Meeting.objects.filter(unit=unit, title__startswith="创建工作周例会").exists():
        return 0
    monday = today - dt.timedelta(days=today.weekday())
    plan = Plan.objects.filter(unit=unit, year=today.year).first()
    made = 0
    for week in range(5, 0, -1):
        day = monday - dt.timedelta(weeks=week)
        meeting = actions.schedule_meeting(
            actor=direct, scope=SYSTEM, unit=unit, kind=MeetingKind.REGULAR,
            title=f"创建工作周例会（{day.month}月{day.day}日）", day=day, place="社区会议室",
            agenda="一、通报上周任务完成情况\n二、对照测评标准查找不足\n三、部署本周重点工作",
            invitees=[u for u in (first, direct, worker) if u is not None], plan=plan)
        decisions = DECISIONS[(5 - week) % len(DECISIONS)]
        actions.hold_meeting(actor=direct, scope=SYSTEM, meeting=meeting,
                             attended=[u for u in (direct, worker) if u is not None],
                             others="各网格长、楼组长代表",
                             minutes="会议通报了上周任务进展，逐项对照测评标准查找不足，布置本周重点。",
                             decisions=list(decisions))
        for n, decision in enumerate(meeting.decision_rows.all()):
            owner = worker if n % 2 == 0 and worker is not None else direct
            task = actions.decision_to_task(actor=direct, scope=SYSTEM, decision=decision,
                                            unit=unit, start=day, working_days=5,
                                            direct_responsible=owner, first_responsible=first,
                                            now=_at(day, 16))
            made += 1
            due = workdays.local_day(task.deadline)
            if due < today - dt.timedelta(days=3) and n % 2 == 1 and owner is not None:
                actions.complete_task(actor=owner, scope=SYSTEM, task=task, note="已落实。",
                                      now=_at(due, 15))
                if first is not None and first.pk != owner.pk:
                    actions.verify_task(actor=first, scope=SYSTEM, task=task, passed=True,
                                        now=_at(due, 17))
    return made


def run(stdout: Any = None, *, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    now = min(timezone.now(), _at(today, 9))
    year = today.year
    totals: dict[str, int] = {}
    plans = 0
    communities = list(Unit.objects.filter(code__startswith="QY-", level=Level.COMMUNITY,
                                           kind=Kind.AREA, closed_on__isnull=True)
                       .order_by("path"))
    streets = list(Unit.objects.filter(code__startswith="QY-", level=Level.STREET,
                                       kind=Kind.AREA, closed_on__isnull=True).order_by("path"))
    for unit in [*communities, *streets]:
        choices = [COMMUNITY_STANDARDS if unit.level == Level.COMMUNITY else (STREET_STANDARD,)]
        if unit.code == CIVILITY_UNIT:
            choices.append(("wenming_danwei",))
        first, _direct, _worker = _people(unit)
        for alternatives in choices:
            with transaction.atomic():
                plan = _plan(unit, alternatives, year, first)
                if plan is None:
                    continue
                plans += 1
                rng = random.Random(f"{unit.code}{plan.standard_code}")  # noqa: S311 - demo data
                for state, n in _decompose(plan, today, rng, now,
                                           everything=unit.code == CIVILITY_UNIT).items():
                    totals[state] = totals.get(state, 0) + n
    made = 0
    with transaction.atomic():
        for street in streets[:1]:
            _street_split(street, today, now)
        meeting_unit = Unit.objects.filter(code=MEETING_UNIT).first()
        if meeting_unit is not None:
            made = _meetings(meeting_unit, today, now)
    escalated = 0
    for days_ago in (1, 0):
        escalated += len(actions.escalate_overdue_tasks(
            scope=SYSTEM, now=now - dt.timedelta(days=days_ago)))
    if stdout is not None:
        stdout.write(f"计划与任务：新建年度计划 {plans} 个；任务 已核验 {totals.get('verified', 0)}、"
                     f"待核验 {totals.get('done', 0)}、逾期 {totals.get('overdue', 0)}、"
                     f"进行中 {totals.get('open', 0)}，未分解目标 {totals.get('unassigned', 0)}；"
                     f"例会决定转任务 {made} 项；督办 {escalated} 次")
        _digests(stdout, now)


def _digests(stdout: Any, now: dt.datetime) -> None:
    """Each persona's digest of today (what `chuangjian notify digest` would send)."""
    from chuangjian.notify.digest import digest_for
    from chuangjian.org.demo import PEOPLE

    users = User.objects.filter(username__in=[p[0] for p in PEOPLE]).order_by("username")
    lines = []
    for user in users:
        digest = digest_for(scope=Scope.for_user(user), user=user, now=now)
        if not digest.empty:
            lines.append(f"{user.display_name} 逾期{len(digest.overdue)}/今天{len(digest.due_today)}")
    stdout.write("每日提醒（chuangjian notify digest --show 用户名 查看全文）：" + "，".join(lines))
