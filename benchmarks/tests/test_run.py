"""The benchmark's dashboards step measures pages, not redirects to the sign-in."""

from __future__ import annotations

import random

import pytest
from django.test import Client

from benchmarks import generate
from benchmarks.run import (
    ASSESSMENT_PAGES,
    DASHBOARD_PAGES,
    Results,
    clear_earlier_runs,
    dashboards,
    full_assessment,
    repeat_assessment,
    sign_in,
)
from chuangjian.assessment.models import AssessmentRun, UnitResult

pytestmark = pytest.mark.django_db


def test_every_dashboard_and_assessment_page_answers_200_to_the_benchmark() -> None:
    generate.generate("T", seed=7, progress=lambda _m: None)
    results = Results(size="T", database="sqlite", date="", machine="")
    runs = full_assessment(2026, results)
    assert runs
    dashboards(runs, 30, results, random.Random(1))
    # A page that redirects (the login, the second factor) is counted as a failure.
    assert results.dashboard_note == ""
    measured = {t.name for t in results.dashboards}
    assert {f"dashboards:{p}" for p in DASHBOARD_PAGES} <= measured
    assert {f"assessment:{p}" for p in ASSESSMENT_PAGES} <= measured


def test_the_second_sign_in_types_the_code_of_the_bound_app() -> None:
    first, second = Client(), Client()
    sign_in(first)
    sign_in(second)  # raises unless the site's home page answers 200
    assert second.get("/").status_code == 200


def test_a_kept_city_is_measured_without_the_runs_earlier_benchmarks_left() -> None:
    generate.generate("T", seed=7, progress=lambda _m: None)
    first = full_assessment(2026, Results(size="T", database="sqlite", date="", machine=""))
    rows = UnitResult.objects.count()
    full_assessment(2026, Results(size="T", database="sqlite", date="", machine=""))
    assert AssessmentRun.objects.count() == 2 * len(first)
    assert clear_earlier_runs() == (2 * len(first), 2 * rows)
    assert not AssessmentRun.objects.exists() and not UnitResult.objects.exists()
    # The city itself is untouched: the next full assessment makes the same rows again.
    again = full_assessment(2026, Results(size="T", database="sqlite", date="", machine=""))
    assert len(again) == len(first) and UnitResult.objects.count() == rows
    # Repeated for a before/after comparison, each time from a city without runs.
    measured = repeat_assessment(2026, 2, Results(size="T", database="sqlite", date="",
                                                  machine=""))
    assert len(measured) == 2 and all(wall > 0 and cpu > 0 for wall, cpu in measured)
    assert AssessmentRun.objects.count() == len(first) and UnitResult.objects.count() == rows
