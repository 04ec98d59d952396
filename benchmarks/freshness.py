"""Freshness under a stream of submissions (issue 19 item 3).

    .venv/bin/python -m benchmarks.run --size L --keep --no-ledger     # a city with results
    .venv/bin/python -m benchmarks.freshness --size L --rate 50 --seconds 20

On a generated city whose full assessment has run (``benchmarks.run``), writer
processes file reports through ``reporting.actions.submit_values`` at an offered rate
(open loop: each report has its planned instant, late ones are counted, not dropped),
while the product's own queue worker (``manage.py jobs_worker``) runs the debounced
refresh jobs exactly as ``make run`` does. For every report the benchmark notes the
instant its transaction committed and its stale mark (``sources.models.Change``); the
report is *fresh* when that mark is gone, which is when no page shows 「数据更新中」
for it any more and the parent's figures include it (the refresh deletes the marks it
handled after writing every run's rows). It prints the offered and achieved rates,
the submit time and the freshness p50 / p95 / p99 / max, the refresh jobs run, and the
machine's load average. The stream begins once the worker has read ahead the figures
its refreshes read, as a site's worker has long before 16:00 (decision 0050); the time
that took is printed. No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import queue
import random
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.environment import ROOT, default_url, sqlite_file


@dataclass
class Outcome:
    offered_rate: float
    seconds: float
    writers: int
    delay: float
    sent: int = 0
    refused: int = 0
    submit_ms: list[float] = field(default_factory=list)
    start_lag_s: list[float] = field(default_factory=list)
    fresh_s: list[float] = field(default_factory=list)
    fresh_at: list[float] = field(default_factory=list)  # each report's commit instant
    never_fresh: int = 0
    refresh_jobs: int = 0
    load: list[float] = field(default_factory=list)
    span_s: float = 0.0
    refresh_log: list[str] = field(default_factory=list)  # the worker's line per refresh
    job_late_s: list[float] = field(default_factory=list)
    read_ahead_s: float | None = None  # the worker's read-ahead of the figures, before the stream


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _writer(index: int, writers: int, rate: float, seconds: float, start_at: float, seed: int,
            out: Any) -> None:
    """File reports at ``rate / writers`` a second from ``start_at`` for ``seconds``; put
    (mark pk, commit instant, submit seconds, start lag) on ``out`` for each."""
    from django.db import connections

    from benchmarks.run import _submission_case, last_year, warm_up
    from chuangjian.engine.periods import Period
    from chuangjian.org.scope import Scope
    from chuangjian.reporting import actions
    from chuangjian.sources.models import Change

    connections.close_all()
    warm_up()
    rng = random.Random(seed + index)
    year = last_year()
    interval = writers / rate
    n = int(seconds * rate / writers)
    # Distinct reports, each with one figure changed, so that every submission changes
    # something (a report filed again unchanged marks nothing).
    cases: dict[int, tuple[Any, Any, dict[str, Any]]] = {}
    tries = 0
    while len(cases) < n and tries < n * 20:
        tries += 1
        case = _submission_case(rng, year)
        if case is not None and case[1].pk % writers == index:
            cases.setdefault(case[1].pk, case)
    if not cases:
        out.put(("done", index))
        return
    picked = list(cases.values())
    for k in range(n):
        planned = start_at + (k + index / writers) * interval
        pause = planned - time.time()
        if pause > 0:
            time.sleep(pause)
        unit, sub, values = picked[k % len(picked)]
        now = Period.parse(sub.period).start_instant() + dt.timedelta(hours=1)
        began = time.time()
        try:
            actions.submit_values(actor=None, unit=unit, dataset_code=sub.dataset_code,
                                  period=sub.period, values=values, now=now,
                                  scope=Scope.system())
        except actions.ReportInvalid:
            out.put(("refused", index))
            continue
        committed = time.time()
        mark = (Change.objects.filter(unit_id=unit.pk).order_by("-pk")
                .values_list("pk", flat=True).first())
        out.put(("sent", mark, committed, committed - began, began - planned))
    out.put(("done", index))


def measure(url: str, *, rate: float, seconds: float, writers: int, delay: float,
            seed: int) -> Outcome:
    from django.db import connections

    from chuangjian.assessment.freshness import refresh_stale
    from chuangjian.assessment.models import AssessmentRun
    from chuangjian.org.scope import Scope
    from chuangjian.sources.models import Change

    if not AssessmentRun.objects.filter(current=True, status="done").exists():
        raise SystemExit("该数据库中还没有考核结果：请先运行 python -m benchmarks.run --size … --keep")
    from django.conf import settings
    from django.utils import timezone

    outcome = Outcome(offered_rate=rate, seconds=seconds, writers=writers, delay=delay)
    outcome.load.append(os.getloadavg()[0])
    # The writers queue the refresh job (after their commit), so they are the ones that
    # defer it: they are forked from this process and take its setting.
    settings.SOURCES_REFRESH_DELAY = delay
    refresh_stale(scope=Scope.system())  # whatever earlier runs left marked
    from django_tasks_db.models import DBTaskResult

    jobs_before = DBTaskResult.objects.count()
    measured_from = timezone.now()
    connections.close_all()

    env = {**os.environ, "DATABASE_URL": url, "SOURCES_REFRESH_DELAY": str(delay),
           "DJANGO_SETTINGS_MODULE": "chuangjian.settings", "LOG_LEVEL": "INFO"}
    # The worker's log keeps each refresh's marks, rows and its reading and writing time.
    log_path = ROOT / "var" / "bench" / "freshness-worker.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    worker_log = log_path.open("w")
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "jobs_worker", "--interval", "0.1"], cwd=ROOT, env=env,
        stdout=worker_log, stderr=worker_log)
    # A site's worker has run for hours before 16:00: while idle it has read ahead the
    # units' figures its refreshes read (decision 0050). The stream begins once it has.
    began = time.time()
    while time.time() - began < 300 and worker.poll() is None:
        ahead = _READ_AHEAD.search(log_path.read_text())
        if ahead:
            outcome.read_ahead_s = float(ahead[1])
            break
        time.sleep(0.2)
    context = mp.get_context("fork")
    out = context.Queue()
    start_at = time.time() + 8.0  # the writers parse the standards first
    procs = [context.Process(target=_writer, args=(i, writers, rate, seconds, start_at, seed, out))
             for i in range(writers)]
    try:
        for p in procs:
            p.start()
        outstanding: dict[int, float] = {}
        done = 0
        last_sent = start_at
        while done < writers or outstanding:
            # Every message waiting, then a look at the marks: at most ~20 ms apart. (It
            # used to read messages until none came for 50 ms, which under a steady stream
            # could put the look off by seconds and count that as staleness.)
            wait = 0.02
            while True:
                try:
                    message = out.get(timeout=wait) if wait else out.get_nowait()
                except queue.Empty:
                    break
                wait = 0.0
                if message[0] == "done":
                    done += 1
                elif message[0] == "refused":
                    outcome.refused += 1
                else:
                    _kind, mark, committed, took, lag = message
                    outcome.sent += 1
                    outcome.submit_ms.append(took * 1000)
                    outcome.start_lag_s.append(max(0.0, lag))
                    last_sent = max(last_sent, committed)
                    if mark is None:  # already handled before we could look
                        outcome.fresh_s.append(time.time() - committed)
                        outcome.fresh_at.append(committed)
                    else:
                        outstanding[mark] = committed
            if outstanding:
                left = set(Change.objects.filter(pk__in=list(outstanding))
                           .values_list("pk", flat=True))
                seen = time.time()
                for mark in [m for m in outstanding if m not in left]:
                    committed_at = outstanding.pop(mark)
                    outcome.fresh_s.append(seen - committed_at)
                    outcome.fresh_at.append(committed_at)
            if done == writers and outstanding and time.time() - last_sent > 300:
                outcome.never_fresh = len(outstanding)
                break
        outcome.span_s = last_sent - start_at
    finally:
        for p in procs:
            p.join(timeout=10)
        worker.terminate()
        worker.wait(timeout=30)
        worker_log.close()
    outcome.refresh_log = [line.strip() for line in log_path.read_text().splitlines()
                           if line.startswith("refreshed ")]
    outcome.refresh_jobs = DBTaskResult.objects.count() - jobs_before
    # How late the worker began each job after the instant it was deferred to: its poll,
    # and on SQLite its wait for the write lock to claim the job.
    outcome.job_late_s = [
        (started - after).total_seconds() for started, after in
        DBTaskResult.objects.filter(started_at__isnull=False, run_after__isnull=False,
                                    enqueued_at__gte=measured_from)
        .values_list("started_at", "run_after") if started is not None and after is not None]
    outcome.load.append(os.getloadavg()[0])
    return outcome


_READ_AHEAD = re.compile(r"kept the units' own figures of \d+ standard-years for the "
                         r"refreshes \(([\d.]+) s\)")
_REFRESHED = re.compile(r"refreshed (\d+) marks: \d+ runs, \d+ rows; reading ([\d.]+) s, "
                        r"writing ([\d.]+) s")


def _refreshes(lines: list[str]) -> str:
    """The worker's refreshes that handled marks: marks per refresh (mean, max), and the
    seconds spent reading and writing, in all and at most in one."""
    got = [(int(m[1]), float(m[2]), float(m[3])) for line in lines
           if (m := _REFRESHED.match(line)) and int(m[1])]
    if not got:
        return "—"
    marks = [g[0] for g in got]
    reading = [g[1] for g in got]
    writing = [g[2] for g in got]
    return (f"{sum(marks) / len(got):.0f} (max {max(marks)}) / {sum(reading):.2f} s "
            f"(max {max(reading):.2f}) / {sum(writing):.2f} s (max {max(writing):.2f}) "
            f"in {len(got)} refreshes")


def _thirds(o: Outcome) -> str:
    """The freshness p95 of the reports committed in each third of the stream: the start
    (the first job's claim), the steady state, the end."""
    if not o.fresh_at:
        return "—"
    first, last = min(o.fresh_at), max(o.fresh_at)
    span = (last - first) / 3 or 1.0
    parts: list[list[float]] = [[], [], []]
    for at, fresh in zip(o.fresh_at, o.fresh_s, strict=True):
        parts[min(2, int((at - first) / span))].append(fresh)
    return " / ".join(f"{_pct(p, 95):.2f}" for p in parts) + " s"


def table(o: Outcome) -> str:
    achieved = o.sent / o.span_s if o.span_s > 0 else float("nan")
    rows = [
        ("offered", f"{o.offered_rate:g} reports/s for {o.seconds:g} s, {o.writers} writer processes"),
        ("sent / refused by validation", f"{o.sent} / {o.refused}"),
        ("achieved", f"{achieved:.1f} reports/s over {o.span_s:.1f} s"),
        ("start later than planned p50 / p95", f"{_pct(o.start_lag_s, 50):.2f} / "
                                               f"{_pct(o.start_lag_s, 95):.2f} s"),
        ("submit_values p50 / p95", f"{_pct(o.submit_ms, 50):.0f} / {_pct(o.submit_ms, 95):.0f} ms"),
        ("refresh delay (debounce)", f"{o.delay:g} s"),
        ("worker's read-ahead before the stream", "none" if o.read_ahead_s is None
         else f"{o.read_ahead_s:.2f} s"),
        ("fresh after commit p50 / p95 / p99 / max",
         " / ".join(f"{_pct(o.fresh_s, p):.2f}" for p in (50, 95, 99)) + f" / "
         f"{max(o.fresh_s, default=float('nan')):.2f} s"),
        ("fresh p95 in each third of the stream", _thirds(o)),
        ("never fresh (300 s after the last)", str(o.never_fresh)),
        ("refresh jobs run", str(o.refresh_jobs)),
        ("refreshes: marks each / reading / writing", _refreshes(o.refresh_log)),
        ("queued job begun after its time p50 / max", f"{_pct(o.job_late_s, 50):.2f} / "
                                               f"{max(o.job_late_s, default=float('nan')):.2f} s"),
        ("load average start / end", " / ".join(f"{v:.1f}" for v in o.load)),
    ]
    width = max(len(a) for a, _b in rows) + 2
    return "\n".join(a.ljust(width) + b for a, b in rows)


def main(argv: list[str] | None = None) -> Outcome:
    parser = argparse.ArgumentParser(description="上报后结果多快更新（新鲜度）基准")
    parser.add_argument("--size", choices=["T", "S", "M", "L"], default="M")
    parser.add_argument("--database-url", default=None,
                        help="默认 var/bench/city-<size>.sqlite3（须已由 benchmarks.run 生成并考核）")
    parser.add_argument("--rate", type=float, default=50.0, help="每秒上报数（开环）")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--delay", type=float, default=None,
                        help="刷新防抖秒数（默认取 SOURCES_REFRESH_DELAY 设置）")
    parser.add_argument("--seed", type=int, default=20261203)
    args = parser.parse_args(argv)
    url = args.database_url or default_url(args.size)
    target = sqlite_file(url)
    if target is not None and not Path(target).exists():
        raise SystemExit(f"找不到基准数据库 {target}：请先运行 python -m benchmarks.run --size {args.size}")
    from benchmarks.generate import prepare_database

    prepare_database(url, fresh=False)
    from django.conf import settings

    delay = settings.SOURCES_REFRESH_DELAY if args.delay is None else args.delay
    outcome = measure(url, rate=args.rate, seconds=args.seconds, writers=args.writers,
                      delay=delay, seed=args.seed)
    print(f"新鲜度基准（{args.size}，{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}）")
    print(table(outcome))
    return outcome


if __name__ == "__main__":
    main(sys.argv[1:])
