"""The read-replica router: only the reads asked for go to the replica, and only when one
is configured; writes, reads inside a write transaction and migrations stay on the primary."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.urls import resolve

from chuangjian.lib.replica import REPLICA, ReplicaRouter, reads_from_replica, replica_reads
from chuangjian.org.models import Unit

router = ReplicaRouter()
# The tests give the settings a replica alias that mirrors the primary, as settings.py does.
pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")


@pytest.fixture
def with_replica(settings: Any) -> None:
    settings.DATABASES = {**settings.DATABASES,
                          REPLICA: {**settings.DATABASES["default"], "TEST": {"MIRROR": "default"}}}


def test_without_a_replica_every_read_goes_to_the_primary(settings: Any) -> None:
    assert REPLICA not in settings.DATABASES
    with replica_reads():
        assert router.db_for_read(Unit) is None  # Django's default: the primary


def test_with_a_replica_only_the_reads_asked_for_go_there(with_replica: None) -> None:
    assert router.db_for_read(Unit) is None
    with replica_reads():
        assert router.db_for_read(Unit) == REPLICA
        assert router.db_for_write(Unit) == "default"
    assert router.db_for_read(Unit) is None


@pytest.mark.django_db(transaction=True)
def test_a_read_inside_a_write_transaction_stays_on_the_primary(with_replica: None) -> None:
    with replica_reads():
        assert router.db_for_read(Unit) == REPLICA
        with transaction.atomic():
            assert router.db_for_read(Unit) is None


def test_nothing_is_migrated_on_the_replica() -> None:
    assert router.allow_migrate(REPLICA, "org") is False
    assert router.allow_migrate("default", "org") is None
    assert router.allow_relation(object(), object())


def test_a_wrapped_view_reads_from_the_replica_after_loading_the_user(with_replica: None) -> None:
    seen: list[str | None] = []

    class Request:
        @property
        def user(self) -> object:
            seen.append(router.db_for_read(Unit))  # the session and user: on the primary
            return object()

    def view(request: Any) -> HttpResponse:
        seen.append(router.db_for_read(Unit))
        return HttpResponse()

    reads_from_replica(view)(Request())
    assert seen == [None, REPLICA]


@pytest.mark.parametrize("path", ["/dashboards/", "/dashboards/scorecard/", "/dashboards/league/",
                                  "/dashboards/heatmap/", "/dashboards/trend/", "/dashboards/risk/",
                                  "/dashboards/compare/"])
def test_the_dashboards_read_from_the_replica(path: str) -> None:
    assert getattr(resolve(path).func, "reads_from_replica", False)


def test_the_export_button_which_writes_a_job_stays_on_the_primary() -> None:
    assert not getattr(resolve("/dashboards/export/").func, "reads_from_replica", False)
