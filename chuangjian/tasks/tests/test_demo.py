"""The demo's plans and tasks: the done-when of issue 17 on the demo district."""

from __future__ import annotations

import datetime as dt

from chuangjian.engine.periods import SHANGHAI, Period
from chuangjian.notify.digest import digest_for
from chuangjian.org.demo import build_demo
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Scope
from chuangjian.sources import source_for
from chuangjian.tasks import demo, selectors
from chuangjian.tasks.models import Meeting, Plan, Task, TaskEscalation, TaskState

TODAY = dt.date(2026, 12, 2)


def test_the_demo_district_meets_the_done_when_of_issue_17(standards: object) -> None:
    """Built once (it is the slow part): plans, tasks, meetings, the indicator, digests."""
    build_demo()
    demo.run(today=TODAY)
    tasks = Task.objects.count()
    demo.run(today=TODAY)  # a second run changes nothing
    assert Task.objects.count() == tasks
    _plans_and_people()
    _meetings()
    _indicator()
    _digest()


def _plans_and_people() -> None:
    xfl = Unit.objects.get(code="QY-01-A-01")
    plan = Plan.objects.get(unit=xfl, standard_code="wenming_shequ", year=2026)
    leader = User.objects.get(username="cg_leader")
    view = selectors.plan_view(scope=Scope.for_user(leader), plan=plan,
                               now=dt.datetime(2026, 12, 2, 9, tzinfo=SHANGHAI))
    assert all(row.responsible for row in view.rows)  # every target has a person
    assert view.overdue > 0
    states = set(Task.objects.filter(plan__unit=xfl).values_list("state", flat=True))
    assert {TaskState.VERIFIED, TaskState.OPEN} <= states
    assert TaskEscalation.objects.filter(task__unit=xfl).exists()
    for unit in Unit.objects.filter(code__startswith="QY-", level__in=["community", "street"],
                                    kind="area", closed_on__isnull=True):
        assert Plan.objects.filter(unit=unit, year=2026).exists(), unit.name
    assert Plan.objects.count() == Plan.objects.values("unit", "standard_code").distinct().count()


def _meetings() -> None:
    meetings = Meeting.objects.filter(unit__code="QY-01-A-01", activity__isnull=False)
    assert meetings.count() == 5
    assert Task.objects.filter(decision__meeting__in=meetings).count() == 10


def _indicator() -> None:
    xfl = Unit.objects.get(code="QY-01-A-01")
    source = source_for("plan_tasks_assigned")
    assert source is not None
    year = Period.parse("2026")
    total = source.values("plan_tasks_total", year, [xfl.pk])[xfl.pk]
    assigned = source.values("plan_tasks_assigned", year, [xfl.pk])[xfl.pk]
    assert total > 0 and 0 < assigned <= total


def _digest() -> None:
    worker = User.objects.get(username="xfl_worker")
    digest = digest_for(scope=Scope.for_user(worker), user=worker,
                        now=dt.datetime(2026, 12, 2, 8, tzinfo=SHANGHAI))
    assert digest.overdue
