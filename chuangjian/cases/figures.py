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
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from django.db.models import Count, Min, Q

from chuangjian.cases.models import Case, CloseReason, Relapse, UrineResult, UrineTest, Visit
from chuangjian.lib.lookups import Ids

CODES = ("registered_open", "drug_users_with_leader", "supervision_due",
         "supervision_implemented", "urine_tests_due", "urine_tests_done", "detox_certified",
         "relapsed_drug_users", "new_drug_users")


def _open_on(day: dt.date) -> Q:
    return Q(order_start__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))


def _open_during(start: dt.date, end: dt.date) -> Q:
    return Q(order_start__lte=end) & (Q(closed_on__isnull=True) | Q(closed_on__gte=start))


def _grouped(rows: object) -> dict[int, int]:
    return {int(u): int(n) for u, n in rows}  # type: ignore[attr-defined]


def values(code: str, start: dt.date, end: dt.date, unit_ids: Sequence[int]) -> dict[int, int]:
    """``{unit_id: value}`` for every unit asked (a unit with no case has a true zero)."""
    ids = Ids(unit_ids)
    cases = Case.objects.filter(unit_id__ids_in=ids)
    got: dict[int, int]
    if code == "registered_open":
        got = _grouped(cases.filter(_open_on(end)).values("unit_id")
                       .annotate(n=Count("person_id", distinct=True))
                       .values_list("unit_id", "n"))
    elif code == "drug_users_with_leader":
        got = _grouped(cases.filter(_open_on(end), leader__isnull=False).values("unit_id")
                       .annotate(n=Count("person_id", distinct=True))
                       .values_list("unit_id", "n"))
    elif code == "supervision_due":
        got = _grouped(cases.filter(_open_during(start, end)).values("unit_id")
                       .annotate(n=Count("pk")).values_list("unit_id", "n"))
    elif code == "supervision_implemented":
        visited = Visit.objects.filter(date__gte=start, date__lte=end).values("case_id")
        got = _grouped(cases.filter(_open_during(start, end), pk__in=visited)
                       .values("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n"))
    elif code in ("urine_tests_due", "urine_tests_done"):
        tests = UrineTest.objects.filter(case__unit_id__ids_in=ids, due_on__gte=start,
                                         due_on__lte=end)
        if code == "urine_tests_due":
            got = _grouped(tests.values("case__unit_id").annotate(n=Count("pk"))
                           .values_list("case__unit_id", "n"))
        else:
            # The result is encrypted, so it is read here rather than counted in SQL.
            counter: Counter[int] = Counter()
            for unit_id, result in (tests.filter(recorded=True)
                                    .values_list("case__unit_id", "result")):
                if result in (UrineResult.NEGATIVE, UrineResult.POSITIVE):
                    counter[unit_id] += 1
            got = dict(counter)
    elif code == "detox_certified":
        got = _grouped(cases.filter(close_reason=CloseReason.DETOX_CERTIFIED,
                                    closed_on__gte=start, closed_on__lte=end)
                       .values("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n"))
    elif code == "relapsed_drug_users":
        got = _grouped(Relapse.objects.filter(case__unit_id__ids_in=ids, found_on__gte=start,
                                              found_on__lte=end)
                       .values("case__unit_id").annotate(n=Count("case_id", distinct=True))
                       .values_list("case__unit_id", "n"))
    elif code == "new_drug_users":
        first = dict(Case.objects.filter(person__isnull=False).values("person_id")
                     .annotate(first=Min("order_start")).values_list("person_id", "first"))
        counter = Counter()
        seen: set[int] = set()
        for unit_id, person_id, begun in (cases.filter(order_start__gte=start,
                                                       order_start__lte=end,
                                                       person__isnull=False)
                                          .order_by("order_start", "pk")
                                          .values_list("unit_id", "person_id", "order_start")):
            if first.get(person_id) == begun and person_id not in seen:
                seen.add(person_id)
                counter[unit_id] += 1
        got = dict(counter)
    else:
        raise KeyError(code)
    return {u: got.get(u, 0) for u in ids}
