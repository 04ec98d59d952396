"""The demo as a new office builds it, once per test session: a fresh database of the
kind under test (a SQLite file, or a database of its own on the PostgreSQL server the
suite runs against), then the README's commands through ``manage.py`` in subprocesses,
so this checkout's code runs exactly as ``make db demo`` runs it.

The building starts in the background once the session has collected a test that reads it
(``start``, from the conftest), under a lock in the directory the session's workers share;
those tests run last and read the one database, so the minutes of building are spent once
and beside the other tests, instead of once per worker and in their way.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[3]
LOCK, STARTED, BUILT, FAILED = ("built_demo.lock", "built_demo.started", "built_demo.json",
                                "built_demo.failed")
# `make db demo`, in its order.
BUILD = (("migrate", "-v0"), ("createcachetable",), ("divisions", "load"),
         ("standards", "load"), ("demo",))


# What the results of every current 2026 run and the units' classes look like, read
# straight from the database the demo built: each item as the pages read it (its reasons
# too) and as the row stores it.
DUMP = """
import json
import re
from chuangjian.assessment import selectors
from chuangjian.assessment.compute import unit_classes
from chuangjian.assessment.items import items_of
from chuangjian.assessment.models import AssessmentRun, UnitResult
from chuangjian.assessment.spec import spec_for
from chuangjian.org.scope import Scope
out = {"runs": {}, "items": {}, "stored": {}, "classes": {}}
for run in AssessmentRun.objects.filter(current=True, year=2026, kind="review"):
    out["runs"][run.standard_code] = selectors.run_results(scope=Scope.system(), run=run)
    spec = spec_for(run.standard)
    rows = list(UnitResult.objects.filter(run=run).select_related("unit"))
    out["items"][run.standard_code] = {r.unit.code: dict(items_of(r, spec)) for r in rows}
    out["stored"][run.standard_code] = {r.unit.code: r.items for r in rows}
    by_id = unit_classes(run.standard_code, 2026, paths=[run.root.path])
    out["classes"][run.standard_code] = {
        r.unit.code: by_id.get(r.unit_id)
        for r in UnitResult.objects.filter(run=run).select_related("unit")}
print(json.dumps(out, ensure_ascii=False))
"""


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=1800, check=False)
    assert done.returncode == 0, f"chuangjian {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


class _Postgres:
    """Databases of their own on the server of ``DATABASE_URL``."""

    def __init__(self, url: str) -> None:
        self.url = urlsplit(url)

    def url_of(self, name: str) -> str:
        return urlunsplit(self.url._replace(path=f"/{name}"))

    def _execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url_of("postgres"), autocommit=True) as connection:
            connection.execute(sql)

    def create(self, template: str | None = None) -> str:
        name = f"demo_{uuid.uuid4().hex[:12]}"
        self._execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def drop(self, name: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Demo:
    env: dict[str, str]
    dump: dict[str, Any]
    _postgres: _Postgres | None
    _database: str  # a SQLite file, or a PostgreSQL database's name
    # The session's shared demo is read and copied under this lock (one worker at a time:
    # PostgreSQL copies a database only while nobody is connected to it).
    _lock: Path | None = None

    @contextmanager
    def copy(self, tmp: Path) -> Iterator[Demo]:
        """The same demo in a database of its own, to change without touching this one."""
        env = {**self.env, "MEDIA_ROOT": str(tmp / "media")}
        with self._locked():
            if self._postgres is None:
                database = str(tmp / "copy.sqlite3")
                shutil.copyfile(self._database, database)
                env["DATABASE_URL"] = f"sqlite:///{database}"
            else:
                database = self._postgres.create(template=self._database)
                env["DATABASE_URL"] = self._postgres.url_of(database)
        try:
            yield Demo(env, self.dump, self._postgres, database)
        finally:
            if self._postgres is not None:
                self._postgres.drop(database)

    def _locked(self) -> AbstractContextManager[None]:
        return _locked(self._lock) if self._lock else nullcontext()

    def manage(self, *args: str) -> str:
        with self._locked():
            return manage(self.env, *args)

    def assess(self, standard: str, year: int) -> dict[str, dict[str, Any]]:
        """``chuangjian assess --json``, by unit code."""
        out = self.manage("assess", "--standard", standard, "--year", str(year), "--json")
        return {u["unit"]: u for u in json.loads(out)}

    def shell(self, code: str) -> str:
        """The last line ``code`` prints, run in this demo's ``manage.py shell``."""
        return self.manage("shell", "-v", "0", "-c", code).strip().splitlines()[-1]

    @contextmanager
    def serve(self, log: Path) -> Iterator[str]:
        """This demo behind ``runserver`` on 127.0.0.1, as ``make serve`` runs it; long jobs
        (exports) run inside the request, so no queue worker is needed. Yields its URL."""
        # Here, not at the top: the background build runs this module without Django set up.
        from chuangjian.web.testing import free_port, wait_until_listening

        port = free_port()
        env = {**self.env, "DJANGO_DEBUG": "1",  # static files from the finders, as in tests
               "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
        with log.open("w") as out:
            server = subprocess.Popen(  # noqa: S603
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_until_listening(port, server, log)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait(timeout=30)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` across the session's worker processes."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def start(root: Path) -> None:
    """Start building the session's demo in the background, unless a worker already has:
    the other tests run meanwhile, and those that read it wait for it (``shared``)."""
    with _locked(root / LOCK):
        if (root / STARTED).exists():
            return
        (root / STARTED).write_text("")
        with (root / "built_demo.log").open("w") as log:
            subprocess.Popen([sys.executable, "-m", __name__, str(root)],  # noqa: S603
                             cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def shared(root: Path, timeout: float = 1800) -> Iterator[Demo]:
    """The session's demo, built once in ``root`` (the directory the workers share)."""
    start(root)
    deadline = time.monotonic() + timeout
    while not (root / BUILT).exists():
        failed = root / FAILED
        assert not failed.exists(), failed.read_text()
        assert time.monotonic() < deadline, "the demo was not built in time"
        time.sleep(0.5)
    built = json.loads((root / BUILT).read_text())
    url = os.environ.get("DATABASE_URL", "")
    postgres = _Postgres(url) if url.startswith(("postgres://", "postgresql://")) else None
    yield Demo(built["env"], built["dump"], postgres, built["database"], root / LOCK)


def finish(root: Path) -> None:
    """At the end of the whole session (not of one worker, whose neighbour may still be
    about to read it): drop the demo's PostgreSQL database, if one was built."""
    url = os.environ.get("DATABASE_URL", "")
    if (root / BUILT).exists() and url.startswith(("postgres://", "postgresql://")):
        _Postgres(url).drop(json.loads((root / BUILT).read_text())["database"])


def _build(tmp: Path) -> dict[str, Any]:
    """Build the demo in a fresh database: its environment, database and results (``DUMP``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    tmp.mkdir(parents=True, exist_ok=True)
    env["MEDIA_ROOT"] = str(tmp / "media")
    url = os.environ.get("DATABASE_URL", "")
    postgres = _Postgres(url) if url.startswith(("postgres://", "postgresql://")) else None
    if postgres is None:
        database = str(tmp / "db.sqlite3")
        env["DATABASE_URL"] = f"sqlite:///{database}"
    else:
        database = postgres.create()
        env["DATABASE_URL"] = postgres.url_of(database)
    try:
        for command in BUILD:
            manage(env, *command)
        dump = json.loads(Demo(env, {}, postgres, database).shell(DUMP))
    except BaseException:
        if postgres is not None:
            postgres.drop(database)
        raise
    return {"env": env, "dump": dump, "database": database}


if __name__ == "__main__":
    # ``start``'s background build: the result is written whole, or the reason it failed.
    where = Path(sys.argv[1])
    try:
        result = _build(where / "built_demo")
    except BaseException as error:
        (where / FAILED).write_text(f"{type(error).__name__}: {error}")
        raise
    (where / f"{BUILT}.part").write_text(json.dumps(result, ensure_ascii=False))
    (where / f"{BUILT}.part").rename(where / BUILT)
