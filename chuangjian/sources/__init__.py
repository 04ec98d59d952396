"""The registry of sources (数据来源): where the value of a data element comes from.

By default an element's value is what units report (the reporting app's rollups).
Other apps compute some elements from their own records instead — activities
counted from the activity register (篇1: 小型文体活动一年不少于4次), problems found
and rectified on time from inspections, adopted news items from 信息报送 — and
declare that here, so the assessment reads every indicator's inputs through one
door and can explain each number by the records behind it.

This package knows no app: the apps that hold records import it to register their
sources, and the assessment imports it to read values and to listen for changes,
so reporting, inspections, evidence and the rest never import the assessment.

An app declares its sources in ``<app>/sources.py`` (imported at start-up by
``SourcesConfig.ready``):

    from chuangjian.sources import Record, Source, register

    @register
    class ActivitySource(Source):
        key = "activities"
        label = _("活动台账")
        elements = {"cultural_sports_activities": _("类型为文体活动的活动次数")}

        def values(self, element_code, period, unit_ids):
            ...  # one grouped query: {unit_id: count}

        def records(self, element_code, period, unit_id):
            ...  # [Record(label=..., date=..., url=...)]

and, whenever its records change, marks which results are stale:

    from chuangjian.sources import changed
    changed(unit_id=activity.unit_id, element_codes=["cultural_sports_activities"],
            day=activity.date)

``changed`` inserts one stale mark (``sources.models.Change``) in the writer's
transaction and, once that commits, queues the coalescing refresh job named by the
``SOURCES_REFRESH_TASK`` setting (the assessment's). The writer never waits for
scores and no listener runs inside its transaction (decision 0033).

An element may be provided by one source only; a second claim is an error at
start-up. Elements a non-reporting source provides are not asked for in report forms.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np
from django.utils.functional import Promise

from chuangjian.engine.periods import Period

REPORTED = "reported"


class UnitRef(Protocol):
    """What a source needs of a unit it links to (an ``org.Unit``; this package imports
    no app)."""

    pk: int
    code: str


@dataclass(frozen=True)
class Record:
    """One record behind a number, for the explanation of a score (值的来源)."""

    label: str
    date: dt.date | None = None
    url: str | None = None
    value: float | None = None


@dataclass(frozen=True)
class PeriodFigures:
    """Units' values over a window of periods as three columns: unit ``unit[i]`` has
    ``value[i]`` in the period at position ``period[i]`` of the window (each pair once).
    With ``zero_elsewhere`` every other pair of a unit asked and a period of the window is
    a counted 0; without, it has no value. What ``Source.values_by_period`` gives as a
    dictionary per period, without an entry per unit and day for a year of days (1.5
    million at L, most of them 0)."""

    unit: np.ndarray
    period: np.ndarray
    value: np.ndarray
    zero_elsewhere: bool = False

    @classmethod
    def of(cls, answers: Sequence[Mapping[int, float | None]]) -> PeriodFigures:
        """The columns of one dictionary per period (a None value is no value)."""
        units = [u for answer in answers for u in answer]
        return cls(unit=np.array(units, dtype=np.int64),
                   period=np.repeat(np.arange(len(answers), dtype=np.int64),
                                    [len(answer) for answer in answers]),
                   value=np.array([v for answer in answers for v in answer.values()],
                                  dtype=float))

    def as_dicts(self, periods: int, unit_ids: Sequence[int]) -> list[dict[int, float]]:
        """One dictionary per period, as ``values_by_period`` answers."""
        zero = dict.fromkeys(map(int, unit_ids), 0.0) if self.zero_elsewhere else {}
        out: list[dict[int, float]] = [zero.copy() for _k in range(periods)]
        for unit, k, value in zip(self.unit.tolist(), self.period.tolist(),
                                  self.value.tolist(), strict=True):
            out[k][unit] = value
        return out


class Source:
    """A provider of element values. Subclass, set the class attributes, register."""

    key: ClassVar[str]
    label: ClassVar[str | Promise]
    # element code -> how this source counts it (Chinese, shown in explanations)
    elements: ClassVar[Mapping[str, str | Promise]]
    # The elements whose value can change with the time alone (what is due by now), not
    # only when a record changes and marks it (``changed``): they are read for every unit
    # each time (``assessment.compute.OwnFigures``).
    clock_elements: ClassVar[frozenset[str]] = frozenset()

    def values(self, element_code: str, period: Period, unit_ids: Sequence[int]
               ) -> dict[int, float]:
        """Each unit's own value over ``period`` (not its subtree).

        A unit absent from the result has no data for the period. For a count,
        a unit with nothing recorded but that is expected to record should be
        0; return it as 0 only when the source knows it is a true zero.
        """
        raise NotImplementedError

    def values_by_period(self, element_code: str, periods: Sequence[Period],
                         unit_ids: Sequence[int]) -> list[dict[int, float]]:
        """``values`` for each of ``periods``, in order. A source that can answer a
        window at once (one query, then bucketed) overrides this; the default asks
        period by period."""
        return [self.values(element_code, period, unit_ids) for period in periods]

    def figures_by_period(self, element_code: str, periods: Sequence[Period],
                          unit_ids: Sequence[int]) -> PeriodFigures:
        """``values_by_period`` as columns (the per-day and per-week targets read a year
        of days over the whole tree). A source whose answer is mostly zeros overrides
        this; the default turns the dictionaries into columns."""
        return PeriodFigures.of(self.values_by_period(element_code, periods, unit_ids))

    def values_of(self, element_codes: Sequence[str], periods: Sequence[Period],
                  unit_ids: Sequence[int]) -> dict[str, list[dict[int, float]]]:
        """``values_by_period`` of several of this source's elements at once. A source
        that can answer them with one query overrides this; the default asks element by
        element."""
        return {code: self.values_by_period(code, periods, unit_ids) for code in element_codes}

    def records(self, element_code: str, period: Period, unit_id: int) -> list[Record]:
        """The records that make up one unit's value, newest first."""
        return []

    def rows_url(self, element_code: str, period: Period, unit: UnitRef) -> str | None:
        """A page listing the rows behind the value of ``unit``'s subtree, if there is
        one (the report form links each computed figure to it); the page checks scope."""
        return None


_SOURCES: dict[str, Source] = {}
_BY_ELEMENT: dict[str, str] = {}


def register(cls: type[Source]) -> type[Source]:
    source = cls()
    if source.key in _SOURCES and type(_SOURCES[source.key]) is not cls:
        raise RuntimeError(f"source {source.key!r} is registered twice")
    for code in source.elements:
        owner = _BY_ELEMENT.get(code)
        if owner is not None and owner != source.key:
            raise RuntimeError(f"element {code!r} is provided by both {owner!r} and {source.key!r}")
    _SOURCES[source.key] = source
    for code in source.elements:
        _BY_ELEMENT[code] = source.key
    return cls


def source_key_for(element_code: str) -> str:
    """``reported`` unless a registered source provides the element."""
    return _BY_ELEMENT.get(element_code, REPORTED)


def source_for(element_code: str) -> Source | None:
    """The registered source of an element, or None when units report it."""
    key = _BY_ELEMENT.get(element_code)
    return _SOURCES[key] if key else None


def sources() -> list[Source]:
    return [_SOURCES[k] for k in sorted(_SOURCES)]


def computed_elements() -> frozenset[str]:
    """Element codes that no one types in: a source computes them."""
    return frozenset(_BY_ELEMENT)


REFRESH_KEY = "results"


def changed(*, unit_id: int, element_codes: Iterable[str], day: dt.date) -> None:
    """Mark the results that read a unit's values around ``day`` as stale.

    Call it inside the transaction that changed the records: the mark commits (or
    rolls back) with them. It writes one row and touches no result; the refresh is
    queued after commit (``request_refresh``), debounced and coalesced.
    """
    from django.db import transaction

    from chuangjian.sources.models import Change

    codes = sorted(set(element_codes))
    if not codes:
        return
    Change.objects.create(unit_id=unit_id, element_codes=codes, day=day)
    transaction.on_commit(request_refresh)


def request_refresh() -> bool:
    """Queue the refresh job unless one is already waiting; True when this call queued it.

    One conditional UPDATE on the ticket decides it, so of a thousand commits inside
    the debounce window exactly one enqueues. The job runs ``SOURCES_REFRESH_DELAY``
    seconds later (when the queue backend can defer), gathering everything marked
    meanwhile.
    """
    from django.conf import settings
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from chuangjian.sources.models import Refresh

    now = timezone.now()
    if not Refresh.objects.filter(key=REFRESH_KEY).exists():
        try:
            with transaction.atomic():
                Refresh.objects.create(key=REFRESH_KEY)
        except IntegrityError:
            pass  # another process created it first
    taken = Refresh.objects.filter(key=REFRESH_KEY, queued=False).update(queued=True,
                                                                        queued_at=now)
    if not taken:
        return False
    enqueue_refresh(delay=settings.SOURCES_REFRESH_DELAY)
    return True


def enqueue_refresh(*, delay: float) -> None:
    """Put the refresh task on its queue (``SOURCES_REFRESH_QUEUE``), deferred by ``delay``
    seconds when it can be."""
    import datetime as _dt

    from django.conf import settings
    from django.utils import timezone
    from django.utils.module_loading import import_string

    task = import_string(settings.SOURCES_REFRESH_TASK).using(
        queue_name=settings.SOURCES_REFRESH_QUEUE)
    if delay > 0 and task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + _dt.timedelta(seconds=delay))
    task.enqueue()
