"""The burst machinery end to end at the smallest size: PostgreSQL, gunicorn, the queue
worker, logins and submissions over HTTP. No figure is asserted on, only that nothing
failed and nothing was lost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks.postgres import pg_bin

ROOT = Path(__file__).resolve().parents[2]


def test_a_handful_of_clerks_submit_without_errors_or_losses(tmp_path: Path) -> None:
    assert pg_bin() is not None, "PostgreSQL is missing: make test installs it (scripts/system-packages.sh)"
    out = tmp_path / "burst.json"
    # Its own processes and database: run as the command it is, not inside this one.
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "benchmarks.burst", "--size", "T", "--clerks", "5",
         "--window", "30", "--ramp", "2", "--concurrency", "5", "--workers", "2",
         "--double-submit", "0.5", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=1200, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(out.read_text(encoding="utf-8"))

    assert result["clerks"] == 5 and result["logins"] == 5, done.stdout[-2000:]
    assert set(result["reports"]) == {"day", "quarter"}  # a 管区's daily, a community's quarterly
    assert result["errors"] == {}, result["error_examples"]
    assert result["acknowledged"] == sum(result["reports"].values())
    # Posted twice at once (two tabs): one acknowledged, the other told it is stale.
    assert result["doubles"] and set(result["doubles"]) == {"302+409"}
    assert result["sent"] == result["acknowledged"] + result["refused_stale"]
    assert result["stored"] == result["acknowledged"]
    assert result["lost"] == 0, result["lost_examples"]
    assert result["fresh"] is True
    assert result["refresh_error"] == ""
    assert result["server_tracebacks"] == 0
    assert not any("deadlock" in e for e in result["postgres_errors"])
