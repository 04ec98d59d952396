"""The 16:00 burst (16:00 上报高峰): clerks submitting their reports over HTTP at once.

    python -m benchmarks.burst [--size T|S|M|L] [--window 300] [--ramp 60] [--clerks N]

What it does, in order, stopping every process it started on the way out (also on
Ctrl-C or an error):

1. starts a throwaway PostgreSQL cluster on a free 127.0.0.1 port, the way ``.ci/run``
   starts CI's (``benchmarks.postgres``), and migrates it;
2. generates a synthetic city of ``--size`` (``benchmarks.generate``), leaving the
   periods the clerks file now unreported, and runs the full assessment once, so that
   there are current results for the submissions to make stale;
3. creates one clerk (工作人员) for each 管区 and community that owes a report of
   ``--kinds`` now, with the product's actions under ``Scope.system()``;
4. starts gunicorn (``--workers`` 4) and one queue worker (``jobs_worker``, which runs
   the coalesced refresh of decision 0033) on 127.0.0.1;
5. logs every clerk in through the login page (CSRF cookie and token as a browser
   sends them), then, within ``--window`` seconds, has each clerk open the report form,
   submit it (the web form is what a clerk's browser uses) and follow the redirect;
   clerks start at instants spread over the first ``--ramp`` seconds, at most
   ``--concurrency`` at a time;
6. waits until no stale mark is left (every affected result fresh) and counts the
   stored submissions against the acknowledged ones.

It prints throughput, p50/p95/p99 of the submit request, errors by status, stored
against sent, the freshness delay after the last submission and the load average
(the machine is shared), and writes them to ``var/bench/burst-<size>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from benchmarks.environment import BENCH_DIR, ROOT

PASSWORD = "Burst-Clerk-2026!"  # noqa: S105 - a throwaway database's clerks
CLERK_PREFIX = "burst_"
# The web form's answer when figures far from the unit's usual ones need a reason.
REASON_ASKED = 'name="warning_reason"'
REASON = "基准测试：数据已核实"


def _say(message: str) -> None:
    print(message, flush=True)


# -- what the clerks file ------------------------------------------------------------------


@dataclass
class Report:
    """One report a clerk files: a unit's merged data set for one period, with values."""

    unit: str
    dataset: str
    period: str
    kind: str  # day, month, quarter …
    values: dict[str, str]
    path: str = ""  # of the web form

    def __post_init__(self) -> None:
        if not self.path:
            from django.urls import reverse

            self.path = reverse("reporting:form", args=[self.unit, self.dataset, self.period])


@dataclass
class Clerk:
    username: str
    unit: str
    reports: list[Report]


def current_periods(today: dt.date, kinds: Sequence[str]) -> dict[str, str]:
    """Period type → the period containing ``today`` (``2026-12-03``, ``2026Q4`` …)."""
    from chuangjian.engine.periods import Period, PeriodType

    return {k: str(Period.containing(PeriodType(k), today)) for k in kinds}


def _previous_values(unit: Any, ds: Any, period: Any) -> dict[str, str] | None:
    """The figures of the unit's latest earlier report of ``ds`` (a clerk copying
    yesterday's sheet): numbers the rules and the outlier check expect."""
    from chuangjian.reporting.models import DataValue
    from chuangjian.reporting.values import format_number

    codes = {e.pk: e.code for e in ds.elements}
    earlier = period.previous()
    for _ in range(12):
        rows = DataValue.objects.filter(unit=unit, period=str(earlier), element__in=list(codes))
        found = {codes[v.element_id]: (format_number(v.number) if v.number is not None else v.text)
                 for v in rows}
        if len(found) == len(codes):
            return found
        earlier = earlier.previous()
    return None


def plan_clerks(*, today: dt.date, kinds: Sequence[str], limit: int | None,
                rng: random.Random) -> tuple[list[Clerk], list[str]]:
    """Every 管区 and community of the city that owes a report of ``kinds`` for the
    period containing ``today``, with the values it will send; and notes."""
    from benchmarks.generate import UNIT_CODE_PREFIX
    from chuangjian.engine.periods import Period
    from chuangjian.org.levels import Kind, Level
    from chuangjian.org.models import Unit
    from chuangjian.reporting.datasets import catalog

    cat = catalog()
    units = list(Unit.objects.filter(code__startswith=UNIT_CODE_PREFIX, kind=Kind.AREA,
                                     level__in=[Level.AREA, Level.COMMUNITY],
                                     closed_on__isnull=True).order_by("path"))
    rng.shuffle(units)
    clerks: list[Clerk] = []
    owed: Counter[str] = Counter()
    notes: list[str] = []
    for unit in units:
        if limit is not None and len(clerks) >= limit:
            break
        reports = []
        for ds in cat.for_unit(unit, today.year).values():
            if ds.period_type.value not in kinds or not ds.elements:
                continue
            period = Period.containing(ds.period_type, today)
            values = _previous_values(unit, ds, period)
            if values is None:
                notes.append(f"{unit.code} {ds.code}: no earlier report to copy, skipped")
                continue
            reports.append(Report(unit.code, ds.code, str(period), ds.period_type.value, values))
            owed[ds.period_type.value] += 1
        if reports:
            clerks.append(Clerk(f"{CLERK_PREFIX}{unit.code}", unit.code, reports))
    missing = [k for k in kinds if not owed[k]]
    if missing:
        notes.append("no unit owes a typed report of " + ", ".join(missing)
                     + " (the built-in standards compute those figures from records)")
    return clerks, notes


def create_clerks(clerks: Sequence[Clerk]) -> None:
    """One 工作人员 (worker role) per unit, by the product's own actions.

    The password is hashed once (PBKDF2, ~0.5 s) and that hash copied to every clerk:
    3,000 separate hashes would take most of half an hour and measure nothing the
    burst is about. The login page still verifies it as for anyone.
    """
    from chuangjian.org import actions
    from chuangjian.org.models import Role, Unit, User
    from chuangjian.org.scope import Scope

    units = {u.code: u for u in Unit.objects.filter(code__in=[c.unit for c in clerks])}
    created = []
    for k, clerk in enumerate(clerks):
        user = actions.create_user_with_membership(
            actor=None, scope=Scope.system(), username=clerk.username,
            full_name=f"{units[clerk.unit].name}填报员", password=PASSWORD if k == 0 else None,
            unit=units[clerk.unit], role=Role.WORKER)
        created.append(user.pk)
    if created:
        hashed = User.objects.get(pk=created[0]).password
        User.objects.filter(pk__in=created[1:]).update(password=hashed)


def grant_exceptions(clerks: Sequence[Clerk], *, until: dt.datetime) -> int:
    """Reports that lock at a deadline falling before ``until`` (the daily 16:00 one when
    the benchmark runs late in the day) get the level above's exception (例外), as a
    street grants one: accepted after the deadline, and then counted late."""
    from chuangjian.engine.periods import Period
    from chuangjian.org.models import Unit
    from chuangjian.org.scope import Scope
    from chuangjian.reporting import actions
    from chuangjian.reporting.datasets import catalog

    granted = 0
    for clerk in clerks:
        unit = Unit.objects.get(code=clerk.unit)
        for report in clerk.reports:
            ds = catalog().dataset(unit, report.dataset, Period.parse(report.period).start.year)
            if ds is None or not ds.lock_after_deadline:
                continue
            if ds.deadline_for(Period.parse(report.period)) >= until:
                continue
            actions.grant_exception(actor=None, unit=unit, dataset_code=report.dataset,
                                    period=report.period, until=until, scope=Scope.system(),
                                    reason="基准测试在截止时间之后运行，批准例外以便上报")
            granted += 1
    return granted


# -- processes ---------------------------------------------------------------------------------


def _child_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ENV", "DATABASE_REPLICA_URL")}
    env.update({"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "chuangjian.settings",
                "PYTHONUNBUFFERED": "1"})
    return env


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-3000:]}") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not listen within {timeout:.0f} s") from None
            time.sleep(0.3)


@contextmanager
def started(argv: list[str], *, env: dict[str, str], log: Path, name: str
            ) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``argv`` in its own process group; on leaving, SIGTERM that group (ours),
    then SIGKILL it if it has not stopped within 20 s."""
    with open(log, "wb") as out:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out,  # noqa: S603 - our own arguments
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                _say(f"{name} did not stop after SIGTERM; killing it")
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            except ProcessLookupError:
                pass


# -- the HTTP client ------------------------------------------------------------------------


CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_FIELD = re.compile(r'name="version" value="(\d+)"')
ALERT = re.compile(r'class="alert alert-danger[^"]*">(.*?)</div>', re.S)


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str
    seconds: float


class Browser:
    """One clerk's browser: cookies kept between requests, one connection per request
    (gunicorn's sync workers close it after each answer), loopback only."""

    def __init__(self, port: int, timeout: float = 120) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        headers = {"Host": f"127.0.0.1:{self.port}", "Accept-Language": "zh-CN"}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started_at = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            text = raw.read().decode("utf-8", "replace")
        finally:
            conn.close()
        elapsed = time.perf_counter() - started_at
        for header in raw.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(raw.status, raw.headers, text, elapsed)

    def login(self, username: str, password: str) -> Response:
        page = self.request("GET", "/login/")
        token = CSRF_FIELD.search(page.body)
        if page.status != 200 or token is None:
            return page
        return self.request("POST", "/login/", {"csrfmiddlewaretoken": token.group(1),
                                                "username": username, "password": password})


@dataclass
class Tally:
    """What the clerks saw; appended to from the client threads under ``lock``."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    submit_seconds: list[float] = field(default_factory=list)  # successful submit POSTs
    errors: Counter[str] = field(default_factory=Counter)  # "submit 500", "form 302" …
    error_examples: dict[str, str] = field(default_factory=dict)
    acknowledged: list[Report] = field(default_factory=list)
    sent: int = 0
    reasons_asked: int = 0
    # Double submissions (two tabs, a double click): outcome ("302+409") → count.
    doubles: Counter[str] = field(default_factory=Counter)
    refused_stale: int = 0  # the losing half of a double submission, as expected
    not_started: int = 0  # clerks whose turn came after the window closed
    start_lag: list[float] = field(default_factory=list)
    first_sent: float | None = None
    last_answer: float | None = None

    def error(self, key: str, example: str) -> None:
        with self.lock:
            self.errors[key] += 1
            self.error_examples.setdefault(key, example[:300])


def _problem(response: Response) -> str:
    alerts = [re.sub(r"<[^>]+>", "", a).strip() for a in ALERT.findall(response.body)]
    location = response.headers.get("Location", "")
    return "; ".join(a for a in alerts if a) or location or response.body[:200]


STALE = "该报表已被他人更新"


def _post_twice(browser: Browser, path: str, fields: dict[str, str]) -> list[Response | OSError]:
    """The same form posted twice at once (two tabs opened at the same version)."""
    answers: list[Response | OSError] = [OSError("not sent"), OSError("not sent")]
    gate = threading.Barrier(2)

    def post(k: int) -> None:
        gate.wait()
        try:
            answers[k] = browser.request("POST", path, fields)
        except OSError as error:
            answers[k] = error

    threads = [threading.Thread(target=post, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def _double(browser: Browser, report: Report, fields: dict[str, str], tally: Tally
            ) -> Response | None:
    """Both tabs submit: exactly one must be acknowledged and the other refused as stale
    (「该报表已被他人更新」, 409), never a server error. The acknowledged answer, or None."""
    answers = _post_twice(browser, report.path, fields)
    with tally.lock:
        tally.sent += 1
        tally.doubles["+".join(sorted(str(a.status) if isinstance(a, Response)
                                      else type(a).__name__ for a in answers))] += 1
    won = [a for a in answers if isinstance(a, Response) and a.status == 302]
    lost = [a for a in answers if isinstance(a, Response) and a.status == 409 and STALE in a.body]
    if len(won) == 1 and len(lost) == 1:
        with tally.lock:
            tally.refused_stale += 1
        return won[0]
    for a in answers:
        if a not in won[:1]:
            key = (f"double submit {a.status}" if isinstance(a, Response)
                   else f"double submit {type(a).__name__}")
            tally.error(key, f"{report.path}: {_problem(a) if isinstance(a, Response) else a}")
    return won[0] if won else None


def file_report(browser: Browser, report: Report, tally: Tally, *, double: bool = False) -> None:
    """Open the form, submit it as the browser does (twice at once when ``double``),
    follow the redirect."""
    form = browser.request("GET", report.path)
    token = CSRF_FIELD.search(form.body)
    version = VERSION_FIELD.search(form.body)
    if form.status != 200 or token is None or version is None:
        tally.error(f"form GET {form.status}", f"{report.path}: {_problem(form)}")
        return
    fields = {"csrfmiddlewaretoken": token.group(1), "version": version.group(1),
              "action": "submit", **{f"v_{c}": v for c, v in report.values.items()}}
    with tally.lock:
        tally.sent += 1
        now = time.monotonic()
        tally.first_sent = now if tally.first_sent is None else min(tally.first_sent, now)
    if double:
        doubled = _double(browser, report, fields, tally)
        if doubled is None:
            return
        answer = doubled
    else:
        answer = browser.request("POST", report.path, fields)
    if answer.status == 400 and REASON_ASKED in answer.body:
        # Figures far from the unit's usual ones: the clerk confirms them with a reason,
        # as the form asks; the second request is the submission.
        with tally.lock:
            tally.reasons_asked += 1
        token = CSRF_FIELD.search(answer.body)
        fields["csrfmiddlewaretoken"] = token.group(1) if token else fields["csrfmiddlewaretoken"]
        answer = browser.request("POST", report.path, {**fields, "warning_reason": REASON})
    done = time.monotonic()
    location = answer.headers.get("Location", "")
    if answer.status == 302 and urlsplit(location).path == report.path:
        with tally.lock:
            tally.submit_seconds.append(answer.seconds)
            tally.acknowledged.append(report)
            tally.last_answer = done if tally.last_answer is None else max(tally.last_answer, done)
        shown = browser.request("GET", location)
        if shown.status != 200:
            tally.error(f"form after submit {shown.status}", f"{report.path}: {_problem(shown)}")
    else:
        tally.error(f"submit {answer.status}", f"{report.path}: {_problem(answer)}")


# -- the phases ---------------------------------------------------------------------------


def _percentile(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def log_in(clerks: Sequence[Clerk], port: int, concurrency: int, stop: threading.Event
           ) -> tuple[dict[str, Browser], Counter[str], list[float]]:
    browsers: dict[str, Browser] = {}
    failures: Counter[str] = Counter()
    seconds: list[float] = []
    lock = threading.Lock()

    def one(clerk: Clerk) -> None:
        if stop.is_set():
            return
        browser = Browser(port)
        try:
            answer = browser.login(clerk.username, PASSWORD)
        except OSError as error:
            with lock:
                failures[f"login {type(error).__name__}"] += 1
            return
        with lock:
            if answer.status == 302 and "sessionid" in browser.cookies:
                browsers[clerk.username] = browser
                seconds.append(answer.seconds)
            else:
                failures[f"login {answer.status}"] += 1

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        try:
            list(pool.map(one, clerks))
        except BaseException:
            stop.set()  # Ctrl-C: the clerks not yet started give up at once
            raise
    return browsers, failures, seconds


def burst(clerks: Sequence[Clerk], browsers: dict[str, Browser], *, window: float, ramp: float,
          concurrency: int, rng: random.Random, stop: threading.Event,
          double_share: float = 0.0) -> Tally:
    """Each clerk starts at a random instant of the first ``ramp`` seconds (at most
    ``concurrency`` clerks busy at once); nobody starts once ``window`` has passed.
    A ``double_share`` of the reports is submitted twice at once (two tabs)."""
    tally = Tally()
    doubled = {r.path for c in clerks for r in c.reports if rng.random() < double_share}
    starts = sorted(rng.uniform(0, ramp) for _ in clerks)
    order = list(clerks)
    rng.shuffle(order)
    t0 = time.monotonic()

    def one(clerk: Clerk, offset: float) -> None:
        wait = t0 + offset - time.monotonic()
        if wait > 0 and stop.wait(wait):
            return
        now = time.monotonic()
        if stop.is_set() or now - t0 > window:
            with tally.lock:
                tally.not_started += 1
            return
        with tally.lock:
            tally.start_lag.append(max(0.0, now - t0 - offset))
        browser = browsers[clerk.username]
        for report in clerk.reports:
            try:
                file_report(browser, report, tally, double=report.path in doubled)
            except OSError as error:  # refused, reset, timed out
                tally.error(f"connection {type(error).__name__}", f"{report.path}: {error}")

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(one, c, s) for c, s in zip(order, starts, strict=True)]
        try:
            for future in futures:
                future.result()
        except BaseException:
            stop.set()  # Ctrl-C: waiting clerks give up, requests in flight finish
            raise
    return tally


def wait_until_fresh(since: float, timeout: float, stop: threading.Event) -> float | None:
    """Seconds from ``since`` (the last acknowledged submission) until no stale mark is
    left, i.e. every result the submissions touched has been recomputed
    (``sources.models.Change`` is where staleness is recorded); None after ``timeout``."""
    from django.db import connection

    from chuangjian.sources.models import Change

    deadline = time.monotonic() + timeout
    while not stop.is_set():
        if not Change.objects.exists():
            return time.monotonic() - since
        if time.monotonic() > deadline:
            return None
        connection.close()  # a fresh snapshot each time, never an idle transaction
        time.sleep(0.2)
    return None


def count_stored(acknowledged: Sequence[Report]) -> tuple[int, list[str]]:
    """How many acknowledged reports are stored as sent: a submitted report row of that
    unit, data set and period, and every value equal to the one sent."""
    from decimal import Decimal

    from chuangjian.org.models import Unit
    from chuangjian.reporting.models import DataValue, Status, Submission

    units = {u.code: u for u in Unit.objects.filter(code__in={r.unit for r in acknowledged})}
    stored, problems = 0, []
    for report in acknowledged:
        unit = units[report.unit]
        sub = Submission.objects.filter(unit=unit, dataset_code=report.dataset,
                                        period=report.period).first()
        if sub is None or sub.status != Status.SUBMITTED or sub.version < 1:
            problems.append(f"{report.path}: {'no row' if sub is None else sub.status}")
            continue
        values = {v.element.code: v for v in DataValue.objects.filter(
            unit=unit, period=report.period, element__code__in=list(report.values))
            .select_related("element")}
        wrong = [c for c, sent in report.values.items() if c not in values or (
            Decimal(sent) != values[c].number if values[c].number is not None
            else sent != values[c].text)]
        if wrong:
            problems.append(f"{report.path}: {', '.join(wrong)} not as sent")
            continue
        stored += 1
    return stored, problems


# -- results -----------------------------------------------------------------------------


@dataclass
class Results:
    size: str
    date: str
    machine: str
    command: str
    load_average: dict[str, list[float]] = field(default_factory=dict)
    setup_seconds: dict[str, float] = field(default_factory=dict)
    clerks: int = 0
    reports: dict[str, int] = field(default_factory=dict)  # by period type
    periods: dict[str, str] = field(default_factory=dict)
    exceptions_granted: int = 0
    logins: int = 0
    login_failures: dict[str, int] = field(default_factory=dict)
    login_p50_ms: float = float("nan")
    window_s: float = 0.0
    ramp_s: float = 0.0
    concurrency: int = 0
    workers: int = 0
    sent: int = 0
    acknowledged: int = 0
    stored: int = 0
    lost: int = 0
    lost_examples: list[str] = field(default_factory=list)
    not_started: int = 0
    reasons_asked: int = 0
    doubles: dict[str, int] = field(default_factory=dict)
    refused_stale: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    error_examples: dict[str, str] = field(default_factory=dict)
    burst_seconds: float = 0.0
    throughput_per_s: float = 0.0
    submit_p50_ms: float = float("nan")
    submit_p95_ms: float = float("nan")
    submit_p99_ms: float = float("nan")
    submit_max_ms: float = float("nan")
    start_lag_p95_s: float = float("nan")
    # Inside gunicorn (from the worker taking the request to its answer, without the
    # wait for a free worker): request kind → p50, p95, p99 ms.
    served_ms: dict[str, list[float]] = field(default_factory=dict)
    fresh: bool = False
    fresh_after_s: float | None = None
    refresh_jobs: dict[str, int] = field(default_factory=dict)
    refresh_busy_s: float = 0.0  # the queue worker's time in refresh jobs, from set-up to the end
    refresh_error: str = ""
    server_tracebacks: int = 0
    postgres_errors: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def table(r: Results) -> str:
    load = " · ".join(f"{k} {'/'.join(f'{x:.1f}' for x in v)}" for k, v in r.load_average.items())
    setup = " · ".join(f"{k} {v:.1f}s" for k, v in r.setup_seconds.items())
    kinds = ", ".join(f"{n} {k}" for k, n in r.reports.items())
    periods = ", ".join(f"{k} {p}" for k, p in r.periods.items())
    errors = ", ".join(f"{k}: {n}" for k, n in sorted(r.errors.items())) or "none"
    rows = [
        ("clerks logged in", f"{r.logins} of {r.clerks}"
         + (f" (failed: {r.login_failures})" if r.login_failures else "")
         + f", login p50 {r.login_p50_ms:.0f} ms"),
        ("reports owed", f"{kinds} ({periods})"),
        ("window / ramp / clients / gunicorn workers",
         f"{r.window_s:.0f} s / {r.ramp_s:.0f} s / {r.concurrency} / {r.workers} + 1 queue worker"
         + (f" (offered {sum(r.reports.values()) / r.ramp_s:.1f} reports/s)" if r.ramp_s else
            " (all at once)")),
        ("submissions sent / acknowledged / stored", f"{r.sent} / {r.acknowledged} / {r.stored}"),
        ("lost (acknowledged, not stored as sent)", str(r.lost)),
        ("not started (window over)", str(r.not_started)),
        ("errors by status", errors),
        ("throughput", f"{r.throughput_per_s:.2f} submissions/s over {r.burst_seconds:.1f} s"),
        ("submit request p50 / p95 / p99 / max",
         f"{r.submit_p50_ms:.0f} / {r.submit_p95_ms:.0f} / {r.submit_p99_ms:.0f} / "
         f"{r.submit_max_ms:.0f} ms"),
        *((f"  inside gunicorn: {k} p50 / p95 / p99",
           " / ".join(f"{x:.0f}" for x in v[1:]) + f" ms (n={v[0]:.0f})")
          for k, v in r.served_ms.items()),
        ("clients' start lag p95", f"{r.start_lag_p95_s:.2f} s"),
        ("outlier reasons asked and given", str(r.reasons_asked)),
        ("double submissions (outcomes)", ", ".join(f"{k}: {n}" for k, n in r.doubles.items())
         + f"; refused as stale as expected: {r.refused_stale}" if r.doubles else "none"),
        ("fresh after the last submission",
         f"{r.fresh_after_s:.1f} s" if r.fresh and r.fresh_after_s is not None else "NOT FRESH"),
        ("refresh jobs (by status)", ", ".join(f"{k} {n}" for k, n in r.refresh_jobs.items())
         + f", {r.refresh_busy_s:.0f} s running in all"
         + (f"; last error: {r.refresh_error}" if r.refresh_error else "")),
        ("server tracebacks / PostgreSQL errors",
         f"{r.server_tracebacks} / {r.postgres_errors or 'none'}"),
        ("deadline exceptions granted", str(r.exceptions_granted)),
    ]
    width = max(len(a) for a, _b in rows) + 2
    lines = [f"== 16:00 burst, size {r.size}, PostgreSQL, {r.date}, {r.machine} ==",
             f"command: {r.command}", f"load average (1/5/15 min): {load}", f"setup: {setup}"]
    lines += [f"{a.ljust(width)}{b}" for a, b in rows]
    lines += [f"error example — {k}: {v}" for k, v in r.error_examples.items()]
    lines += [f"lost — {x}" for x in r.lost_examples[:5]]
    lines += [f"note: {n}" for n in r.notes]
    return "\n".join(lines)


# -- main -------------------------------------------------------------------------------------


def _interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> Results:
    from benchmarks.run import machine

    parser = argparse.ArgumentParser(description="16:00 上报高峰基准测试（PostgreSQL + gunicorn）")
    parser.add_argument("--size", choices=["T", "S", "M", "L"], default="M")
    parser.add_argument("--clerks", type=int, default=None, help="最多多少名填报员（默认全部）")
    parser.add_argument("--kinds", default="day,month,quarter",
                        help="填报哪些周期的报表（默认 day,month,quarter：每个单位当前最短的那张）")
    parser.add_argument("--window", type=float, default=300.0, help="上报窗口（秒），之后不再开始新的上报")
    parser.add_argument("--ramp", type=float, default=None, help="填报员开始的时刻分布在前多少秒（默认 min(60, 窗口/2)）")
    parser.add_argument("--concurrency", type=int, default=32, help="同时在提交的填报员（浏览器）数")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn 进程数")
    parser.add_argument("--fresh-timeout", type=float, default=300.0)
    parser.add_argument("--double-submit", type=float, default=0.0,
                        help="这一比例的报表同时提交两次（两个标签页、双击），应一次成功、一次提示已被他人更新")
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--json", type=Path, default=None, help="结果文件（默认 var/bench/burst-<size>.json）")
    args = parser.parse_args(argv)
    ramp = args.ramp if args.ramp is not None else min(60.0, args.window / 2)
    if ramp > args.window:
        parser.error("--ramp 不能大于 --window")

    results = Results(size=args.size, machine=machine(),
                      date=dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
                      command="python -m benchmarks.burst " + " ".join(argv or sys.argv[1:]),
                      window_s=args.window, ramp_s=ramp, concurrency=args.concurrency,
                      workers=args.workers)
    results.load_average["start"] = _load()
    logs = BENCH_DIR / f"burst-{args.size}-logs"
    logs.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with ExitStack() as stack:
            _run(args, ramp, results, logs, stack, stop)
    except KeyboardInterrupt:
        stop.set()
        _say("中断：已停止所有启动的进程")
        raise SystemExit(130) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
    results.load_average["end"] = _load()
    _say("")
    _say(table(results))
    saved = args.json or BENCH_DIR / f"burst-{args.size}.json"
    saved.write_text(json.dumps(asdict(results), ensure_ascii=False, indent=2, default=str),
                     encoding="utf-8")
    _say(f"结果 → {saved}")
    return results


def _run(args: argparse.Namespace, ramp: float, results: Results, logs: Path, stack: ExitStack,
         stop: threading.Event) -> None:
    from benchmarks.postgres import free_port, throwaway_cluster

    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        results.setup_seconds[name] = now - clock
        clock = now

    _say("启动 PostgreSQL …")
    # Lock waits over deadlock_timeout (1 s) are logged, so the log shows any submission
    # that queued behind another transaction.
    cluster = stack.enter_context(throwaway_cluster(options="-c log_lock_waits=on"))
    stack.callback(_postgres_errors, cluster.log, logs, results)
    from benchmarks import generate

    generate.prepare_database(cluster.url, fresh=False)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("createcachetable", verbosity=0)
    stack.callback(connection.close)
    lap("postgres + migrate")

    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    today = timezone.localdate()
    results.periods = current_periods(today, kinds)
    _say(f"生成合成城市 {args.size}（{', '.join(results.periods.values())} 留待上报）…")
    generate.generate(args.size, seed=args.seed, progress=lambda _m: None,
                      unreported=set(results.periods.values()))
    lap("generate")

    from benchmarks import run as bench_run

    _say("全量考核（之后的上报使其结果过时）…")
    scratch = bench_run.Results(size=args.size, database="postgresql", date="", machine="")
    bench_run.full_assessment(today.year, scratch)
    bench_run.warm_up()
    lap("full assessment")

    rng = random.Random(args.seed)
    clerks, notes = plan_clerks(today=today, kinds=kinds, limit=args.clerks, rng=rng)
    results.notes += notes
    results.clerks = len(clerks)
    results.reports = dict(Counter(r.kind for c in clerks for r in c.reports))
    create_clerks(clerks)
    window_end = timezone.now() + dt.timedelta(seconds=args.window + 3600)
    results.exceptions_granted = grant_exceptions(clerks, until=window_end)
    if results.exceptions_granted:
        results.notes.append(f"the run may pass a locking deadline (the daily 16:00): "
                             f"{results.exceptions_granted} reports got a deadline exception "
                             "first; those filed after the deadline count late")
    lap("clerks")
    connection.close()

    env = _child_env(cluster.url)
    port = free_port()
    access = logs / "access.log"
    access.unlink(missing_ok=True)
    _say(f"启动 gunicorn（{args.workers} 个进程）和队列进程，127.0.0.1:{port} …")
    server = stack.enter_context(started(
        [str(Path(sys.executable).parent / "gunicorn"), "chuangjian.wsgi", "-b", f"127.0.0.1:{port}",
         "-w", str(args.workers), "--timeout", "120", "--access-logfile", str(access),
         "--access-logformat", ACCESS_FORMAT], env=env, log=logs / "gunicorn.log",
        name="gunicorn"))
    stack.enter_context(started(
        [sys.executable, "manage.py", "jobs_worker", "--interval", "0.5"], env=env,
        log=logs / "jobs_worker.log", name="jobs_worker"))
    _wait_for_port(port, server, logs / "gunicorn.log", timeout=120)
    lap("start servers")

    _say(f"{len(clerks)} 名填报员登录 …")
    browsers, failures, login_seconds = log_in(clerks, port, args.concurrency, stop)
    results.logins = len(browsers)
    results.login_failures = dict(failures)
    results.login_p50_ms = statistics.median(login_seconds) * 1000 if login_seconds else float("nan")
    # Warm every gunicorn worker (templates, the standards catalogue) as a server that
    # has been up since morning is: a few form pages, not counted.
    warm = [c for c in clerks if c.username in browsers][:args.workers * 4]
    for clerk in warm:
        browsers[clerk.username].request("GET", clerk.reports[0].path)
    lap("log in")

    time.sleep(1)  # gunicorn logs a request after answering it: let the warm-up's lines land
    results.load_average["before burst"] = _load()
    access_offset = access.stat().st_size if access.exists() else 0
    _say(f"上报高峰：窗口 {args.window:.0f} 秒，{ramp:.0f} 秒内陆续开始 …")
    ready = [c for c in clerks if c.username in browsers]
    tally = burst(ready, browsers, window=args.window, ramp=ramp, concurrency=args.concurrency,
                  rng=rng, stop=stop, double_share=args.double_submit)
    results.load_average["after burst"] = _load()
    _summarise(tally, results)
    results.served_ms = served(access, access_offset)

    _say("等待结果更新 …")
    if tally.last_answer is not None:
        fresh_after = wait_until_fresh(tally.last_answer, args.fresh_timeout, stop)
        results.fresh = fresh_after is not None
        results.fresh_after_s = fresh_after
    else:
        results.fresh = False
    _refresh_jobs(results)
    results.stored, problems = count_stored(tally.acknowledged)
    results.lost = results.acknowledged - results.stored
    results.lost_examples = problems[:20]
    results.server_tracebacks = (logs / "gunicorn.log").read_text(errors="replace").count("Traceback") + \
        (logs / "jobs_worker.log").read_text(errors="replace").count("Traceback")


def _summarise(tally: Tally, results: Results) -> None:
    results.sent = tally.sent
    results.acknowledged = len(tally.acknowledged)
    results.not_started = tally.not_started
    results.reasons_asked = tally.reasons_asked
    results.doubles = dict(tally.doubles)
    results.refused_stale = tally.refused_stale
    results.errors = dict(tally.errors)
    results.error_examples = dict(tally.error_examples)
    if tally.first_sent is not None and tally.last_answer is not None:
        results.burst_seconds = tally.last_answer - tally.first_sent
        if results.burst_seconds > 0:
            results.throughput_per_s = results.acknowledged / results.burst_seconds
    ms = [s * 1000 for s in tally.submit_seconds]
    if ms:
        results.submit_p50_ms = statistics.median(ms)
        results.submit_p95_ms = _percentile(ms, 0.95)
        results.submit_p99_ms = _percentile(ms, 0.99)
        results.submit_max_ms = max(ms)
    if tally.start_lag:
        results.start_lag_p95_s = _percentile(tally.start_lag, 0.95)


ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(M)s"


def served(access: Path, offset: int) -> dict[str, list[float]]:
    """Time spent inside a gunicorn worker per kind of request of the burst, from its
    access log (``ACCESS_FORMAT``, milliseconds): n, p50, p95, p99."""
    if not access.exists():
        return {}
    with open(access, "rb") as f:
        f.seek(offset)
        lines = f.read().decode(errors="replace").splitlines()
    by_kind: dict[str, list[float]] = {}
    for line in lines:
        parts = line.split()
        if len(parts) != 4 or not parts[3].isdigit() or "/u/" not in parts[1]:
            continue
        method, status = parts[0], parts[2]
        kind = {("POST", "302"): "submit POST", ("GET", "200"): "form GET"}.get(
            (method, status), f"{method} {status}")
        by_kind.setdefault(kind, []).append(float(parts[3]))
    return {k: [len(v), statistics.median(v), _percentile(v, 0.95), _percentile(v, 0.99)]
            for k, v in sorted(by_kind.items())}


def _refresh_jobs(results: Results) -> None:
    from django.conf import settings
    from django_tasks_db.models import DBTaskResult

    from chuangjian import sources
    from chuangjian.sources.models import Refresh

    jobs = DBTaskResult.objects.filter(task_path=settings.SOURCES_REFRESH_TASK)
    results.refresh_jobs = dict(Counter(jobs.values_list("status", flat=True)))
    results.refresh_busy_s = sum((end - start).total_seconds()
                                 for start, end in jobs.values_list("started_at", "finished_at")
                                 if start is not None and end is not None)
    ticket = Refresh.objects.filter(key=sources.REFRESH_KEY).first()
    results.refresh_error = ticket.last_error if ticket else ""


def _postgres_errors(log: Path, logs: Path, results: Results) -> None:
    """Count the server log's errors (deadlocks, serialization failures …) and keep a copy."""
    if not log.exists():
        return
    text = log.read_text(errors="replace")
    (logs / "postgresql.log").write_text(text)
    found: Counter[str] = Counter()
    for line in text.splitlines():
        if "ERROR:" in line:
            found[line.split("ERROR:", 1)[1].strip()[:80]] += 1
        elif "still waiting for" in line:
            found["lock wait over 1 s: " + line.split("still waiting for", 1)[1].strip()[:40]] += 1
    results.postgres_errors = dict(found)


if __name__ == "__main__":
    main(sys.argv[1:])
