"""``chuangjian awards schemes|rounds|recheck``: the schemes with their quotas and plans,
the rounds of a year, and the yearly re-check (``--dry-run`` marks nothing)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from chuangjian.awards.models import Title
from chuangjian.awards.tests.conftest import Setup, family
from chuangjian.awards.tests.test_titles import _record


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("awards", *args, stdout=out)
    return out.getvalue()


def test_schemes_list_quotas_and_the_plan_quoted() -> None:
    text = _run("schemes")
    assert "jiankang_jiating  健康家庭（家庭，健康社区）  名额：街道（乡镇）级10个，县（区）级按市级1:1" in text
    assert "篇13「其中有10%的家庭被评为市、区、镇的健康家庭」" in text


def test_rounds_of_a_year(setup: Setup) -> None:
    assert "2026年度城关街道健康家庭评选  推荐中  推荐 0  名额 10  已命名 0" in _run("rounds", "--year", "2026")
    assert "共 0 个评选" in _run("rounds", "--year", "2025")
    with pytest.raises(CommandError, match="--year 应为 2000 至 2100 之间的年份"):
        _run("rounds", "--year", "1999")


def test_recheck_lists_and_marks_unless_dry_run(setup: Setup) -> None:
    w = setup.world
    gone = family(w.community, "郑", since=2023, living=False)
    _record(w, "jiankang_jiating", gone, "郑建国家庭", year=2025)
    _record(w, "jiankang_jiating", family(w.community, "冯", since=2023), "冯建国家庭", year=2025)
    dry = _run("recheck", "--year", "2025", "--dry-run")
    assert "郑建国家庭：该户已无成员在册居住" in dry and "冯建国家庭" not in dry
    assert "2025年复查：1 项称号不再符合条件（未标记，--dry-run）" in dry
    assert not Title.objects.filter(recheck_year__isnull=False).exists()
    marked = _run("recheck", "--year", "2025")
    assert "已标记待确认摘牌" in marked
    flagged = Title.objects.get(recheck_year=2025)
    assert flagged.name == "郑建国家庭" and flagged.recheck_reasons == ["该户已无成员在册居住"]
    assert flagged.state == "active"  # a person confirms 摘牌
    assert dt.date(2025, 1, 1) <= flagged.named_on
