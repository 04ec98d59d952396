"""Headless Chromium: paste 篇13, accept its targets, download the draft and validate it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from chuangjian.org.testing import PASSWORD, build_world
from chuangjian.standards.plans import plan_texts
from chuangjian.web.testing import SHOTS, assert_local, login, record

pytestmark = pytest.mark.browser


def test_an_administrator_turns_plan_13_into_a_draft_standard_that_validates(
        page, live_server, transactional_db, tmp_path) -> None:
    world = build_world()
    SHOTS.mkdir(parents=True, exist_ok=True)
    requests, failures = record(page)
    base = live_server.url
    login(page, base, world.district_admin.username, PASSWORD)

    page.goto(f"{base}/standards/plan-reader/")
    page.screenshot(path=SHOTS / "plan_reader_input.png", full_page=True)
    page.fill("#f-text", plan_texts()["篇13"])
    page.fill("#f-name0", "健康社区建设标准（草稿）")
    page.fill("#f-campaign0", "健康社区")
    page.click("#read-plan")
    page.wait_for_selector("#review-form", timeout=120_000)
    marks = page.locator("#plan-text mark").count()
    assert marks >= 8
    page.click("#accept-all")
    assert page.locator(".proposal.proposal-accepted").count() == page.locator(".proposal").count()
    # A click on a highlighted quote brings its proposal into view.
    page.click("#quote-2")
    page.screenshot(path=SHOTS / "plan_reader_review.png", full_page=False)

    page.click("#make-draft")
    page.wait_for_selector("#draft-ok", timeout=120_000)
    page.screenshot(path=SHOTS / "plan_reader_draft.png", full_page=True)
    with page.expect_download() as download_info:
        page.click("#download-draft")
    path = tmp_path / "draft.yaml"
    download_info.value.save_as(path)

    out = io.StringIO()
    call_command("standards", "validate", str(path), stdout=out)
    assert "校验通过：1 个标准" in out.getvalue()
    assert "source:" in path.read_text(encoding="utf-8")
    assert not failures, failures
    assert_local(requests)
