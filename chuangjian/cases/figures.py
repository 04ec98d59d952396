"""The case register's numbers, per managing unit and span of days.

One definition serves the count pages and the source registry (``sources.py``), so the
street's page and the assessment never disagree. Each figure is the unit's own (the
assessment adds up the tree). A case counts at the unit that manages it now.

- ``registered_open``: people with a case open on the last day.
- ``drug_users_with_leader``: of those, people whose case names a 包帮领导.
- ``supervision_due`` / ``supervision_implemented``: cases open at some time in the span,
  and those with at least one 谈心 visit in it (帮教率 = implemented / due).
- ``urine_tests_due`` / ``urine_tests_done``: tests due in the span, and those of them
  with a result other than 未到场 (尿检率; done is a subset of due, so never above it).
- ``detox_certified``: cases closed by 脱毒认定 in the span.
- ``relapsed_drug_users``: cases with a relapse found in the span.
- ``new_drug_users``: people whose first case ever began in the span.

A case anonymised after its retention (``actions.anonymise_closed``) still counts as a
case, but as nobody among the people. The figures are counted here from one read of each
table (``values_many``): a unit has few cases, and the assessment asks several figures
over several periods at once.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from django.db.models import Min, Q

from chuangjian.cases.models import Case, CloseReason, Relapse, UrineResult, UrineTest, Visit
from chuangjian.lib.lookups import Ids

CODES = ("registered_open", "drug_users_with_leader", "supervision_due",
         "supervision_implemented", "urine_tests_due", "urine_tests_done", "detox_certified",
         "relapsed_drug_users", "new_drug_users")


def _open_during(start: dt.date, end: dt.date) -> Q:
    return Q(order_start__lte=end) & (Q(closed_on__isnull=True) | Q(closed_on__gte=start))


def values(code: str, start: dt.date, end: dt.date, unit_ids: Sequence[int]) -> dict[int, int]:
    """``{unit_id: value}`` for every unit asked (a unit with no case has a true zero)."""
    return values_many([code], [(start, end)], unit_ids)[code][0]


_FROM_CASES = frozenset({"registered_open", "drug_users_with_leader", "supervision_due",
                         "supervision_implemented", "detox_certified"})


def values_many(codes: Sequence[str], spans: Sequence[tuple[dt.date, dt.date]],
                unit_ids: Sequence[int]) -> dict[str, list[dict[int, int]]]:
    """``values`` of several codes over several spans of days, each table read once for
    all of them (the cases, their visits, the tests, the relapses) and counted here as
    ``values`` counts: a code → one ``{unit_id: value}`` a span, in order."""
    unknown = sorted(set(codes) - set(CODES))
    if unknown:
        raise KeyError(unknown[0])
    ids = Ids(unit_ids)
    out: dict[str, list[dict[int, int]]] = {c: [] for c in codes}
    if not spans:
        return out
    first, last = min(s for s, _e in spans), max(e for _s, e in spans)
    wanted = set(codes)
    cases: list[tuple[int, int, int | None, dt.date, dt.date | None, str, int | None]] = []
    if wanted & _FROM_CASES:
        cases = list(Case.objects.filter(unit_id__ids_in=ids).filter(
            _open_during(first, last) | Q(close_reason=CloseReason.DETOX_CERTIFIED,
                                          closed_on__gte=first, closed_on__lte=last))
            .values_list("pk", "unit_id", "person_id", "order_start", "closed_on",
                         "close_reason", "leader_id"))
    visits: list[tuple[int, dt.date]] = []
    if "supervision_implemented" in wanted and cases:
        visits = list(Visit.objects.filter(case_id__in=[c[0] for c in cases], date__gte=first,
                                           date__lte=last).values_list("case_id", "date"))
    tests: list[tuple[int, dt.date, bool, str]] = []
    if wanted & {"urine_tests_due", "urine_tests_done"}:
        # The result is encrypted, so it is read here rather than counted in SQL.
        tests = list(UrineTest.objects.filter(case__unit_id__ids_in=ids, due_on__gte=first,
                                              due_on__lte=last)
                     .values_list("case__unit_id", "due_on", "recorded", "result"))
    relapses: list[tuple[int, int, dt.date]] = []
    if "relapsed_drug_users" in wanted:
        relapses = list(Relapse.objects.filter(case__unit_id__ids_in=ids, found_on__gte=first,
                                               found_on__lte=last)
                        .values_list("case__unit_id", "case_id", "found_on"))
    firsts: dict[int, dt.date] = {}
    begun: list[tuple[int, int, dt.date]] = []
    if "new_drug_users" in wanted:
        firsts = dict(Case.objects.filter(person__isnull=False).values("person_id")
                      .annotate(first=Min("order_start")).values_list("person_id", "first"))
        begun = list(Case.objects.filter(unit_id__ids_in=ids, order_start__gte=first,
                                         order_start__lte=last, person__isnull=False)
                     .order_by("order_start", "pk")
                     .values_list("unit_id", "person_id", "order_start"))
    for start, end in spans:
        counted = _counted_in(wanted, start, end, cases, visits, tests, relapses, firsts, begun)
        for code in codes:
            got = counted.get(code, Counter())
            out[code].append({u: got.get(u, 0) for u in ids})
    return out


def _counted_in(wanted: set[str], start: dt.date, end: dt.date,
                cases: Sequence[tuple[int, int, int | None, dt.date, dt.date | None, str,
                                      int | None]],
                visits: Sequence[tuple[int, dt.date]],
                tests: Sequence[tuple[int, dt.date, bool, str]],
                relapses: Sequence[tuple[int, int, dt.date]], firsts: dict[int, dt.date],
                begun: Sequence[tuple[int, int, dt.date]]) -> dict[str, Counter[int]]:
    """One span's counts from the rows ``values_many`` read, code → unit → value."""
    n: dict[str, Counter[int]] = {c: Counter() for c in wanted}
    open_people: dict[str, set[tuple[int, int]]] = {"registered_open": set(),
                                                    "drug_users_with_leader": set()}
    visited = {case_id for case_id, day in visits if start <= day <= end}
    for pk, unit_id, person_id, order_start, closed_on, reason, leader_id in cases:
        during = order_start <= end and (closed_on is None or closed_on >= start)
        if during and "supervision_due" in wanted:
            n["supervision_due"][unit_id] += 1
        if during and pk in visited and "supervision_implemented" in wanted:
            n["supervision_implemented"][unit_id] += 1
        if (reason == CloseReason.DETOX_CERTIFIED and closed_on is not None
                and start <= closed_on <= end and "detox_certified" in wanted):
            n["detox_certified"][unit_id] += 1
        open_at_end = order_start <= end and (closed_on is None or closed_on > end)
        if open_at_end and person_id is not None:  # a person, counted once
            open_people["registered_open"].add((unit_id, person_id))
            if leader_id is not None:
                open_people["drug_users_with_leader"].add((unit_id, person_id))
    for code, people in open_people.items():
        if code in wanted:
            n[code].update(unit_id for unit_id, _person in people)
    for unit_id, due_on, recorded, result in tests:
        if start <= due_on <= end:
            if "urine_tests_due" in wanted:
                n["urine_tests_due"][unit_id] += 1
            if ("urine_tests_done" in wanted and recorded
                    and result in (UrineResult.NEGATIVE, UrineResult.POSITIVE)):
                n["urine_tests_done"][unit_id] += 1
    if "relapsed_drug_users" in wanted:
        relapsed = {(unit_id, case_id) for unit_id, case_id, found_on in relapses
                    if start <= found_on <= end}
        n["relapsed_drug_users"].update(unit_id for unit_id, _case in relapsed)
    if "new_drug_users" in wanted:
        seen: set[int] = set()
        for unit_id, person_id, order_start in begun:
            if start <= order_start <= end and firsts.get(person_id) == order_start \
                    and person_id not in seen:
                seen.add(person_id)
                n["new_drug_users"][unit_id] += 1
    return n
