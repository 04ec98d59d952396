"""The account pages in headless Chromium at desktop and phone widths, with screenshots."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from chuangjian.org import actions
from chuangjian.org.scope import Scope
from chuangjian.org.testing import PASSWORD, build_world
from chuangjian.web.testing import SHOTS, assert_local, record, totp_code

pytestmark = pytest.mark.browser

NEW = "Anquan#20261202"


@pytest.mark.parametrize("width", [1366, 390])
def test_login_password_change_and_second_factor_fit_the_screen(
        browser, live_server, transactional_db, width: int) -> None:
    world = build_world()
    # An administrator's reset: the person must choose a new password first.
    actions.set_user_password(actor=world.superuser, user=world.district_admin, password=PASSWORD, scope=Scope.for_user(world.superuser))
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    requests, failures = record(page)
    base = live_server.url

    page.goto(f"{base}/login/")
    page.screenshot(path=SHOTS / f"account-login-{width}.png", full_page=True)
    page.fill("#id_username", "district_admin")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/account/password/")
    assert page.is_visible("text=请先修改初始密码")
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", "qingyuan")
    page.fill("#id_new_password2", "qingyuan")
    page.click("button[type=submit]")
    expect(page.get_by_text("密码须包含大写字母、小写字母、数字、符号中的至少 3 类。")).to_be_visible()
    page.screenshot(path=SHOTS / f"account-password-{width}.png", full_page=True)
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", NEW)
    page.fill("#id_new_password2", NEW)
    page.click("button[type=submit]")

    # Then the second factor: the QR code and the key, confirmed by the first code.
    page.wait_for_url(f"{base}/account/2fa/enrol/**")
    assert page.is_visible(".otp-qr svg")
    box = page.locator(".otp-qr svg").bounding_box()
    assert box is not None and box["width"] <= width - 40
    page.screenshot(path=SHOTS / f"account-otp-enrol-{width}.png", full_page=True)
    from base64 import b32decode

    key = page.inner_text(".user-select-all").replace(" ", "")
    page.fill("#id_token", totp_code(b32decode(key + "=" * (-len(key) % 8))))
    page.click("button[type=submit]")
    # The click answers with a new page at the same address: wait for it, not for the old one.
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.screenshot(path=SHOTS / f"account-otp-codes-{width}.png", full_page=True)
    page.click("text=我已保存，继续")
    page.wait_for_url(f"{base}/")

    # Next time: password, then the code.
    page.click(".user-chip")
    page.click("text=退出登录")
    page.wait_for_url(f"{base}/login/**")
    page.fill("#id_username", "district_admin")
    page.fill("#id_password", NEW)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/account/2fa/verify/**")
    page.screenshot(path=SHOTS / f"account-otp-verify-{width}.png", full_page=True)
    device = TOTPDevice.objects.get(user=world.district_admin)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    page.fill("#id_token", totp_code(device.bin_key))
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    # No horizontal scrolling at either width.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.goto(f"{base}/account/password/")
    page.screenshot(path=SHOTS / f"account-password-own-{width}.png", full_page=True)
    context.close()
    assert not failures, failures
    assert_local(requests)
