"""The rounds of a drain, one after another in one process (issue 19 item 3).

    .venv/bin/python -m benchmarks.run --size L --keep --no-ledger      # a city with results
    .venv/bin/python -m benchmarks.rounds --size L --marks 25 --rounds 12 --seed 41

What ``benchmarks.freshness`` measures with writers, a queue worker and the clock, taken
apart: inside one ``figures_remembered`` (as ``refresh_until_quiet`` runs them) it files
``--marks`` reports through ``reporting.actions.submit_values``, then times one
``refresh_stale`` and counts its queries, ``--rounds`` times. Nothing else runs, so two
versions of the code compare in turn on the same city with the same seed (the reports
are committed: the city's figures move a little with every run). It prints each round's
seconds and the mean, the reading part, and the queries a round. No timing is asserted
anywhere.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from dataclasses import dataclass, field

from benchmarks.environment import default_url


@dataclass
class Rounds:
    seconds: list[float] = field(default_factory=list)
    reading: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    marks: list[int] = field(default_factory=list)

    def table(self) -> str:
        if not self.seconds:
            return "no round had anything to refresh"
        return "\n".join([
            "rounds, seconds      " + " ".join(f"{x:.3f}" for x in self.seconds),
            f"mean / median        {statistics.mean(self.seconds):.3f} / "
            f"{statistics.median(self.seconds):.3f} s",
            f"reading, mean        {statistics.mean(self.reading):.3f} s",
            f"queries a round      {statistics.mean(self.queries):.0f}",
            f"marks a round        {statistics.mean(self.marks):.0f}",
        ])


def file_reports(rng: random.Random, year: int, n: int) -> int:
    """File ``n`` reports that pass the checks, each through ``submit_values`` (fewer if
    the city has not enough); how many were filed."""
    from benchmarks.run import _submission_case
    from chuangjian.engine.periods import Period
    from chuangjian.org.scope import Scope
    from chuangjian.reporting import actions

    filed = tries = 0
    while filed < n and tries < n * 50:
        tries += 1
        case = _submission_case(rng, year)
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
    return filed


def measure(*, marks: int, rounds: int, seed: int) -> Rounds:
    """Run the rounds on the configured database (Django set up, a city with results)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from benchmarks.run import last_year, warm_up
    from chuangjian.assessment.compute import figures_remembered
    from chuangjian.assessment.freshness import refresh_stale
    from chuangjian.org.scope import Scope

    warm_up()
    rng, year, out = random.Random(seed), last_year(), Rounds()
    refresh_stale(scope=Scope.system())  # whatever an earlier run left marked
    with figures_remembered():
        for _k in range(rounds):
            file_reports(rng, year, marks)
            with CaptureQueriesContext(connection) as asked:
                started = time.perf_counter()
                report = refresh_stale(scope=Scope.system())
                spent = time.perf_counter() - started
            if report.marks:
                out.seconds.append(spent)
                out.reading.append(report.reading)
                out.queries.append(len(asked.captured_queries))
                out.marks.append(report.marks)
    return out


def main(argv: list[str] | None = None) -> Rounds:
    parser = argparse.ArgumentParser(description="一次连续刷新中各轮的耗时（同一进程，依次运行）")
    parser.add_argument("--size", choices=["T", "S", "M", "L"], default="M")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--marks", type=int, default=25, help="每轮之前上报的份数")
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--seed", type=int, default=41)
    args = parser.parse_args(argv)

    from benchmarks.generate import prepare_database

    prepare_database(args.database_url or default_url(args.size), fresh=False)
    from benchmarks.run import has_city

    if not has_city():
        raise SystemExit("数据库中没有合成城市：先运行 python -m benchmarks.run --size "
                         f"{args.size} --keep")
    found = measure(marks=args.marks, rounds=args.rounds, seed=args.seed)
    print(found.table(), flush=True)
    return found


if __name__ == "__main__":
    main()
