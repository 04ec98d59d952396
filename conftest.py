"""Shared test set-up: fast hashing, eager tasks, no deadlines, and the named personas."""

from __future__ import annotations

import os

# Playwright's sync API runs an event loop in the test thread; Django must allow
# ORM calls from it (TECH_NOTES: set before Django loads).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

pytest_plugins = ["chuangjian.org.testing", "chuangjian.lib.db_snapshots"]

# Property tests check what is true, never how fast: Hypothesis's default 200 ms deadline
# per example is a timed assertion that a busy machine (two workers, a browser, a database
# server) fails at random. Speed is measured by the benchmarks.
hypothesis_settings.register_profile("chuangjian", deadline=None)
hypothesis_settings.load_profile("chuangjian")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The test database as a new deployment's: what the data migration evidence.0002
    gives it is made here too (the tables come from the models, ``--no-migrations``)."""
    from chuangjian.evidence.builtin_types import ensure_builtin_types

    with django_db_blocker.unblock():
        ensure_builtin_types()


@pytest.fixture(autouse=True)
def _fast_settings(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = True
    # Long jobs run at once in tests, inside the test's process and database.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _no_figures_carried_from_another_test():  # type: ignore[no-untyped-def]
    """A drain keeps units' figures for the process's next drain (decision 0050); each
    test's database is another city, so each test begins without them."""
    from chuangjian.assessment.freshness import drop_carried_figures

    drop_carried_figures()
    yield
    drop_carried_figures()


@pytest.fixture(autouse=True)
def _every_test_starts_in_chinese():  # type: ignore[no-untyped-def]
    """The test client runs requests in the test's thread, and the language middleware
    activates the visitor's language there and leaves it: a test whose last request
    was in English would otherwise run the next test in that worker in English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):  # type: ignore[no-untyped-def]
    """``force_login`` stands for a finished sign-in: password and, where the roles ask
    for it, the second factor (TOTP). Tests of the sign-in itself post to the pages."""
    from django.test import Client

    from chuangjian.accounts.otp import SESSION_VERIFIED

    original = Client.force_login

    def force_login(self, user, backend=None):  # type: ignore[no-untyped-def]
        original(self, user, backend)
        session = self.session
        session[SESSION_VERIFIED] = "force_login"
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The whole session's end (under xdist, the controller's, after every worker's): the
    demo the assessment tests shared is dropped, where it lives in PostgreSQL."""
    if hasattr(session.config, "workerinput"):
        return
    from chuangjian.assessment.tests.built_demo import finish

    # The controller's base directory is the one its workers' directories lie in.
    finish(session.config._tmp_path_factory.getbasetemp())  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    # Debian's Chromium, never a downloaded one; and no traffic to outside hosts.
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic", "--lang=zh-CN"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # A Chinese browser, as the users have; the page language follows Accept-Language.
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai",
            "viewport": {"width": 1366, "height": 900}}
