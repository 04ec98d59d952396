"""Ledger benchmark: one community-year with 200 activities and 600 photos, built as PDF and DOCX.

    .venv/bin/python -m benchmarks.ledger            # a throwaway SQLite DB and media folder

``measure()`` is also called by ``benchmarks.run`` inside its own (already set up) database.
Prints the seconds to build each file; no timing is asserted anywhere.
"""

from __future__ import annotations

import datetime as dt
import os
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


def measure(**_: Any) -> dict[str, Any]:
    from django.utils import timezone

    from chuangjian.evidence.ledger.build import build
    from chuangjian.evidence.models import Activity, ActivityFile, EvidenceLink
    from chuangjian.org.scope import Scope

    today = timezone.localdate()
    unit = _community()
    started = time.perf_counter()
    _fill(unit, today)
    setup = time.perf_counter() - started
    figures: dict[str, Any] = {
        "activities": Activity.objects.filter(unit=unit).count(),
        "photos": ActivityFile.objects.filter(activity__unit=unit).count(),
        "links": EvidenceLink.objects.filter(unit=unit).count(),
        "setup_s": round(setup, 1)}
    for fmt in ("pdf", "docx"):
        started = time.perf_counter()
        built = build(Scope.system(), unit_code=unit.code, standard_code="wenming_shequ",
                      year=today.year, fmt=fmt)
        figures[f"{fmt}_s"] = round(time.perf_counter() - started, 2)
        figures[f"{fmt}_kb"] = round(len(built.content) / 1024)
    return figures


def main() -> None:
    folder = tempfile.mkdtemp(prefix="ledger-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["MEDIA_ROOT"] = f"{folder}/media"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangjian.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from chuangjian.org.scope import Scope
    from chuangjian.standards import actions as standards_actions
    from chuangjian.standards import loader

    call_command("migrate", verbosity=0, skip_checks=True)
    standards_actions.load_standards(actor=None, scope=Scope.system(),
                                     result=loader.load_builtin().raise_for_errors())
    figures = measure()
    print(f"台账基准（{folder}）")
    for key, value in figures.items():
        print(f"  {key:12} {value}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
