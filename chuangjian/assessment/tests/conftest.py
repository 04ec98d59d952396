from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from chuangjian.assessment.tests import built_demo as _built_demo
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World, world  # noqa: F401 - the fixture
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader
from chuangjian.standards.models import StandardVersion

SMALL = Path(__file__).with_name("small_standard.yaml")
QUARTERLY = Path(__file__).with_name("tree_as_of_standard.yaml")
NOW = dt.datetime(2026, 12, 30, 10, tzinfo=dt.UTC)


@dataclass
class Small:
    world: World
    version: StandardVersion

    def report(self, unit: Unit, year: int = 2026, **values: Any) -> None:
        from chuangjian.reporting import actions

        full = {"t_done": 0, "t_total": 0, "t_events": 0, "t_problems": 0, "t_fires": 0,
                "t_bonus": 0}
        full.update(values)
        actions.submit_values(actor=None, unit=unit, dataset_code="community-year",
                              period=str(year), values=full,
                              now=dt.datetime(year, 12, 30, 10, tzinfo=dt.UTC), scope=Scope.system())


@pytest.fixture
def small(world: World) -> Small:  # noqa: F811 - pytest fixture injection
    result = loader.load_paths([SMALL])
    assert result.ok, result.errors
    standards_actions.load_standards(actor=None, result=result, scope=Scope.system())
    return Small(world, StandardVersion.objects.get(code="test_small"))


def dec(x: float) -> Decimal:
    return Decimal(str(x))


@pytest.fixture
def quarterly(world: World) -> StandardVersion:  # noqa: F811 - pytest fixture injection
    """The quarterly standard of the tree-as-it-stood tests (tq_done of tq_due)."""
    result = loader.load_paths([QUARTERLY])
    assert result.ok, result.errors
    standards_actions.load_standards(actor=None, result=result, scope=Scope.system())
    return StandardVersion.objects.get(code="test_tree_as_of")


def report_quarter(unit: Unit, quarter: int, done: int, due: int) -> None:
    """A community's 2026 quarterly report, filed the day after the quarter ends."""
    from chuangjian.reporting import actions

    end = {1: dt.date(2026, 3, 31), 2: dt.date(2026, 6, 30), 3: dt.date(2026, 9, 30),
           4: dt.date(2026, 12, 31)}[quarter]
    actions.submit_values(
        actor=None, unit=unit, dataset_code="community-quarter", period=f"2026Q{quarter}",
        values={"tq_done": done, "tq_due": due},
        now=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(2), tzinfo=dt.UTC),
        scope=Scope.system())


@pytest.fixture(scope="session")
def built_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_built_demo.Demo]:
    """The demo as ``make db demo`` builds it, once per session whatever the workers."""
    yield from _built_demo.shared(_shared_directory(tmp_path_factory))


def _shared_directory(factory: pytest.TempPathFactory) -> Path:
    base = factory.getbasetemp()
    # Under xdist each worker's base lies in a directory of the session's own, shared by all.
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that read the built demo run last, when its building is long done."""
    items.sort(key=lambda item: "built_demo" in getattr(item, "fixturenames", ()))


def pytest_collection_finish(session: pytest.Session) -> None:
    """When tests of this session read the built demo, its building starts now, beside them."""
    if any("built_demo" in getattr(item, "fixturenames", ()) for item in session.items):
        _built_demo.start(_shared_directory(session.config._tmp_path_factory))  # type: ignore[attr-defined]
