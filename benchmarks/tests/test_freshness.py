"""The freshness benchmark reads the queue worker's log: each refresh logs its marks,
runs, rows and its seconds reading and writing, in the form the benchmark sums, and the
read-ahead it waits for before the stream."""

from __future__ import annotations

import logging
import random

import pytest

from benchmarks import generate
from benchmarks.freshness import _READ_AHEAD, _refreshes
from benchmarks.rounds import file_reports
from benchmarks.run import Results, full_assessment
from chuangjian.assessment.freshness import keep_figures_warm, refresh_stale
from chuangjian.org.scope import Scope

pytestmark = pytest.mark.django_db


def test_each_refresh_logs_what_it_did_as_the_benchmark_reads_it(
        caplog: pytest.LogCaptureFixture) -> None:
    generate.generate("T", seed=7, progress=lambda _m: None)
    assert full_assessment(2026, Results(size="T", database="sqlite", date="", machine=""))
    assert file_reports(random.Random(3), 2026, 3) == 3
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

    # The worker's read-ahead, which the benchmark waits for before the stream begins.
    with caplog.at_level(logging.INFO, logger="chuangjian.assessment.freshness"):
        assert keep_figures_warm(scope=Scope.system())
    found = _READ_AHEAD.search(caplog.text)
    assert found is not None and float(found[1]) > 0
