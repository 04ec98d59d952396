"""The rounds benchmark files reports and times the refresh rounds of one drain."""

from __future__ import annotations

import pytest

from benchmarks import generate, rounds
from benchmarks.run import Results, full_assessment
from chuangjian.sources.models import Change

pytestmark = pytest.mark.django_db


def test_each_round_refreshes_the_reports_filed_before_it() -> None:
    generate.generate("T", seed=7, progress=lambda _m: None)
    assert full_assessment(2026, Results(size="T", database="sqlite", date="", machine=""))
    found = rounds.measure(marks=3, rounds=2, seed=3)
    assert len(found.seconds) == 2 and all(m >= 1 for m in found.marks)
    assert all(q > 0 for q in found.queries)
    assert not Change.objects.exists()  # every mark was refreshed
    assert "queries a round" in found.table()
