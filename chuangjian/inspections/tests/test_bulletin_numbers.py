"""通报 numbers (文号): one per unit and year, never taken twice, even when two are issued at once."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import IntegrityError, connection

from chuangjian.inspections.actions import bulletins as act
from chuangjian.inspections.models import Bulletin
from chuangjian.org.scope import Scope


def issue(world: Any, day: dt.date = dt.date(2026, 3, 31)) -> Bulletin:
    return act.create_bulletin(actor=world.inspector, scope=Scope.for_user(world.inspector),
                               unit=world.street, kind="month", month="2026-03", issued_on=day)


@pytest.mark.django_db
def test_bulletins_are_numbered_one_two_three_per_unit_and_year(world: Any) -> None:
    numbers = [issue(world).number for _ in range(3)]
    assert [n.rsplit("〕", 1)[1] for n in numbers] == ["1号", "2号", "3号"]
    assert "〔2026〕" in numbers[0]
    assert issue(world, dt.date(2027, 1, 5)).number.endswith("〔2027〕1号")


@pytest.mark.django_db
def test_a_deleted_bulletin_does_not_make_the_next_number_repeat_one(world: Any) -> None:
    first, _second = issue(world), issue(world)
    first.delete()  # count() + 1 would hand out 2 again
    assert issue(world).number.endswith("〔2026〕3号")


@pytest.mark.django_db
def test_the_database_refuses_a_second_bulletin_with_the_same_number(world: Any) -> None:
    taken = issue(world)
    twin = Bulletin(unit=taken.unit, kind="month", month="2026-03", issuer="x", number="x",
                    title="x", issued_on=taken.issued_on, year=taken.year, seq=taken.seq)
    with pytest.raises(IntegrityError):
        twin.save()


@pytest.mark.django_db
def test_a_number_taken_by_a_concurrent_bulletin_is_skipped(world: Any,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulates another bulletin committing number 1 after this one looked for the top.
    issue(world)
    real = Bulletin.objects.filter
    looked: list[int] = []

    def stale_top(*args: Any, **kwargs: Any) -> Any:
        qs = real(*args, **kwargs)
        if "seq" not in str(kwargs) and not looked and kwargs.get("year") == 2026:
            looked.append(1)
            return qs.none()
        return qs

    monkeypatch.setattr(Bulletin.objects, "filter", stale_top)
    second = issue(world)
    assert looked and second.number.endswith("〔2026〕2号")


@pytest.mark.django_db(transaction=True)
def test_two_bulletins_issued_at_once_get_different_numbers(world: Any) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite begins every write with BEGIN IMMEDIATE: writers never overlap")
    barrier = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            issue(world)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert sorted(b.seq for b in Bulletin.objects.all()) == [1, 2]
