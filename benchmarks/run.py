"""The city-scale benchmark: generate (or reuse) a synthetic city, then measure.

    python -m benchmarks.run --size S|M|L [--keep] [--database-url URL] [--profile]

Measured, in this order (figures go to the table printed at the end
and to ``var/bench/results-<size>.json``):

1. generation: time and row counts (``benchmarks.generate``);
2. full assessment: every built-in standard in force in the last year, one 考核 run per
   top-level unit it applies to, as ``chuangjian assess --all --year YYYY`` runs them
   (``assessment.actions.assess_year``: the standards shared among ``--processes``
   processes, by default ``ASSESSMENT_PROCESSES``); plus the assessment's input step
   alone (``compute.full_inputs`` over every element and all years);
3. the DuckDB reference over the raw values, and the ratio ours / DuckDB, after
   checking that both give the same figures;
4. incremental update: ~50 submissions of random communities through
   ``reporting.actions.submit_values`` (values, rollups and the stale mark; decision 0033),
   each followed by the refresh job it queues (``assessment.freshness.refresh_stale``),
   timed apart: the clerk waits for the first, the dashboard for both;
5. dashboards: ~100 GET requests through Django's test client to the assessment pages;
6. the ledger (``benchmarks/ledger.py``) when present.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from benchmarks.environment import BENCH_DIR, default_url, sqlite_file

AIMS = {"full_s": 10.0, "ratio": 5.0, "incremental_ms": 200.0, "dashboard_p95_ms": 300.0}


@dataclass
class Timing:
    name: str
    n: int
    p50_ms: float
    p95_ms: float
    max_ms: float

    @classmethod
    def of(cls, name: str, samples: Sequence[float]) -> Timing:
        ms = sorted(s * 1000 for s in samples)
        if not ms:
            return cls(name, 0, float("nan"), float("nan"), float("nan"))
        p95 = ms[min(len(ms) - 1, max(0, round(0.95 * len(ms)) - 1))]
        return cls(name, len(ms), statistics.median(ms), p95, ms[-1])


@dataclass
class Results:
    size: str
    database: str
    date: str
    machine: str
    generated: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    full_seconds: float | None = None
    # CPU seconds of this process (time.process_time): on the shared machine the wall
    # clock mostly measures the other engineers' load.
    full_cpu_seconds: float | None = None
    full_by_standard: dict[str, float] = field(default_factory=dict)
    full_processes: int = 1  # the processes that ran standards
    full_note: str = ""
    inputs_seconds: float | None = None
    duckdb_seconds: float | None = None
    duckdb_cpu_seconds: float | None = None
    raw_load_seconds: float | None = None
    reference_equal: bool | None = None
    reference_detail: str = ""
    incremental: Timing | None = None
    incremental_queries: int | None = None
    incremental_note: str = ""
    refresh: Timing | None = None
    dashboards: list[Timing] = field(default_factory=list)
    dashboard_note: str = ""
    ledger: dict[str, Any] = field(default_factory=dict)
    profile_top: str = ""
    # The machine is shared: other processes' load during the run (1-minute averages).
    load_average: list[float] = field(default_factory=list)


def _say(message: str) -> None:
    print(message, flush=True)


def machine() -> str:
    import platform

    return f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"


# -- database -------------------------------------------------------------------------------


def has_city() -> bool:
    from benchmarks.generate import UNIT_CODE_PREFIX
    from chuangjian.org.models import Unit

    return Unit.objects.filter(code__startswith=UNIT_CODE_PREFIX).exists()


def counts() -> dict[str, int]:
    from chuangjian.org.models import Unit
    from chuangjian.reporting.models import DataValue, Rollup, Submission

    return {"units": Unit.objects.count(),
            "communities": Unit.objects.filter(level="community").count(),
            "submissions": Submission.objects.count(), "values": DataValue.objects.count(),
            "rollups": Rollup.objects.count()}


def last_year() -> int:
    from chuangjian.reporting.models import Rollup

    periods = Rollup.objects.filter(period_type="year").values_list("period", flat=True)
    return max((int(p) for p in periods.distinct()), default=dt.date.today().year)  # noqa: DTZ011 - only a fallback


# -- full assessment ---------------------------------------------------------------------------


def clear_earlier_runs() -> tuple[int, int]:
    """Delete the 考核 runs and result rows that earlier benchmarks left on a kept city.

    Each full assessment makes one run per standard and root and keeps the old ones, as
    the product does. On a database reused all day (``--keep``) they pile up — 4,231 runs
    and 904,027 result rows after one day's measuring at L — and every later insert and
    commit pays for them, so the same code measured later in the day looked slower. The
    synthetic city holds no runs of its own: every run in it was made by a benchmark.
    Returns (runs, rows) deleted.
    """
    from django.db import connection, transaction

    from chuangjian.assessment.models import AssessmentRun, UnitResult

    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quote(UnitResult._meta.db_table)}")  # noqa: S608 - the model's table
        rows = cursor.rowcount
        cursor.execute(f"DELETE FROM {quote(AssessmentRun._meta.db_table)}")  # noqa: S608 - the model's table
        runs = cursor.rowcount
    return runs, rows


def full_assessment(year: int, results: Results, *, processes: int = 1, profile: bool = False
                    ) -> list[Any]:
    """The year's assessment as ``chuangjian assess --all`` runs it
    (``assessment.actions.assess_year``): every standard in force, one 考核 run per
    top-level unit it applies to, the standards shared among ``processes`` processes (one
    under ``profile``: cProfile sees this process only). Timed whole, from the choice of
    the standards to the last run stored; CPU seconds of this process and its children.
    Returns the runs."""
    from chuangjian.assessment import actions
    from chuangjian.org.scope import Scope

    profiler = cProfile.Profile() if profile else None
    cpu, children, started = time.process_time(), _children_cpu(), time.perf_counter()
    if profiler:
        profiler.enable()
    try:
        outcomes = actions.assess_year(actor=None, year=year, kind="review", scope=Scope.system(),
                                       today=dt.date(year, 12, 31),
                                       processes=1 if profile else processes)
    finally:
        if profiler:
            profiler.disable()
    results.full_seconds = time.perf_counter() - started
    results.full_cpu_seconds = time.process_time() - cpu + _children_cpu() - children
    results.full_processes = len({o.process for o in outcomes if o.runs})
    runs: list[Any] = []
    for outcome in outcomes:
        code = outcome.version.code
        for left in outcome.left_out:
            _say(f"  {code} @ {left.code}: 不适用")
        if outcome.error:
            raise SystemExit(f"{code}: {outcome.error}")
        results.full_by_standard[code] = outcome.seconds
        runs.extend(outcome.runs)
        _say(f"  {code}: {outcome.seconds:.2f} s")
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(25)
        stats.sort_stats("tottime").print_stats(15)
        results.profile_top = out.getvalue()
        path = BENCH_DIR / f"full-{results.size}.prof"
        stats.dump_stats(str(path))
        _say(f"  cProfile → {path}")
    return runs


def _children_cpu() -> float:
    """CPU seconds of this process's children that have ended."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def repeat_assessment(year: int, times: int, results: Results, *, processes: int = 1,
                      profile: bool = False) -> list[tuple[float, float]]:
    """The full assessment alone, ``times`` times, each from a city without runs: the
    figures to compare two versions of the code by running them in turn (this machine's
    speed drifts by a quarter within minutes). Prints and returns (wall, CPU) per time;
    with ``profile`` the last time runs under cProfile (its figures are then slower)."""
    measured = []
    for k in range(times):
        clear_earlier_runs()
        load = os.getloadavg()[0]
        full_assessment(year, results, processes=processes, profile=profile and k == times - 1)
        wall, cpu = results.full_seconds, results.full_cpu_seconds
        assert wall is not None and cpu is not None  # set by full_assessment
        measured.append((wall, cpu))
        print(f"full assessment {k + 1}/{times}: wall {results.full_seconds:.2f} s · "
              f"CPU {results.full_cpu_seconds:.2f} s · load average {load:.1f}", flush=True)
    return measured


# -- incremental --------------------------------------------------------------------------------


def _submission_case(rng: random.Random, year: int) -> tuple[Any, Any, dict[str, Any]] | None:
    """A random community's existing, unlocked report of ``year`` and new values (one +1)."""
    from benchmarks.generate import rule_pairs
    from chuangjian.org.models import Unit
    from chuangjian.reporting.datasets import catalog
    from chuangjian.reporting.models import DataValue, Status, Submission

    ids = list(Unit.objects.filter(level="community", kind="area").values_list("pk", flat=True))
    unit = Unit.objects.get(pk=rng.choice(ids))
    subs = list(Submission.objects.filter(unit=unit, period__startswith=str(year),
                                          status=Status.SUBMITTED, locked=False))
    if not subs:
        return None
    sub = rng.choice(subs)
    ds = catalog().dataset(unit, sub.dataset_code, year)
    if ds is None:
        return None
    stored = {v.element_id: v.number for v in DataValue.objects.filter(
        unit=unit, period=sub.period, element__in=[e.pk for e in ds.elements])}
    values = {e.code: stored.get(e.pk) for e in ds.elements}
    numerators = {a for a, _b in rule_pairs(ds.rules)}
    choices = [e for e in ds.elements if e.code not in numerators and values[e.code] is not None]
    if not choices:
        return None
    element = rng.choice(choices)
    current = values[element.code]
    if current is None:
        return None
    bumped = current + 1
    if element.max_value is not None and bumped > element.max_value:
        bumped = current - 1
    values[element.code] = bumped
    return unit, sub, values


def warm_up() -> None:
    """Parse every standard once, as a long-running server process already has."""
    from chuangjian.assessment.spec import spec_for
    from chuangjian.org.models import Unit
    from chuangjian.reporting.datasets import catalog
    from chuangjian.standards.models import StandardVersion

    for version in StandardVersion.objects.all():
        spec_for(version)
    cat = catalog()
    for kind, level, category in (Unit.objects.values_list("kind", "level", "category")
                                  .distinct()):
        for year in {v.year_from for v in StandardVersion.objects.all()}:
            cat.for_unit(Unit(kind=kind, level=level, category=category), year)


def incremental(year: int, n: int, results: Results, rng: random.Random) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chuangjian.assessment.freshness import refresh_stale
    from chuangjian.engine.periods import Period
    from chuangjian.org.scope import Scope
    from chuangjian.reporting import actions

    warm_up()
    refresh_stale(scope=Scope.system())  # what earlier steps marked

    samples: list[float] = []
    refreshes: list[float] = []
    refused = 0
    queries: list[int] = []
    attempts = 0
    while len(samples) < n and attempts < n * 5:
        attempts += 1
        case = _submission_case(rng, year)
        if case is None:
            continue
        unit, sub, values = case
        # Submitted on time, one hour into the period (the forms are open from its start).
        now = Period.parse(sub.period).start_instant() + dt.timedelta(hours=1)
        kwargs = {"actor": None, "unit": unit, "dataset_code": sub.dataset_code,
                  "period": sub.period, "values": values, "now": now, "scope": Scope.system()}
        if len(queries) < 3:
            try:
                with CaptureQueriesContext(connection) as ctx:
                    actions.submit_values(**kwargs)
            except actions.ReportInvalid:
                refused += 1
                continue
            queries.append(len(ctx.captured_queries))
            refresh_stale(scope=Scope.system())
            continue
        started = time.perf_counter()
        try:
            actions.submit_values(**kwargs)
        except actions.ReportInvalid:
            # The generator writes no registers: a report whose figures the registers
            # bound (e.g. 宣传到的外来务工人员数 ≤ the register's count) is refused, as it
            # would be for a clerk. Counted, not timed.
            refused += 1
            continue
        samples.append(time.perf_counter() - started)
        started = time.perf_counter()
        refresh_stale(scope=Scope.system())
        refreshes.append(time.perf_counter() - started)
    results.incremental = Timing.of("submit_values", samples)
    results.refresh = Timing.of("refresh_stale", refreshes)
    if refused:
        results.incremental_note = f"{refused} generated reports refused by validation, not timed"
    results.incremental_queries = max(queries) if queries else None


# -- dashboards -------------------------------------------------------------------------------


DASHBOARD_PAGES = ("scorecard", "league", "heatmap", "trend", "risk", "compare")
ASSESSMENT_PAGES = ("index", "run", "unit", "explain")


def _dashboard_urls(runs: Sequence[Any], rng: random.Random, n: int
                    ) -> list[tuple[str, str]]:
    """(page name, URL) pairs: the dashboards (scorecard, league table, heat map, trend,
    risk, kind comparison) and the assessment pages, for random runs and units."""
    from urllib.parse import urlencode

    from django.urls import NoReverseMatch, reverse

    from chuangjian.assessment.items import Items
    from chuangjian.assessment.models import UnitResult
    from chuangjian.assessment.spec import spec_for
    from chuangjian.org.models import Unit

    done = [r for r in runs if r.status == "done"]
    if not done:  # --keep --skip-assessment: the runs stored by an earlier benchmark
        from chuangjian.assessment.models import AssessmentRun

        done = list(AssessmentRun.objects.filter(current=True, status="done"))
    if not done:
        return []
    pages: list[tuple[str, str]] = []
    for ns, names in (("dashboards", DASHBOARD_PAGES), ("assessment", ASSESSMENT_PAGES)):
        for name in names:
            try:
                reverse(f"{ns}:{name}", args=[1, 1, "x"][:{"run": 1, "unit": 2, "explain": 3}
                                                           .get(name, 0)])
            except NoReverseMatch:
                continue
            pages.append((ns, name))
    results_of: dict[int, list[tuple[int, list[str]]]] = {}
    out: list[tuple[str, str]] = []
    for k in range(n):
        ns, name = pages[k % len(pages)]
        run = rng.choice(done)
        if run.pk not in results_of:
            rows = list(UnitResult.objects.filter(run=run).values_list("unit_id", "items"))
            spec = spec_for(run.standard)
            results_of[run.pk] = [(u, [c for c, item in read.items() if item.get("v") is not None]
                                   or list(read))
                                  for u, stored in rows
                                  for read in [Items(stored or {}, spec)]]
        unit_id, codes = rng.choice(results_of[run.pk])
        code = rng.choice(codes) if codes else ""
        if ns == "dashboards":
            unit = Unit.objects.select_related("parent").get(pk=unit_id)
            # League table, heat map and risk list are read at the level above.
            at = unit.parent if name in ("league", "heatmap", "risk") and unit.parent else unit
            query = {"unit": at.code, "standard": run.standard_code, "year": run.year,
                     "kind": run.kind}
            if name == "trend" and code:
                query["ind"] = code
            out.append((f"{ns}:{name}", f"{reverse(f'{ns}:{name}')}?{urlencode(query)}"))
        else:
            args = {"index": [], "run": [run.pk], "unit": [run.pk, unit_id],
                    "explain": [run.pk, unit_id, code]}[name]
            if name == "explain" and not code:
                continue
            out.append((f"{ns}:{name}", reverse(f"{ns}:{name}", args=args)))
    return out


# The benchmark's administrator signs in as a person does: password, then the second
# factor (动态口令) that every administrator's role needs (decision 0010).
BENCH_USER = "bench_admin"
BENCH_PASSWORD = "Bench-city-2026"  # noqa: S105 - a throwaway benchmark database's user


def sign_in(client: Any, *, username: str = BENCH_USER, password: str = BENCH_PASSWORD) -> None:
    """Sign ``client`` in through the login page and the account gate, binding an
    authenticator app on the first sign-in and typing its code afterwards, as
    ``chuangjian.web.testing.login`` does in a browser. Raises if any page of the site
    would still redirect."""
    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from chuangjian.accounts.otp import SESSION_PENDING_KEY
    from chuangjian.org import actions as org_actions
    from chuangjian.org.models import User
    from chuangjian.org.scope import Scope
    from chuangjian.web.testing import totp_code

    user = User.objects.filter(username=username).first()
    if user is None:
        user = org_actions.create_user(actor=None, scope=Scope.system(), username=username,
                                       full_name="基准测试管理员", password=password,
                                       is_superuser=True)
    elif not user.check_password(password):
        # A database kept from an older benchmark holds the user without a password; the
        # database is a throwaway one, so the benchmark gives it one directly.
        user.set_password(password)
        user.save(update_fields=["password"])
    response = client.post(reverse("web:login"), {"username": username, "password": password})
    if response.status_code != 302:
        raise RuntimeError(f"基准用户登录失败：{response.status_code}")
    home = reverse("web:home")
    response = client.get(home)
    if response.status_code == 302 and response["Location"].startswith(reverse("web:otp_enrol")):
        client.get(reverse("web:otp_enrol"))  # the page puts the key to bind in the session
        key = bytes.fromhex(client.session[SESSION_PENDING_KEY])
        client.post(reverse("web:otp_enrol"), {"token": totp_code(key)})
    elif response.status_code == 302 and response["Location"].startswith(
            reverse("web:otp_verify")):
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        # The device refuses a code it has already accepted (the last sign-in, if within
        # the same 30 seconds); a person would wait for the next code.
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
        client.post(reverse("web:otp_verify"), {"token": totp_code(device.bin_key)})
    response = client.get(home)
    if response.status_code != 200:
        raise RuntimeError(f"基准用户未能通过登录：{home} → {response.status_code} "
                           f"{response.get('Location', '')}")


def dashboards(runs: Sequence[Any], n: int, results: Results, rng: random.Random) -> None:
    from django.test import Client
    from django.test.utils import override_settings

    client = Client()
    with override_settings(ROOT_URLCONF="benchmarks.urls"):
        sign_in(client)
        _request_pages(client, runs, n, results, rng)


def _request_pages(client: Any, runs: Sequence[Any], n: int, results: Results,
                   rng: random.Random) -> None:
    urls = _dashboard_urls(runs, rng, n)
    if not urls:
        results.dashboard_note = "没有可请求的考核页面（没有完成的考核批次）"
        return
    for _name, url in urls[:5]:  # warm up templates and caches; not counted
        client.get(url)
    samples: dict[str, list[float]] = {}
    failures: list[str] = []
    for name, url in urls:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            failures.append(f"{url} → {response.status_code}")
            continue
        samples.setdefault(name, []).append(elapsed)
    everything = [s for v in samples.values() for s in v]
    results.dashboards = [Timing.of(k, v) for k, v in sorted(samples.items())]
    results.dashboards.append(Timing.of("all pages", everything))
    if failures:
        results.dashboard_note = f"{len(failures)} 个请求失败，如 {failures[0]}"


# -- ledger -----------------------------------------------------------------------------------


def ledger(results: Results, runs: Sequence[Any]) -> None:
    """``benchmarks/ledger.py`` (another engineer's) when it exists: its ``measure``."""
    try:
        from benchmarks import ledger as ledger_bench
    except ImportError:
        results.ledger = {"note": "benchmarks/ledger.py 尚不存在"}
        return
    measure: Callable[..., Any] | None = getattr(ledger_bench, "measure", None)
    if measure is None:
        results.ledger = {"note": "benchmarks/ledger.py 没有 measure()"}
        return
    figures = measure(runs=runs) if "runs" in measure.__code__.co_varnames else measure()
    results.ledger = figures if isinstance(figures, dict) else {"result": str(figures)}


# -- the table -------------------------------------------------------------------------------


def _fmt(x: float | None, unit: str = "s", digits: int = 2) -> str:
    return "—" if x is None else f"{x:.{digits}f} {unit}"


def table(r: Results) -> str:
    c = r.counts
    load = "/".join(f"{x:.1f}" for x in r.load_average)
    lines = [f"== chuangjian benchmark, size {r.size} ({r.database}), {r.date}, {r.machine}, "
             f"load average at start/end {load} ==",
             f"units {c.get('units', 0):,} (communities {c.get('communities', 0):,}) · "
             f"submissions {c.get('submissions', 0):,} · values {c.get('values', 0):,} · "
             f"rollups {c.get('rollups', 0):,}"]
    g = r.generated
    if g:
        parts = " · ".join(f"{k} {v:.1f}s" for k, v in g.get("seconds", {}).items())
        lines.append(f"generation {g.get('total_seconds', 0):.1f} s ({parts})")
    else:
        lines.append("generation: reused (--keep)")
    ratio = (r.full_seconds / r.duckdb_seconds) if r.full_seconds and r.duckdb_seconds else None
    ratio_cpu = (r.full_cpu_seconds / r.duckdb_cpu_seconds
                 if r.full_cpu_seconds and r.duckdb_cpu_seconds else None)
    ratio_inputs = (r.inputs_seconds / r.duckdb_seconds
                    if r.inputs_seconds and r.duckdb_seconds else None)
    rows = [
        (f"full assessment (all standards, all roots; {r.full_processes} "
         f"process{'es' if r.full_processes > 1 else ''})", _fmt(r.full_seconds),
         f"≤ {AIMS['full_s']:.0f} s (L)"),
        ("  CPU seconds (its processes, time.process_time)", _fmt(r.full_cpu_seconds), ""),
        ("  inputs from rollups only (full_inputs)", _fmt(r.inputs_seconds, digits=3), ""),
        ("DuckDB reference (raw values, in memory)", _fmt(r.duckdb_seconds, digits=3),
         f"raw load {_fmt(r.raw_load_seconds, digits=1)}, not timed"),
        ("ratio full assessment / DuckDB", "—" if ratio is None else f"{ratio:.1f}×",
         f"≤ {AIMS['ratio']:.0f}×"),
        ("ratio in CPU seconds", "—" if ratio_cpu is None else f"{ratio_cpu:.1f}×",
         f"DuckDB CPU {_fmt(r.duckdb_cpu_seconds, digits=3)} (its threads included)"),
        ("ratio inputs / DuckDB", "—" if ratio_inputs is None else f"{ratio_inputs:.1f}×", ""),
        ("figures equal to DuckDB", {True: "yes", False: "NO", None: "—"}[r.reference_equal],
         r.reference_detail),
    ]
    if r.incremental:
        t = r.incremental
        rows.append((f"incremental submit_values (n={t.n})",
                     f"p50 {t.p50_ms:.0f} ms · p95 {t.p95_ms:.0f} ms",
                     f"≤ {AIMS['incremental_ms']:.0f} ms; {r.incremental_queries} queries"))
    if r.incremental_note:
        rows.append(("incremental", r.incremental_note, ""))
    if r.refresh:
        t = r.refresh
        rows.append((f"refresh job after one submission (n={t.n})",
                     f"p50 {t.p50_ms:.0f} ms · p95 {t.p95_ms:.0f} ms",
                     "after commit, off the submission's path"))
    for t in r.dashboards:
        rows.append((f"dashboard {t.name} (n={t.n})", f"p50 {t.p50_ms:.0f} ms · p95 {t.p95_ms:.0f} ms",
                     f"p95 ≤ {AIMS['dashboard_p95_ms']:.0f} ms"))
    if r.dashboard_note:
        rows.append(("dashboards", r.dashboard_note, ""))
    for k, v in r.ledger.items():
        rows.append((f"ledger {k}", str(v), ""))
    width = max(len(a) for a, _b, _c in rows) + 2
    for a, b, cc in rows:
        lines.append(f"{a.ljust(width)}{b.ljust(28)}{cc}")
    if r.full_by_standard:
        lines.append("per standard: " + ", ".join(f"{k} {v:.2f}s"
                                                   for k, v in r.full_by_standard.items()))
    return "\n".join(lines)


# -- main -------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> Results:
    parser = argparse.ArgumentParser(description="城市规模基准测试")
    parser.add_argument("--size", choices=["T", "S", "M", "L"], default="S")
    parser.add_argument("--keep", action="store_true", help="复用已生成的数据库（不重新生成）")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--submissions", type=int, default=50)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--profile", action="store_true", help="cProfile 全量考核（单进程）")
    parser.add_argument("--processes", type=int, default=None, metavar="N",
                        help="全量考核的进程数（默认与产品相同：设置 ASSESSMENT_PROCESSES）")
    parser.add_argument("--skip-assessment", action="store_true")
    parser.add_argument("--assessment-only", type=int, default=0, metavar="N",
                        help="只测全量考核，连续 N 次（每次先删除以前的考核批次），用于前后对比")
    parser.add_argument("--ledger", action=argparse.BooleanOptionalAction, default=None,
                        help="台账基准（benchmarks/ledger.py，约半分钟）；默认 M、L 运行，S 不运行")
    args = parser.parse_args(argv)

    from benchmarks import generate as gen

    url = args.database_url or default_url(args.size)
    target = sqlite_file(url)
    reuse = args.keep and (target is None or target.exists())
    gen.prepare_database(url, fresh=not reuse and target is not None)
    from django.db import connection

    from chuangjian.lib.process import settle

    settle()  # as every process of the product once started (wsgi, the command line)
    if args.processes is None:
        from django.conf import settings

        args.processes = settings.ASSESSMENT_PROCESSES

    results = Results(size=args.size, database=connection.vendor,
                      date=dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
                      machine=machine())
    if reuse and has_city():
        _say("复用已生成的合成城市（--keep）")
    else:
        if has_city():
            raise SystemExit("数据库中已有合成城市：加 --keep 复用，或换一个空数据库")
        generated = gen.generate(args.size, seed=args.seed)
        results.generated = {**asdict(generated), "total_seconds": generated.total_seconds}
    results.counts = counts()
    results.load_average.append(os.getloadavg()[0])
    year = last_year()
    rng = random.Random(args.seed)

    if args.assessment_only:
        repeat_assessment(year, args.assessment_only, results, processes=args.processes,
                          profile=args.profile)
        if results.profile_top:
            print(results.profile_top)
        return results
    _say(f"全量考核 {year} 年 …")
    runs: list[Any] = []
    if not args.skip_assessment:
        if reuse:
            cleared, rows = clear_earlier_runs()
            _say(f"  先删除以前基准留下的 {cleared:,} 个考核批次（{rows:,} 行结果）")
        try:
            runs = full_assessment(year, results, processes=args.processes, profile=args.profile)
        except ImportError as error:  # the assessment core not there yet
            results.full_note = f"考核模块不可用：{error}"

    from benchmarks import reference

    _say("DuckDB 参照 …")
    raw = reference.load_raw()
    results.raw_load_seconds = raw.load_seconds
    ref = reference.compute(raw)
    results.duckdb_seconds = ref.seconds
    results.duckdb_cpu_seconds = ref.cpu_seconds
    mine = reference.ours(raw)
    results.inputs_seconds = mine.seconds
    comparison = reference.compare(mine, ref, raw)
    results.reference_equal = comparison.equal
    results.reference_detail = (f"{comparison.compared:,} figures" if comparison.equal else
                                f"{comparison.different} differ, {comparison.only_ours} only ours, "
                                f"{comparison.only_reference} only DuckDB: "
                                + "; ".join(comparison.examples[:3]))

    _say(f"增量更新：{args.submissions} 次上报 …")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
    incremental(year, args.submissions, results, rng)
    if args.profile:
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats("chuangjian", 25)
        results.profile_top += "\n== incremental ==\n" + out.getvalue()
        stats.dump_stats(str(BENCH_DIR / f"incremental-{args.size}.prof"))
    _say(f"看板：{args.requests} 次请求 …")
    dashboards(runs, args.requests, results, rng)
    # The ledger's own benchmark takes ~30 s whatever the size: S stays under a minute.
    if args.ledger or (args.ledger is None and args.size in ("M", "L")):
        _say("台账 …")
        ledger(results, runs)
    else:
        results.ledger = {"note": "未运行（--ledger 运行）"}

    results.load_average.append(os.getloadavg()[0])
    text = table(results)
    print()
    print(text)
    if results.profile_top:
        print(results.profile_top)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    saved = BENCH_DIR / f"results-{args.size}.json"
    saved.write_text(json.dumps(asdict(results), ensure_ascii=False, indent=2, default=str),
                     encoding="utf-8")
    _say(f"结果 → {saved}")
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
