"""A source's answer for a window of periods as columns (``PeriodFigures``): the same
figures as its dictionaries, one per period."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from chuangjian.engine.periods import Period
from chuangjian.sources import PeriodFigures, Source


class _Counted(Source):
    key = "counted-for-test"
    label = "test"
    elements: ClassVar[dict[str, str]] = {"things": "things"}

    def values(self, element_code: str, period: Period, unit_ids: Sequence[int]
               ) -> dict[int, float]:
        """Some units' values, unit 7's None (no value), the others absent."""
        day = period.start.day
        found: dict[int, float | None] = {u: float(u * day) for u in unit_ids
                                          if (u + day) % 3 and u != 7}
        if 7 in unit_ids:
            found[7] = None
        return found  # type: ignore[return-value]


def test_the_default_columns_hold_what_the_dictionaries_hold() -> None:
    days = [Period.parse(f"2026-01-{d:02d}") for d in range(1, 6)]
    ids = [1, 2, 3, 7, 11]
    source = _Counted()
    columns = source.figures_by_period("things", days, ids)
    answers = source.values_by_period("things", days, ids)
    assert not columns.zero_elsewhere
    assert len(columns.unit) == sum(len(a) for a in answers)
    for unit, k, value in zip(columns.unit.tolist(), columns.period.tolist(),
                              columns.value.tolist(), strict=True):
        wanted = answers[k][unit]
        assert value == wanted or (wanted is None and value != value)
    again = columns.as_dicts(len(days), ids)
    assert all(_same(a, b) for a, b in zip(again, answers, strict=True))


def _same(got: Mapping[int, float], wanted: Mapping[int, float | None]) -> bool:
    """Equal, a None given back as NaN (no value either way)."""
    return got.keys() == wanted.keys() and all(
        (got[u] != got[u]) if wanted[u] is None else got[u] == wanted[u] for u in got)


def test_zero_elsewhere_gives_every_unit_asked_a_zero_in_every_period() -> None:
    figures = PeriodFigures.of([{}, {5: 2.0}, {}])
    counted = PeriodFigures(figures.unit, figures.period, figures.value, zero_elsewhere=True)
    assert figures.as_dicts(3, [4, 5]) == [{}, {5: 2.0}, {}]
    assert counted.as_dicts(3, [4, 5]) == [{4: 0.0, 5: 0.0}, {4: 0.0, 5: 2.0}, {4: 0.0, 5: 0.0}]
