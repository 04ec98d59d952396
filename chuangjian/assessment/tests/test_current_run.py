"""One current run per standard, year, kind and scope, guaranteed by the database."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import IntegrityError, connection

from chuangjian.assessment import actions
from chuangjian.assessment.models import AssessmentRun
from chuangjian.assessment.tests.conftest import Small
from chuangjian.org.scope import Scope

TODAY = dt.date(2027, 1, 5)


def run(small: Small) -> AssessmentRun:
    return actions.start_run(actor=None, standard_code="test_small", year=2026, today=TODAY, scope=Scope.system())


def current(small: Small) -> list[int]:
    return list(AssessmentRun.objects.filter(standard_code="test_small", year=2026,
                                             current=True).values_list("pk", flat=True))


def test_a_new_run_takes_the_current_flag_from_the_last(small: Small) -> None:
    first = run(small)
    second = run(small)
    assert current(small) == [second.pk]
    first.refresh_from_db()
    assert first.current is False


def test_the_database_refuses_a_second_current_run(small: Small) -> None:
    first = run(small)
    twin = AssessmentRun.objects.get(pk=first.pk)
    twin.pk = None
    with pytest.raises(IntegrityError):
        twin.save(force_insert=True)


def test_a_run_that_finishes_while_another_takes_the_flag_retries(
        small: Small, monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulates another run made current after this one cleared the flags: the first
    # attempt to set ours hits the constraint, the retry clears theirs and wins.
    first = run(small)
    real = AssessmentRun.objects.filter
    calls: list[int] = []

    def late_peer(*args: Any, **kwargs: Any) -> Any:
        qs = real(*args, **kwargs)
        if kwargs.get("current") is True and "root_id__in" in kwargs and not calls:
            calls.append(1)
            return qs.none()  # this attempt does not see the peer's flag
        return qs

    monkeypatch.setattr(AssessmentRun.objects, "filter", late_peer)
    second = run(small)
    assert calls
    assert current(small) == [second.pk] and first.pk != second.pk


@pytest.mark.django_db(transaction=True)
def test_two_runs_finishing_at_once_leave_exactly_one_current(small: Small) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite begins every write with BEGIN IMMEDIATE: writers never overlap")
    barrier = threading.Barrier(2, timeout=20)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            run(small)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len(current(small)) == 1
