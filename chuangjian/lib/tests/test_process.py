"""Each process of the product, once started, sets what it has loaded aside from the
garbage collector's full passes (``lib.process.settle``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FROZEN = "import gc; print(gc.get_freeze_count())"


def _run(*argv: str) -> int:
    """The count of frozen objects the process prints last."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True,  # noqa: S603 - our own interpreter
                          text=True, check=True, timeout=120,
                          env={**env, "DJANGO_SETTINGS_MODULE": "chuangjian.settings"})
    return int(done.stdout.strip().splitlines()[-1])


def test_a_web_process_freezes_what_it_loaded_with_every_view() -> None:
    # Django, the apps and every view: well over 100,000 objects; none without settling.
    assert _run("-c", f"import chuangjian.wsgi; {FROZEN}") > 100_000
    assert _run("-c", f"import django; django.setup(); {FROZEN}") == 0


def test_every_command_of_the_product_runs_settled() -> None:
    assert _run("-m", "chuangjian.cli", "shell", "-c", FROZEN) > 100_000


def test_settling_leaves_views_imported_and_nothing_uncollected() -> None:
    script = ("import django, gc, sys; django.setup(); "
              "from chuangjian.lib.process import settle; settle(); "
              "print(int('chuangjian.assessment.views' in sys.modules and gc.collect() == 0))")
    assert _run("-c", script) == 1
