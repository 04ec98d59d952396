"""Production as the README sets it up: DJANGO_ENV=production, collectstatic, migrate,
gunicorn on 127.0.0.1, and pages fetched through it as nginx would pass them on.

Marked ``production`` (left out of ``make test``; ``.ci/run`` runs it as its own step):
it starts real processes and compresses the static files, about a minute.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from chuangjian.web.testing import free_port, wait_until_listening

pytestmark = pytest.mark.production

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
PASSWORD = "Prod-Smoke-2026!"
TOTP_KEY = "3132333435363738393031323334353637383930"  # hex, as django-otp stores it


def _manage(env: dict[str, str], *args: str) -> str:
    # manage.py rather than the console script, so the code of this checkout runs.
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=1500, check=False)
    assert done.returncode == 0, f"chuangjian {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


class Site:
    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, https: bool = True, body: str = "",
                headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if https:
            sent["X-Forwarded-Proto"] = "https"  # what nginx in front sets
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body.encode() or None, headers=sent)
        response = conn.getresponse()
        response.body = response.read()  # type: ignore[attr-defined]
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        conn.close()
        return response


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("production")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update({
        "DJANGO_ENV": "production", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp / "static"), "MEDIA_ROOT": str(tmp / "media"),
        "CSRF_TRUSTED_ORIGINS": "https://127.0.0.1",
        "PERSONAL_DATA_KEYS": secrets.token_urlsafe(32),
        "PERSONAL_DATA_HASH_KEY": secrets.token_urlsafe(32),
    })
    # The README's commands, in its order.
    _manage(env, "collectstatic", "--noinput", "-v0", "-i", "*.map")
    _manage(env, "migrate", "-v0")
    _manage(env, "createcachetable")
    deploy = _manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert "WARNING" not in deploy and "no issues" in deploy, deploy
    # The superuser must pass the second factor (等保): give it a bound authenticator.
    _manage(env, "shell", "-c", "from chuangjian.org.models import User; "
            "from django_otp.plugins.otp_totp.models import TOTPDevice; "
            f"u = User.objects.create_superuser('prod_admin', '', {PASSWORD!r}); "
            f"TOTPDevice.objects.create(user=u, name='app', key={TOTP_KEY!r}, confirmed=True)")
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [str(BIN / "gunicorn"), "chuangjian.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2",
         "--timeout", "120"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=open(tmp / "gunicorn.log", "w"))  # noqa: SIM115 - closed with the process
    try:
        wait_until_listening(port, server, tmp / "gunicorn.log")
        yield Site(port)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_plain_http_is_redirected_to_https(site: Site) -> None:
    response = site.request("GET", "/login/", https=False)
    assert response.status == 301
    assert response.headers["Location"].startswith("https://")


def test_the_login_page_and_its_hashed_static_files_are_served(site: Site) -> None:
    page = site.request("GET", "/login/")
    html = page.body.decode()  # type: ignore[attr-defined]
    assert page.status == 200, html[:2000]
    assert "max-age=31536000" in page.headers["Strict-Transport-Security"]
    assert "includeSubDomains" in page.headers["Strict-Transport-Security"]
    assert all("Secure" in c for c in page.headers.get_all("Set-Cookie") or [])
    css = re.findall(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', html)
    assert css, "no hashed stylesheet on the login page"
    for path in css:
        static = site.request("GET", path)
        assert static.status == 200 and static.body, path  # type: ignore[attr-defined]
        assert "immutable" in static.headers.get("Cache-Control", ""), path


def _pages() -> list[str]:
    """Every page of the URL conf that takes no argument (GET)."""
    found: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for p in patterns:
            route = str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + route)
            elif "<" not in route and "(?P" not in route and "^" not in prefix + route:
                found.append("/" + prefix + route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(found) - {"/logout/", "/i18n/setlang/"})


def _pass_second_factor(site: Site) -> None:
    """Type the authenticator's current code, as the administrator would."""
    from chuangjian.web.testing import totp_code

    page = site.request("GET", "/account/2fa/verify/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"',
                      page.body.decode())  # type: ignore[attr-defined]
    assert page.status == 200 and token, page.status
    form = urlencode({"token": totp_code(bytes.fromhex(TOTP_KEY)),
                      "csrfmiddlewaretoken": token.group(1)})
    done = site.request("POST", "/account/2fa/verify/", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"https://127.0.0.1:{site.port}/account/2fa/verify/"})
    assert done.status == 302, done.body[:2000]  # type: ignore[attr-defined]
    assert "/account/" not in done.headers["Location"], done.headers["Location"]


def test_every_page_without_arguments_answers_without_a_server_error(site: Site) -> None:
    login = site.request("GET", "/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"',
                      login.body.decode())  # type: ignore[attr-defined]
    assert token
    form = urlencode({"username": "prod_admin", "password": PASSWORD,
                      "csrfmiddlewaretoken": token.group(1)})
    done = site.request("POST", "/login/", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"https://127.0.0.1:{site.port}/login/"})
    assert done.status == 302, done.body[:2000]  # type: ignore[attr-defined]
    _pass_second_factor(site)
    served = {}
    for path in _pages():
        served[path] = site.request("GET", path).status
    assert served["/"] == 200
    assert served["/api/docs"] == 200
    assert [p for p, status in served.items() if status >= 500] == [], served
