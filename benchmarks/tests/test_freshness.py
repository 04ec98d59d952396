"""The freshness benchmark reads the queue worker's log: each refresh logs its marks,
runs, rows and its seconds reading and writing, in the form the benchmark sums."""

from __future__ import annotations

import datetime as dt
import logging
import random

import pytest

from benchmarks import generate
from benchmarks.freshness import _refreshes
from benchmarks.run import Results, _submission_case, full_assessment
from chuangjian.assessment.freshness import refresh_stale
from chuangjian.engine.periods import Period
from chuangjian.org.scope import Scope
from chuangjian.reporting import actions

pytestmark = pytest.mark.django_db


def test_each_refresh_logs_what_it_did_as_the_benchmark_reads_it(
        caplog: pytest.LogCaptureFixture) -> None:
    generate.generate("T", seed=7, progress=lambda _m: None)
    assert full_assessment(2026, Results(size="T", database="sqlite", date="", machine=""))
    rng, filed = random.Random(3), 0
    while filed < 3:
        case = _submission_case(rng, 2026)
        if case is None:
            continue
        unit, sub, values = case
        try:
            actions.submit_values(actor=None, unit=unit, dataset_code=sub.dataset_code,
                                  period=sub.period, values=values, scope=Scope.system(),
                                  now=Period.parse(sub.period).start_instant()
                                  + dt.timedelta(hours=1))
            filed += 1
        except actions.ReportInvalid:
            continue
    with caplog.at_level(logging.INFO, logger="chuangjian.assessment.freshness"):
        report = refresh_stale(scope=Scope.system())
        refresh_stale(scope=Scope.system())  # nothing left: nothing logged
    assert report.marks >= 3 and report.runs and not report.failed
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("refreshed ")]
    assert len(lines) == 1
    summary = _refreshes(lines)
    assert summary.startswith(f"{report.marks} (max {report.marks}) / ")
    assert summary.endswith("in 1 refreshes")
    assert _refreshes([]) == "—"
