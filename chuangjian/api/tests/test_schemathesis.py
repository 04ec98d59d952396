"""schemathesis over the whole OpenAPI schema, in-process through the WSGI application.

Every operation gets valid requests (random, and aimed at the test world's real unit,
data set and period) and invalid ones; the test fails on any server error (5xx) and on
any status the schema does not document. The number of examples is bounded so the
whole run stays well under a minute.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.org.tokens import create_api_token
from chuangjian.reporting.tests.conftest import STANDARDS_DIR
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader
from chuangjian.wsgi import application

EXAMPLES = 8  # per operation and kind of request (3 with a bad token)
CHECKS = [not_a_server_error, status_code_conformance]


def _real_parameters() -> dict[str, Any]:
    return {"unit_code": "T-01-A-01", "code": "T-01-A-01", "dataset_code": "community-day",
            "period": timezone.localdate().isoformat()}


def _run(operation: Any, mode: schemathesis.GenerationMode, headers: dict[str, str],
         path_parameters: dict[str, Any] | None, examples: int) -> None:
    wanted = {p.name for p in operation.path_parameters}
    fixed = {k: v for k, v in (path_parameters or {}).items() if k in wanted} or None
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)

    @given(case=strategy)
    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def check(case: Any) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)

    check()


@pytest.fixture
def connections_kept_open() -> Any:
    """The WSGI handler closes the database connection at the end of each request, which
    would end the test's transaction on PostgreSQL; Django's own test client stops that
    the same way while it runs a request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_no_operation_answers_a_server_error_or_an_undocumented_status(
        world: World, connections_kept_open: None) -> None:
    result = loader.load_paths([STANDARDS_DIR], builtin_elements=False).raise_for_errors()
    standards_actions.load_standards(actor=None, result=result, scope=Scope.system())
    key = create_api_token(actor=None, user=world.community_worker, name="schemathesis")[1]
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    users = {"token": {"Authorization": f"Bearer {key}"},
             "bad token": {"Authorization": "Bearer cj_wrong"}}
    started = time.monotonic()
    failures: list[str] = []
    operations = 0
    for result_ in schema.get_all_operations():
        operation = result_.ok()  # type: ignore[union-attr]
        operations += 1
        runs = [
            (schemathesis.GenerationMode.POSITIVE, users["token"], None, EXAMPLES),
            (schemathesis.GenerationMode.POSITIVE, users["token"], _real_parameters(), EXAMPLES),
            (schemathesis.GenerationMode.NEGATIVE, users["token"], None, EXAMPLES),
            (schemathesis.GenerationMode.POSITIVE, users["bad token"], None, 3),
        ]
        for mode, headers, params, examples in runs:
            try:
                _run(operation, mode, headers, params, examples)
            except Exception as error:
                failures.append(f"{operation.label} ({mode.value}): {error}")
    print(f"schemathesis: {operations} operations, {time.monotonic() - started:.1f} s")
    assert operations >= 6
    assert failures == []
