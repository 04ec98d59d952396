"""Database connections: kept between requests on PostgreSQL, as deploy.md says."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _database_settings(**env: str) -> dict[str, object]:
    """``DATABASES['default']`` as settings.py builds it from ``env`` (nothing connects)."""
    script = ("import json, django; from django.conf import settings; django.setup(); "
              "d = settings.DATABASES['default']; "
              "print(json.dumps({k: d.get(k) for k in ('ENGINE', 'CONN_MAX_AGE', "
              "'CONN_HEALTH_CHECKS')}))")
    base = {k: v for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "DATABASE_CONN_MAX_AGE", "DATABASE_REPLICA_URL")}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,  # noqa: S603 - our own interpreter
                          text=True, check=True, timeout=60,
                          env={**base, "DJANGO_SETTINGS_MODULE": "chuangjian.settings", **env})
    found: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
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
