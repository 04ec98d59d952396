"""The migrations describe the models exactly.

The suite's databases are made from the models (``--no-migrations``), so this is what
keeps them honest: a model changed without its migration would pass every other test
and then be missing from a deployment's database. The migrations themselves are run on
both databases by the built demo (``make db``), the production step and the burst
benchmark."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_makemigrations_finds_nothing_to_write(settings: Any) -> None:
    settings.MIGRATION_MODULES = {}  # the real ones, not the suite's "none"
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as missing:
        pytest.fail(f"models changed without a migration (exit {missing.code}):\n{out.getvalue()}")
    assert "No changes detected" in out.getvalue()
