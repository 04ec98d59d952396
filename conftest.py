"""Shared test set-up: fast hashing, eager tasks, and the named personas."""

from __future__ import annotations

import os

# Playwright's sync API runs an event loop in the test thread; Django must allow
# ORM calls from it (TECH_NOTES: set before Django loads).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest

pytest_plugins = ["chuangjian.org.testing"]


@pytest.fixture(autouse=True)
def _fast_settings(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = True
