"""Ledger benchmark: one community-year with 200 activities and 600 photos, built as PDF and DOCX.

    .venv/bin/python -m benchmarks.ledger                      # a throwaway SQLite DB and media folder
    .venv/bin/python -m benchmarks.ledger --folder DIR         # the same data again (made once in DIR)
    .venv/bin/python -m benchmarks.ledger --folder DIR --profile docx   # cProfile of one build

Each format is built in a fresh child process, so its peak resident memory (``ru_maxrss``)
is that build's own and not the data generation's; the child also reports its CPU seconds
(``time.process_time``), as wall seconds mean little on a loaded machine, and the load
average is printed at the start and at the end. ``measure()`` is also called by
``benchmarks.run`` inside its own (already set up) database; it builds in that process.
Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any

ACTIVITIES = 200
PHOTOS_PER_ACTIVITY = 3
TYPES = ["culture_sports", "regular_meeting", "publicity", "fire_drill", "safety_check", "patrol",
         "health_lecture", "volunteer", "science_law", "moral_lecture", "training", "joint_building"]


def _community() -> Any:
    from chuangjian.org import actions as org_actions
    from chuangjian.org.levels import Level
    from chuangjian.org.models import Unit
    from chuangjian.org.scope import Scope

    existing = Unit.objects.filter(code="BENCH-LEDGER-C").first()
    if existing is not None:
        return existing
    opened = dt.date(2000, 1, 1)
    parent = None
    for code, name, level in (("BENCH-LEDGER", "台账基准区", Level.DISTRICT),
                              ("BENCH-LEDGER-S", "台账基准街道", Level.STREET),
                              ("BENCH-LEDGER-A", "台账基准管区", Level.AREA),
                              ("BENCH-LEDGER-C", "台账基准社区", Level.COMMUNITY)):
        parent = org_actions.create_unit(actor=None, scope=Scope.system(), code=code, name=name,
                                         level=level,
                                         parent=parent, category="城镇", opened_on=opened)
    return parent


def _fill(unit: Any, today: dt.date) -> int:
    """200 activities with 3 distinct photos each, each linked to up to two required items."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chuangjian.evidence import actions, checklist, selectors
    from chuangjian.evidence.models import Activity, ActivityType
    from chuangjian.evidence.pictures import scene_jpeg
    from chuangjian.org.scope import Scope

    scope = Scope.system()
    types = {t.code: t for t in ActivityType.objects.filter(code__in=TYPES)}
    have = Activity.objects.filter(unit=unit, date__year=today.year).count()
    span = max(1, (today - dt.date(today.year, 1, 1)).days)
    for n in range(have, ACTIVITIES):
        day = dt.date(today.year, 1, 1) + dt.timedelta(days=n * span // ACTIVITIES)
        code = TYPES[n % len(TYPES)]
        photos = [SimpleUploadedFile(f"IMG_{n}_{k}.jpg",
                                     scene_jpeg(f"基准活动{n}-{k}", n * 10 + k, size=(480, 360)),
                                     content_type="image/jpeg")
                  for k in range(PHOTOS_PER_ACTIVITY)]
        actions.create_activity(actor=None, scope=scope, unit=unit, type=types[code],
                                title=f"{types[code].name}第{n + 1}次", date=day, place="社区活动中心",
                                organiser="社区居委会", participants_count=40 + n % 60,
                                uploads=photos)
    standard = selectors.standard_in_force("wenming_shequ", today.year)
    assert standard is not None, "wenming_shequ is not loaded"
    sheet = checklist.build_checklist(scope, unit=unit, standard=standard, year=today.year,
                                      proposals=ACTIVITIES)
    used: dict[int, int] = {}
    links = 0
    for item in sheet.items:
        for row in item.rows:
            for req in row.requirements:
                for candidate in req.proposals:
                    if used.get(candidate.activity.pk, 0) >= 2:
                        continue
                    actions.link_evidence(actor=None, scope=scope, unit=unit,
                                          standard_code=standard.code,
                                          indicator_code=row.indicator.code, year=today.year,
                                          requirement=req.text, activity=candidate.activity)
                    used[candidate.activity.pk] = used.get(candidate.activity.pk, 0) + 1
                    links += 1
    return links


def _rss_mb() -> float:
    """The process's resident memory now (Linux), in MiB; 0 where /proc is missing."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


def _peak_mb() -> float:
    """The process's peak resident memory so far (ru_maxrss is in KiB on Linux), in MiB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def build_one(unit_code: str, year: int, fmt: str) -> dict[str, Any]:
    """Build one ledger file here; wall and CPU seconds, resident memory before and at peak."""
    from chuangjian.evidence.ledger.build import build
    from chuangjian.org.scope import Scope

    before = _rss_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    built = build(Scope.system(), unit_code=unit_code, standard_code="wenming_shequ",
                  year=year, fmt=fmt)
    return {f"{fmt}_s": round(time.perf_counter() - wall, 2),
            f"{fmt}_cpu_s": round(time.process_time() - cpu, 2),
            f"{fmt}_rss_before_mb": before,
            f"{fmt}_peak_rss_mb": _peak_mb(),
            f"{fmt}_kb": round(len(built.content) / 1024)}


def _prepare() -> tuple[Any, dt.date, dict[str, Any]]:
    from django.utils import timezone

    from chuangjian.evidence.models import Activity, ActivityFile, EvidenceLink

    today = timezone.localdate()
    unit = _community()
    started = time.perf_counter()
    _fill(unit, today)
    figures: dict[str, Any] = {
        "activities": Activity.objects.filter(unit=unit).count(),
        "photos": ActivityFile.objects.filter(activity__unit=unit).count(),
        "links": EvidenceLink.objects.filter(unit=unit).count(),
        "setup_s": round(time.perf_counter() - started, 1)}
    return unit, today, figures


def measure(**_: Any) -> dict[str, Any]:
    """Fill and build both formats in this process (the peak memory is then the process's)."""
    unit, today, figures = _prepare()
    for fmt in ("pdf", "docx"):
        figures.update(build_one(unit.code, today.year, fmt))
    return figures


def _setup(folder: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["MEDIA_ROOT"] = f"{folder}/media"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangjian.settings")
    import django

    django.setup()


def _child(folder: str, fmt: str, profile: int) -> None:
    """One build in this (fresh) process; prints its figures as one JSON line."""
    _setup(folder)
    from django.utils import timezone

    year = timezone.localdate().year
    if not profile:
        print(json.dumps(build_one("BENCH-LEDGER-C", year, fmt)))
        return
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    figures = build_one("BENCH-LEDGER-C", year, fmt)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    for order in ("cumulative", "tottime"):
        print(f"--- {fmt}, sorted by {order}")
        stats.sort_stats(order).print_stats(profile)
    print(json.dumps(figures))


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", help="keep the DB and media here; made only the first time")
    parser.add_argument("--formats", default="pdf,docx", help="pdf,docx (the default) or one")
    parser.add_argument("--profile", metavar="FMT", choices=("pdf", "docx"),
                        help="print cProfile's top lines for one build of FMT")
    parser.add_argument("--top", type=int, default=25, help="profile lines to print (25)")
    parser.add_argument("--child", choices=("pdf", "docx"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.folder, args.child, args.top if args.profile else 0)
        return
    load_start = _load()
    folder = args.folder or tempfile.mkdtemp(prefix="ledger-bench-")
    os.makedirs(folder, exist_ok=True)
    made = os.path.exists(os.path.join(folder, "bench.sqlite3"))
    _setup(folder)
    figures: dict[str, Any] = {}
    if not made:
        from django.core.management import call_command

        from chuangjian.org.scope import Scope
        from chuangjian.standards import actions as standards_actions
        from chuangjian.standards import loader

        call_command("migrate", verbosity=0, skip_checks=True)
        standards_actions.load_standards(actor=None, scope=Scope.system(),
                                         result=loader.load_builtin().raise_for_errors())
        figures.update(_prepare()[2])
    formats = [args.profile] if args.profile else args.formats.split(",")
    for fmt in formats:
        command = [sys.executable, "-m", "benchmarks.ledger", "--folder", folder, "--child", fmt,
                   "--top", str(args.top)] + (["--profile", fmt] if args.profile else [])
        out = subprocess.run(command, check=True, capture_output=True,  # noqa: S603 - our own argv
                             text=True).stdout
        *profile_lines, last = out.rstrip("\n").split("\n")
        if profile_lines:
            print("\n".join(profile_lines))
        figures.update(json.loads(last))
    figures["load_start"] = load_start
    figures["load_end"] = _load()
    figures["cpus"] = os.cpu_count()
    print(f"台账基准（{folder}）")
    for key, value in figures.items():
        print(f"  {key:20} {value}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
