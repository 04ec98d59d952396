"""A throwaway PostgreSQL cluster, started the way ``.ci/run`` starts CI's.

``initdb`` in a fresh ``mktemp`` folder (trust authentication, UTF-8, C.UTF-8 locale),
then ``pg_ctl start`` listening on 127.0.0.1 only, its socket in that folder, with
``fsync`` and ``full_page_writes`` off: nothing in it is meant to survive. PostgreSQL
refuses to run as root, so as root the commands run as the ``postgres`` user (as CI
does); as anyone else they run as that user. Stopped and deleted on leaving the
``with`` block, also on an error or Ctrl-C.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PG_ROOT = Path("/usr/lib/postgresql")


def pg_bin() -> Path | None:
    """The newest installed PostgreSQL's ``bin`` folder, or None."""
    found = sorted((p for p in PG_ROOT.glob("*/bin") if (p / "initdb").exists()),
                   key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    return found[-1] if found else None


def free_port() -> int:
    """A TCP port nobody listens on at 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Cluster:
    root: Path
    port: int
    url: str  # of the database ``chuangjian`` in it

    @property
    def log(self) -> Path:
        return self.root / "server.log"


def _as_postgres(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


def _run(argv: list[str], timeout: float = 120) -> None:
    done = subprocess.run(_as_postgres(argv), capture_output=True, text=True,  # noqa: S603 - our own arguments
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


@contextmanager
def throwaway_cluster(*, port: int | None = None, database: str = "chuangjian",
                      options: str = "") -> Iterator[Cluster]:
    """Start a cluster on 127.0.0.1 (a free port unless given), create ``database``, yield
    it; stop the server and delete the folder afterwards. ``options``: more ``-c`` settings
    (e.g. logging) after CI's."""
    binaries = pg_bin()
    if binaries is None:
        raise RuntimeError(f"PostgreSQL is not installed under {PG_ROOT}")
    root = Path(tempfile.mkdtemp(prefix="chuangjian-pg."))
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres")
    port = port or free_port()
    data = root / "data"
    started = False
    try:
        _run([str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
              "-E", "UTF8", "--locale=C.UTF-8"])
        options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off "
                   f"-c full_page_writes=off {options}").strip()
        _run([str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "server.log"),
              "-w", "start"])
        started = True
        _run([str(binaries / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
              database])
        yield Cluster(root=root, port=port, url=f"postgres://postgres@127.0.0.1:{port}/{database}")
    finally:
        if started:
            try:
                _run([str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                     timeout=60)
            except (RuntimeError, subprocess.TimeoutExpired):
                # Last resort: the server's own pid, from its pid file (ours, never by name).
                pid_file = data / "postmaster.pid"
                if pid_file.exists():
                    pid = int(pid_file.read_text().split()[0])
                    subprocess.run(_as_postgres(["kill", "-KILL", str(pid)]), check=False)  # noqa: S603
        shutil.rmtree(root, ignore_errors=True)
