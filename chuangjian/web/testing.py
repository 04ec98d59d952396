"""Helpers for the browser tests of every app: record requests, prove they stay local, sign in."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from django.conf import settings

from chuangjian.org.demo import DEMO_PASSWORD

# Screenshots land here for people to open and look at (git ignores var/).
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def record(page: Any) -> tuple[list[str], list[tuple[int, str]]]:
    page.set_default_timeout(10_000)
    requests: list[str] = []
    failures: list[tuple[int, str]] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("response", lambda r: failures.append((r.status, r.url)) if r.status >= 400 else None)
    return requests, failures


def assert_local(requests: list[str]) -> None:
    assert requests
    outside = [u for u in requests
               if urlparse(u).scheme not in ("data", "blob")
               and urlparse(u).hostname not in ("127.0.0.1", "localhost")]
    assert not outside, outside


def login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
