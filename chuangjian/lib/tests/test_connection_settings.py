"""Settings a deployment sets in its environment, as deploy.md says: database connections
kept between requests on PostgreSQL; the refresh job's queue of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def settings_built_from(expression: str, **env: str) -> object:
    """``expression`` (over ``settings``) as settings.py gives it in a process whose
    environment adds ``env`` (nothing connects); JSON-shaped."""
    script = ("import json, django; from django.conf import settings; django.setup(); "
              f"print(json.dumps({expression}))")
    base = {k: v for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "DATABASE_CONN_MAX_AGE", "DATABASE_REPLICA_URL",
                         "SOURCES_REFRESH_QUEUE")}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,  # noqa: S603 - our own interpreter
                          text=True, check=True, timeout=60,
                          env={**base, "DJANGO_SETTINGS_MODULE": "chuangjian.settings", **env})
    return json.loads(done.stdout.strip().splitlines()[-1])


def _database_settings(**env: str) -> dict[str, object]:
    """``DATABASES['default']`` as settings.py builds it from ``env``."""
    found = settings_built_from(
        "{k: settings.DATABASES['default'].get(k) for k in "
        "('ENGINE', 'CONN_MAX_AGE', 'CONN_HEALTH_CHECKS')}", **env)
    assert isinstance(found, dict)
    return found


def test_a_postgresql_process_keeps_its_connection_and_checks_it_before_reuse() -> None:
    url = "postgres://chuangjian@127.0.0.1:5432/chuangjian"
    assert _database_settings(DATABASE_URL=url) == {
        "ENGINE": "django.db.backends.postgresql", "CONN_MAX_AGE": 300,
        "CONN_HEALTH_CHECKS": True}
    # Behind PgBouncer in transaction mode (deploy.md): a connection per request.
    assert _database_settings(DATABASE_URL=url, DATABASE_CONN_MAX_AGE="0")["CONN_MAX_AGE"] == 0


def test_sqlite_opens_its_file_per_request_as_before(tmp_path: Path) -> None:
    found = _database_settings(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert found["ENGINE"] == "django.db.backends.sqlite3" and found["CONN_MAX_AGE"] == 0


def test_a_site_with_several_workers_gives_the_refresh_job_a_queue_of_its_own() -> None:
    queues = "[settings.SOURCES_REFRESH_QUEUE, settings.TASKS['default']['QUEUES']]"
    assert settings_built_from(queues) == ["default", ["default"]]
    assert settings_built_from(queues, SOURCES_REFRESH_QUEUE="refresh") == [
        "refresh", ["default", "refresh"]]
