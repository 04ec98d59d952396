"""Pieces of a batch shared among forked copies of the process (``lib.forked``): each copy
with database connections of its own, and the batch run here, one piece after another,
where copies cannot share the database."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from chuangjian.lib.forked import each_forked, why_not_forked

ROOT = Path(__file__).resolve().parents[3]

# A batch on a SQLite file: each piece has the database square its number and names its
# process. The first piece waits until another process has started a piece (up to 10 s):
# pieces this small could otherwise all be done before the copy has started.
BATCH = textwrap.dedent("""
    import json, os, signal, time, django
    django.setup()
    from django.db import connection, transaction
    from chuangjian.lib.forked import each_forked, why_not_forked

    MARKS = os.environ["FORKED_MARKS"]

    def work(n):
        open(os.path.join(MARKS, f"{os.getpid()}-{n}"), "w").close()
        deadline = time.monotonic() + 10
        while n == 0 and time.monotonic() < deadline and len(
                {name.split("-")[0] for name in os.listdir(MARKS)}) < 2:
            time.sleep(0.01)
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s * %s", [n, n])
            (square,) = cursor.fetchone()
        return square

    def fails(n):  # every piece a copy takes fails
        work(n)
        if os.getpid() != PARENT:
            raise ValueError(f"第 {n} 件无法完成")
        return n

    def killed(n):  # a copy that takes a piece is killed, as by the OOM killer
        work(n)
        if os.getpid() != PARENT:
            os.kill(os.getpid(), signal.SIGKILL)
        return n

    PARENT = os.getpid()

    connection.ensure_connection()
    out = {"parent": os.getpid(), "free": why_not_forked()}
    with transaction.atomic():
        out["in_transaction"] = why_not_forked()
    out["done"] = [[n, square, pid] for n, square, pid in each_forked(work, list(range(8)),
                                                                      processes=2)]
    with connection.cursor() as cursor:  # this process's connection, opened again
        cursor.execute("SELECT 41 + 1")
        out["after"] = cursor.fetchone()[0]
    out["alone"] = sorted({pid for _n, _r, pid in each_forked(work, [5], processes=2)}
                          | {pid for _n, _r, pid in each_forked(work, [1, 2, 3], processes=1)})
    def raised(piece, count):  # what a batch raised (type, message, notes), marks cleared
        for name in os.listdir(MARKS):
            os.remove(os.path.join(MARKS, name))
        try:
            list(each_forked(piece, list(range(count)), processes=2))
        except Exception as error:
            return [type(error).__name__, str(error), getattr(error, "__notes__", [])]
        return None

    out["error"] = raised(fails, 6)
    out["killed"] = raised(killed, 4)
    try:
        os.waitpid(-1, os.WNOHANG)
        out["children_left"] = True
    except ChildProcessError:  # every copy has ended and been waited for
        out["children_left"] = False
    print(json.dumps(out))
""")


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """What the batch printed, run once for the tests below."""
    tmp_path = tmp_path_factory.mktemp("forked")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    (tmp_path / "marks").mkdir()
    env.update(DJANGO_SETTINGS_MODULE="chuangjian.settings",
               DATABASE_URL=f"sqlite:///{tmp_path / 'forked.sqlite3'}",
               FORKED_MARKS=str(tmp_path / "marks"))
    done = subprocess.run([sys.executable, "-c", BATCH], cwd=ROOT, env=env,  # noqa: S603 - our own interpreter
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_batch_is_shared_between_this_process_and_a_copy_each_with_its_connection(
        batch: dict) -> None:
    out = batch
    assert out["free"] is None
    assert sorted((n, square) for n, square, _pid in out["done"]) == [(n, n * n) for n in range(8)]
    processes = {pid for _n, _square, pid in out["done"]}
    assert len(processes) == 2 and out["parent"] in processes
    assert out["after"] == 42  # the parent's own connection, closed before the fork, works
    kind, message, _notes = out["error"]
    assert kind == "ValueError" and re.fullmatch(r"第 [1-5] 件无法完成", message)
    assert out["children_left"] is False


def test_a_copys_exception_is_raised_here_with_where_it_was_raised(batch: dict) -> None:
    notes = "".join(batch["error"][2])
    assert "forked copy" in notes and "in fails" in notes


def test_a_copy_killed_before_sending_its_results_is_an_error_not_a_wait(batch: dict) -> None:
    kind, message, _notes = batch["killed"]
    assert kind == "CopyFailed"
    assert "ended without its results" in message and "SIGKILL" in message


def test_one_piece_or_one_process_stays_here(batch: dict) -> None:
    out = batch
    assert out["alone"] == [out["parent"]]


def test_inside_a_transaction_the_copies_could_not_see_its_writes(batch: dict) -> None:
    assert "inside a transaction" in batch["in_transaction"]


@pytest.mark.django_db
def test_on_the_tests_database_the_batch_runs_here_in_order() -> None:
    # SQLite's in-memory test database cannot be opened by a copy; PostgreSQL's test
    # case runs inside a transaction. Either way: here, one after another.
    assert why_not_forked() is not None
    done = list(each_forked(lambda n: n + 1, [5, 1, 3], processes=2))
    assert done == [(5, 6, os.getpid()), (1, 2, os.getpid()), (3, 4, os.getpid())]
