"""The audit log is written inside the change it records, one entry or many at once."""

from __future__ import annotations

import pytest
from django.db import transaction

from chuangjian.audit.log import log_action, log_actions
from chuangjian.audit.models import AuditEntry
from chuangjian.org.testing import World

pytestmark = pytest.mark.django_db


def test_an_entry_names_who_what_where_and_keeps_the_units_path(world: World) -> None:
    with transaction.atomic():
        entry = log_action(action="org.unit.renamed", actor=world.street_leader,
                           obj=world.community, data={"name": "幸福里社区"})
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.action, stored.actor, stored.unit, stored.unit_path) == (
        "org.unit.renamed", world.street_leader, world.community, world.community.path)
    assert (stored.object_type, stored.object_id, stored.data) == (
        "org.unit", str(world.community.pk), {"name": "幸福里社区"})
    assert stored.created_at is not None


def test_many_entries_of_one_kind_are_written_alike_in_one_statement(
        world: World, django_assert_num_queries: object) -> None:
    changes = [(world.community, None, {"n": 1}), (world.street, world.street, None),
               (None, world.community2, {"n": 3})]
    with transaction.atomic():
        entries = log_actions(action="assessment.run.completed", actor=None, changes=changes)
    stored = list(AuditEntry.objects.filter(pk__in=[e.pk for e in entries]).order_by("pk"))
    assert [(e.unit, e.unit_path, e.object_id, e.data) for e in stored] == [
        (world.community, world.community.path, str(world.community.pk), {"n": 1}),
        (world.street, world.street.path, str(world.street.pk), {}),
        (world.community2, world.community2.path, "", {"n": 3})]
    assert all(e.actor is None and e.created_at is not None for e in stored)
    with transaction.atomic(), django_assert_num_queries(1):  # type: ignore[operator]
        log_actions(action="assessment.run.completed", actor=None, changes=changes)


@pytest.mark.django_db(transaction=True)  # no transaction around the test: the guard's case
def test_an_entry_outside_the_changes_transaction_is_refused(world: World) -> None:
    with pytest.raises(RuntimeError):
        log_action(action="x", actor=None)
    with pytest.raises(RuntimeError):
        log_actions(action="x", actor=None, changes=[])
