"""In the browser: a stale unit form shows both names at phone and desktop width, and a
person's phone is masked until revealed."""

from __future__ import annotations

import pytest

from chuangjian.org import actions
from chuangjian.org.scope import Scope
from chuangjian.org.testing import PASSWORD, build_world
from chuangjian.web.testing import SHOTS, assert_local, login, record

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1280])
def test_a_stale_unit_form_and_a_masked_phone(page, live_server, transactional_db,
                                              width: int) -> None:
    world = build_world()
    actions.update_user(actor=None, scope=Scope.system(), user=world.community_worker,
                        phone="13812345678")
    requests, errors = record(page)
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server.url, "district_admin", PASSWORD)

    page.goto(f"{live_server.url}/people/{world.community_worker.pk}/")
    assert "138****5678" in page.content() and "13812345678" not in page.content()
    page.click("text=查看完整号码")
    page.wait_for_selector("[data-revealed=phone]")
    assert page.inner_text("#reveal-phone") == "13812345678"
    page.screenshot(path=str(SHOTS / f"people-phone-revealed-{width}.png"), full_page=True)

    page.goto(f"{live_server.url}/units/{world.community.code}/edit/")
    page.fill("#id_name", "幸福里新社区")
    actions.update_unit(actor=None, scope=Scope.system(), unit=world.community,
                        name="幸福里东社区")
    page.click(".form-actions button[type=submit]")
    page.wait_for_selector(".theirs")
    assert "对方保存的是：幸福里东社区" in page.inner_text(".theirs")
    assert page.input_value("#id_name") == "幸福里新社区"
    page.screenshot(path=str(SHOTS / f"unit-edit-stale-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.click(".form-actions button[type=submit]")
    page.wait_for_url(f"{live_server.url}/units/{world.community.code}/")
    assert_local(requests)
    assert [status for status, _url in errors] == [409]  # the refused stale save
