"""Helpers for the browser tests of every app: record requests, prove they stay local, sign in."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from django.conf import settings

from chuangjian.org.demo import DEMO_PASSWORD


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on now, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_listening(port: int, server: subprocess.Popen[Any], log: Path,
                         timeout: float = 60) -> None:
    """Wait for ``server`` to accept connections on ``port``; its log if it exits first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"{server.args!r} did not listen in {timeout:.0f} s"
            time.sleep(0.2)


# Screenshots land here for people to open and look at (git ignores var/).
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def record(page: Any) -> tuple[list[str], list[tuple[int, str]]]:
    page.set_default_timeout(10_000)
    requests: list[str] = []
    failures: list[tuple[int, str]] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("response", lambda r: failures.append((r.status, r.url)) if r.status >= 400 else None)
    return requests, failures


def wait_until(page: Any, expression: str, timeout: float = 10.0) -> None:
    """Poll a JavaScript expression until it is true. Playwright's ``wait_for_function``
    evaluates its string with ``eval`` inside the page, which our CSP (no 'unsafe-eval')
    forbids; ``page.evaluate`` of an expression does not run through the page's CSP."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout:.0f} s: {expression}")
        page.wait_for_timeout(100)


def assert_local(requests: list[str]) -> None:
    assert requests
    outside = [u for u in requests
               if urlparse(u).scheme not in ("data", "blob")
               and urlparse(u).hostname not in ("127.0.0.1", "localhost")]
    assert not outside, outside


def totp_code(key: bytes) -> str:
    """The code an authenticator app shows now for ``key``."""
    from django_otp.oath import TOTP

    return f"{TOTP(key, step=30, digits=6).token():06d}"


def login(page: Any, base: str, username: str, password: str = "") -> None:
    """Sign in as a person would, with the second factor where the roles ask for it:
    bind an app from the key the page shows, or type the code of the bound one."""
    from base64 import b32decode

    from django_otp.plugins.otp_totp.models import TOTPDevice

    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password or DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if "/account/2fa/enrol/" in page.url:
        key = page.inner_text(".user-select-all").replace(" ", "")
        page.fill("#id_token", totp_code(b32decode(key + "=" * (-len(key) % 8))))
        page.click("button[type=submit]")
        page.click("text=我已保存，继续")
    elif "/account/2fa/verify/" in page.url:
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        # A second sign-in within the same 30 seconds would reuse a code, which the
        # device refuses; a person would wait for the next one.
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
        page.fill("#id_token", totp_code(device.bin_key))
        page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
