"""One verdict per unit result (考核结论), worded once for every page, export and chart.

Before this the league table, the scorecard, the run page and the comparison each
decided in their own template whether a unit had passed: the league said 不合格 where
the scorecard said 暂不能判定合格 (a veto item without data keeps a unit that reached
the pass mark from passing, but it has not failed either). Every page now asks
`verdict_of` and shows its `label`."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from chuangjian.assessment.compute import MAIN
from chuangjian.assessment.items import states_of
from chuangjian.assessment.models import AssessmentRun, UnitResult
from chuangjian.assessment.spec import spec_for
from chuangjian.engine.targets import TargetStatus
from chuangjian.standards.models import StandardVersion


class Verdict(enum.Enum):
    VETOED = "veto"              # 一票否决
    PASSED = "pass"              # 合格
    UNDETERMINED = "undecided"   # reached the pass mark, but a veto item cannot be judged yet
    NO_TOTAL = "no-total"        # no total could be computed
    FAILED = "fail"              # below the pass mark

    @property
    def label(self) -> str:
        return str(_LABELS[self])

    @property
    def headline(self) -> str:
        """The scorecard's banner: the label said as a sentence."""
        return str(_HEADLINES[self])


_LABELS: dict[Verdict, Promise] = {
    Verdict.VETOED: _("一票否决"),
    Verdict.PASSED: _("合格"),
    Verdict.UNDETERMINED: _("暂不能判定合格"),
    Verdict.NO_TOTAL: _("暂无法判定"),
    Verdict.FAILED: _("不合格"),
}
_HEADLINES: dict[Verdict, Promise] = {
    Verdict.VETOED: _("一票否决，考核不合格"),
    Verdict.PASSED: _("考核合格"),
    Verdict.UNDETERMINED: _("暂不能判定合格"),
    Verdict.NO_TOTAL: _("暂无法计算总分"),
    Verdict.FAILED: _("未达到合格分，考核不合格"),
}


@dataclass(frozen=True)
class Judged:
    verdict: Verdict
    # Veto items (一票否决项) whose figures are missing: (code, name), in the standard's order.
    veto_unknown: tuple[tuple[str, str], ...] = ()


def pass_mark_of(result: UnitResult, standard: StandardVersion) -> float | None:
    """The mark ``result``'s total was compared with. A level's own sheet (a street's or a
    管区's indicators under a standard for communities) is scored out of its own maximum,
    and the engine scales the pass mark to it: 85 of 100 is 4.25 on a sheet of 5 points."""
    if standard.pass_mark is None:
        return None
    factor = (result.base_max / standard.total
              if result.sheet != MAIN and standard.total else 1.0)
    return round(float(standard.pass_mark) * factor, 6)


def judge(result: UnitResult, *, run: AssessmentRun | None = None) -> Judged:
    """The verdict of one stored result, from its flags and its veto items' states.
    ``run``: the result's run when the caller holds it (a list of one run's results
    then reads the standard once)."""
    if result.vetoed:
        return Judged(Verdict.VETOED)
    if result.passed:
        return Judged(Verdict.PASSED)
    if result.total is None:
        return Judged(Verdict.NO_TOTAL)
    run = run or result.run
    spec = spec_for(run.standard)
    unknown = tuple((code, spec.by_code[code].name)
                    for code, state in states_of(result.items).items()
                    if code in spec.by_code and spec.by_code[code].veto
                    and TargetStatus(int(state or 0)) == TargetStatus.UNKNOWN)
    mark = pass_mark_of(result, run.standard)
    if unknown and (mark is None or result.total >= mark):
        return Judged(Verdict.UNDETERMINED, unknown)
    return Judged(Verdict.FAILED, unknown)


def verdict_of(result: UnitResult, *, run: AssessmentRun | None = None) -> Verdict:
    return judge(result, run=run).verdict
