"""The activity source reads what the pages show: a unit's own activities, nothing of a
sibling's, and nothing once deleted (issue 12, item 4)."""

from __future__ import annotations

from chuangjian import sources
from chuangjian.engine.periods import Period
from chuangjian.evidence import actions
from chuangjian.evidence.tests.conftest import YEAR, activity
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World


def test_the_activity_source_lists_only_the_units_own_and_forgets_a_deleted_one(
        world: World, standards: object) -> None:
    mine = activity(world.community_worker, world.community, title="广场舞展演")
    activity(None, world.community2, title="南门邻里节")
    element = "cultural_sports_activities"
    assert sources.source_key_for(element) == "activities"
    source = sources.source_for(element)
    assert source is not None
    year = Period.year(YEAR)
    assert source.values(element, year, [world.community.pk]) == {world.community.pk: 1}
    labels = [r.label for r in source.records(element, year, world.community.pk)]
    assert len(labels) == 1 and "广场舞展演" in labels[0]
    actions.delete_activity(actor=world.community_worker, activity=mine,
                            scope=Scope.for_user(world.community_worker))
    assert source.values(element, year, [world.community.pk]) == {world.community.pk: 0}
    assert source.records(element, year, world.community.pk) == []
