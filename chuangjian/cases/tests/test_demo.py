"""The demo's 帮教 indicators come from its cases and agree with a count by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q
from django.utils import timezone

from chuangjian.assessment.compute import unit_inputs
from chuangjian.assessment.spec import spec_for
from chuangjian.cases import demo
from chuangjian.cases.models import (
    AccessKind,
    Alert,
    Case,
    CaseAccess,
    CloseReason,
    TransferState,
    UrineResult,
    UrineTest,
)
from chuangjian.org.demo import build_demo
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.registers.demo import ensure_residents
from chuangjian.reporting import datasets
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader
from chuangjian.standards.models import StandardVersion

pytestmark = pytest.mark.django_db

CODES = ["supervision_due", "supervision_implemented", "urine_tests_due", "urine_tests_done",
         "detox_certified", "relapsed_drug_users", "drug_users_with_leader"]


def test_the_demo_indicators_come_from_the_cases_and_agree_with_a_count_by_hand() -> None:
    build_demo()
    standards_actions.load_standards(actor=None, scope=Scope.system(),
                                     result=loader.load_builtin().raise_for_errors())
    ensure_residents(scope=Scope.system(), low=30, high=40)
    demo.run()
    demo.run()  # again: nothing added
    today = timezone.localdate()
    assert Case.objects.count() == 5
    assert Case.objects.filter(close_reason=CloseReason.DETOX_CERTIFIED).count() == 1
    assert Case.objects.filter(transfers__state=TransferState.ACCEPTED,
                               unit__code="QY-02-A-01").count() == 1
    assert Alert.objects.exists() and CaseAccess.objects.filter(kind=AccessKind.REVEAL).exists()

    street = Unit.objects.get(code="QY-01")
    start, end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    cases = list(Case.objects.filter(unit__path__startswith=street.path))
    during = [c for c in cases if c.order_start <= end
              and (c.closed_on is None or c.closed_on >= start)]
    tests = [t for t in UrineTest.objects.filter(case__in=cases)
             if start <= t.due_on <= end]
    by_hand = {
        "supervision_due": len(during),
        "supervision_implemented": sum(
            1 for c in during if c.visits.filter(date__gte=start, date__lte=end).exists()),
        "urine_tests_due": len(tests),
        "urine_tests_done": sum(1 for t in tests if t.recorded
                                and t.result in (UrineResult.NEGATIVE, UrineResult.POSITIVE)),
        "detox_certified": sum(1 for c in cases if c.close_reason == CloseReason.DETOX_CERTIFIED
                               and c.closed_on and start <= c.closed_on <= end),
        "relapsed_drug_users": sum(1 for c in cases
                                   if c.relapses.filter(found_on__gte=start,
                                                        found_on__lte=end).exists()),
        "drug_users_with_leader": Case.objects.filter(
            Q(closed_on__isnull=True) | Q(closed_on__gt=end), unit__path__startswith=street.path,
            leader__isnull=False, order_start__lte=end).count(),
    }
    specs = [spec_for(StandardVersion.objects.filter(code=code).latest("pk"))
             for code in ("wudu_jiedao", "wudu_zhen", "wudu_xian")]
    for code, expected in by_hand.items():
        spec = next(s for s in specs if code in s.elements)
        got = unit_inputs(spec, street, today.year, [code], 0).value(code, 0).value[0]
        assert got == expected, code
    assert by_hand["urine_tests_due"] > by_hand["urine_tests_done"] > 0
    # The report forms no longer ask for them: the quarterly form of 幸福里社区 shows them
    # read-only, computed from the cases.
    from django.test import Client
    from django.urls import reverse

    from chuangjian.org.models import User

    datasets._catalog = None
    client = Client()
    client.force_login(User.objects.get(username="xfl_worker"))
    quarter = f"{today.year}Q{(today.month - 1) // 3 + 1}"
    body = client.get(reverse("reporting:form", kwargs={
        "code": "QY-01-A-01", "dataset": "community-quarter", "period": quarter})).content.decode()
    computed = body[body.index('id="computed-figures"'):]
    assert "已尿检人次" in computed and 'name="urine_tests_done"' not in body
    datasets._catalog = None
    for ds in datasets.catalog().for_unit(Unit.objects.get(code="QY-01-A-01"),
                                          today.year).values():
        assert not {e.code for e in ds.elements} & set(CODES)
    # Asked together (``values_of``: each table read once), the figures are those asked
    # one by one, for every span and set of units — the year, a quarter, a month, the
    # year before — including the new users and the people open at the end.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chuangjian import sources
    from chuangjian.cases.figures import CODES as ALL_CODES
    from chuangjian.engine.periods import Period

    source = sources.source_for("supervision_due")
    assert source is not None
    periods = [Period.year(today.year), Period.parse(quarter), Period.month(today.year, 3),
               Period.year(today.year - 1)]
    for ids in ([u.pk for u in Unit.objects.filter(path__startswith=street.path)],
                [Unit.objects.get(code="QY-02-A-01").pk]):
        one_by_one = {c: [source.values(c, p, ids) for p in periods] for c in ALL_CODES}
        with CaptureQueriesContext(connection) as asked:
            together = source.values_of(list(ALL_CODES), periods, ids)
        assert together == one_by_one
        assert len(asked.captured_queries) <= 6
    assert any(v for spans in together.values() for span in spans for v in span.values())
