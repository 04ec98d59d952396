"""Fixtures of the reporting tests: two small standards and Shanghai clock times."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from chuangjian.engine.periods import SHANGHAI
from chuangjian.org.scope import Scope
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader

STANDARDS_DIR = Path(__file__).parent / "standards"


def shanghai(year: int, month: int, day: int, hour: int = 0, minute: int = 0,
             second: int = 0) -> dt.datetime:
    """An aware instant given as Shanghai wall-clock time."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


@pytest.fixture
def standards(db: None) -> loader.LoadResult:
    result = loader.load_paths([STANDARDS_DIR], builtin_elements=False).raise_for_errors()
    standards_actions.load_standards(actor=None, result=result, scope=Scope.system())
    return result


@pytest.fixture
def noon() -> dt.datetime:
    """A working day at noon, Shanghai time: 2026-03-16 12:00."""
    return shanghai(2026, 3, 16, 12, 0)
