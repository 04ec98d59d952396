"""A result row stores its items' figures as columns and reads back every item whole.

Decision 0049: the reasons of an item are kept only when its figures cannot give them
again; the rest are made when a page reads the row, and must be the engine's own.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from chuangjian.assessment import compute
from chuangjian.assessment.items import Items, items_of, states_of
from chuangjian.assessment.models import UnitResult
from chuangjian.assessment.runner import compute_full
from chuangjian.assessment.spec import spec_for
from chuangjian.assessment.tests.conftest import Small
from chuangjian.assessment.tests.test_compute import _run, _world_data
from chuangjian.assessment.verdicts import judge
from chuangjian.assessment.wording import item_note
from chuangjian.engine.targets import TargetStatus


def test_a_row_read_back_gives_every_item_as_the_engine_scored_it(
        small: Small, monkeypatch: pytest.MonkeyPatch) -> None:
    _world_data(small)
    run, rows = _run(small)
    spec = spec_for(run.standard)
    # Scored unit by unit with nothing made on read: every item keeps the engine's reasons.
    with monkeypatch.context() as patched:
        patched.setattr(compute, "note_reasons_of", lambda *args, **kwargs: None)
        whole = {s.unit_id: s.items for s in compute_full(run, per_unit=True).scores}
    assert all(len(stored["n"]) == len(stored["k"]) for stored in whole.values())
    seen = set()
    for unit_id, row in rows.items():
        read = dict(items_of(row, spec))
        assert read == dict(Items(whole[unit_id], spec)), unit_id
        seen |= {(spec.by_code[code].scorer.__class__.__name__, item["s"])
                 for code, item in read.items()}
    # The small standard's every shape: a target judged met, not met and not at all, a
    # deduction, a reviewer's score given and not given yet.
    assert {("AllOrNothing", TargetStatus.MET), ("AllOrNothing", TargetStatus.NOT_MET),
            ("Proportional", TargetStatus.UNKNOWN), ("DeductPerOccurrence", TargetStatus.MET),
            ("Reviewer", TargetStatus.NOT_MET), ("Reviewer", TargetStatus.UNKNOWN)} <= seen


def test_a_row_keeps_the_figures_and_the_comments_not_the_reasons(small: Small) -> None:
    _world_data(small)
    _unused, rows = _run(small)
    stored = rows[small.world.community.pk].items
    assert stored["k"][:3] == ["done_rate", "events", "problems"]
    assert stored["v"][0] == 90 and stored["p"][0] == 30  # 45 of 50 done, full marks
    assert all(len(stored[key]) == len(stored["k"]) for key in ("v", "m", "s", "a", "p", "r", "pv"))
    assert stored["c"] == {"rules_review": "会议纪要缺两次"}
    assert "n" not in stored  # every reason of this unit's items is made when read
    with translation.override("zh-hans"):
        assert "会议纪要缺两次" in item_note(items_of(rows[small.world.community.pk])["rules_review"])


def test_a_row_of_a_run_made_before_reads_as_it_was(small: Small) -> None:
    _world_data(small)
    run, rows = _run(small)
    row = rows[small.world.community2.pk]
    before = {code: dict(item) for code, item in items_of(row).items()}
    before["no_fire"] = {**before["no_fire"], "s": int(TargetStatus.UNKNOWN)}
    UnitResult.objects.filter(pk=row.pk).update(items=before, passed=False, vetoed=False,
                                                total=75)
    row.refresh_from_db()
    assert dict(items_of(row)) == before
    assert states_of(row.items)["no_fire"] == TargetStatus.UNKNOWN
    assert judge(row, run=run).veto_unknown == (("no_fire", "无火灾"),)
