"""Register import benchmark: 10,000 residents from one xlsx, through the page's form.

    .venv/bin/python -m benchmarks.register_import [--rows 10000]   # a throwaway SQLite DB

Writes the file as a clerk would fill the template (valid made-up ID numbers, phones,
addresses of ~3,300 households), then times ``registers.io.import_rows`` — reading with
the bounded reader, every row through ``PersonForm``, the duplicate checks, and the bulk
write with encryption and keyed hashes — and prints the seconds for each part. The aim
(issue #14) is ≤ 10 s for 10,000 rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import sys
import tempfile
import time


def _file(rows: int) -> bytes:
    from openpyxl import Workbook

    from chuangjian.lib import personal
    from chuangjian.registers import demo
    from chuangjian.registers import io as rio

    rng = random.Random(14)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("居民")
    ws.append(rio.KINDS["residents"].headers)
    used: set[str] = set()
    today = dt.date(2026, 6, 1)
    for n in range(rows):
        sex = rng.choice("MF")
        born = today - dt.timedelta(days=rng.randrange(365, 365 * 90))
        while True:
            number = personal.compose_id_number(rng.choice(demo.AREAS), born,
                                                rng.randrange(0, 999))
            if number not in used:
                used.add(number)
                break
        ws.append(["", demo._name(rng, sex), number, f"1380000{n % 10000:04d}",
                   "户籍人口" if n % 8 else "流动人口", f"基准小区{n // 3 // 100 + 1}幢{n // 3 % 100 + 1}室",
                   "户主" if n % 3 == 0 else "", "", ""])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def measure(rows: int) -> dict[str, float | int]:
    from benchmarks.ledger import _community
    from chuangjian.org.models import Unit
    from chuangjian.org.scope import Scope
    from chuangjian.registers import io as rio
    from chuangjian.registers.models import Household, Person

    unit: Unit = _community()
    started = time.perf_counter()
    data = _file(rows)
    made = time.perf_counter() - started
    kind = rio.KINDS["residents"]
    started = time.process_time()
    parsed, errors = rio.read_rows(kind, data)
    read = time.process_time() - started
    started, cpu = time.perf_counter(), time.process_time()
    result = rio.import_rows(kind, data, scope=Scope.system(), actor=None, unit=unit)
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    if result.errors:
        raise SystemExit("\n".join(str(e) for e in result.errors[:10]))
    return {"rows": rows, "file_kb": len(data) // 1024, "write_file_s": round(made, 2),
            "read_cpu_s": round(read, 2), "import_s": round(total, 2),
            "import_cpu_s": round(cpu, 2),
            "people": Person.objects.filter(unit=unit).count(),
            "households": Household.objects.filter(unit=unit).count(),
            "parsed": len(parsed) + len(errors)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="registers-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangjian.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)
    figures = measure(args.rows)
    print(f"登记表导入基准（{folder}）")
    for key, value in figures.items():
        print(f"  {key:14} {value}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
