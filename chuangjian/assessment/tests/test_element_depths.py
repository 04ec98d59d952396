"""A run asks each source only for the years its indicators read (``element_depths``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chuangjian.assessment import actions
from chuangjian.assessment.compute import Inputs
from chuangjian.assessment.spec import spec_for
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.reporting.datasets import catalog
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader


def test_every_year_an_indicator_reads_is_within_its_elements_depth(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    standards_actions.load_standards(actor=None, result=loader.load_builtin().raise_for_errors(),
                                     scope=Scope.system())
    read: list[tuple[str, int]] = []
    for name in ("value", "count"):
        real = getattr(Inputs, name)

        def recording(self: Inputs, code: str, back: int, real: Any = real) -> Any:
            read.append((code, back))
            return real(self, code, back)

        monkeypatch.setattr(Inputs, name, recording)
    ran = 0
    for version in catalog().in_force(2026):
        spec = spec_for(version)
        read.clear()
        try:
            actions.start_run(actor=None, standard_code=version.code, year=2026,
                              unit=world.district, scope=Scope.system(),
                              today=dt.date(2026, 12, 31))
        except actions.AssessmentError:
            continue
        ran += 1
        depths = spec.element_depths
        assert read, version.code
        for code, back in read:
            if code in spec.elements:
                assert back <= depths[code], (version.code, code, back)
        assert max(depths.values(), default=0) == spec.years_back, version.code
        # Some standard reads an element of earlier years (比上年, 连续3年).
    assert ran >= 5
    deep = {v.code for v in catalog().in_force(2026) if any(spec_for(v).element_depths.values())}
    assert deep
