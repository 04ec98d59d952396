"""Headless Chromium: a community worker records an activity with photos and fills the checklist."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chuangjian.evidence.models import Activity, EvidenceLink
from chuangjian.evidence.pictures import scene_jpeg
from chuangjian.org.demo import build_demo
from chuangjian.org.scope import Scope
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader
from chuangjian.web.testing import SHOTS, assert_local, login, record, wait_until

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db: None) -> None:
    build_demo()
    standards_actions.load_standards(actor=None, result=loader.load_builtin().raise_for_errors(), scope=Scope.system())


def test_a_worker_records_an_activity_with_photos_and_links_it_from_the_checklist(
        page, live_server, demo, tmp_path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    requests, failures = record(page)
    base = live_server.url
    login(page, base, "xfl_worker")
    pictures = []
    for n, caption in enumerate(("幸福里社区广场舞展演", "居民合唱《歌唱祖国》")):
        path = tmp_path / f"IMG_{n}.jpg"
        path.write_bytes(scene_jpeg(caption, n))
        pictures.append(str(path))

    page.click(".app-sidebar >> text=活动与台账")
    page.wait_for_url(f"{base}/evidence/")
    page.click("text=登记活动")
    page.wait_for_url(f"{base}/evidence/activities/new/")
    page.select_option("#id_unit", label="幸福里社区")
    page.select_option("#id_type", label="文体活动")
    # The meeting fields are for meeting types only (the form's script hides them).
    expect(page.locator("#meeting-fields")).to_be_hidden()
    page.fill("#id_title", "社区广场舞展演")
    page.fill("#id_date", timezone.localdate().isoformat())
    page.fill("#id_participants_count", "120")
    page.fill("#id_organiser", "社区文体队")
    page.fill("#id_place", "幸福里社区广场")
    page.fill("#id_description", "八支舞蹈队参加展演，居民观看踊跃。")
    page.set_input_files("#id_files", pictures)
    page.wait_for_selector("#file-preview img")
    page.screenshot(path=SHOTS / "evidence-form.png", full_page=True)
    page.click("button[type=submit] >> text=保存")
    page.wait_for_selector(".ev-gallery img")
    activity = Activity.objects.get(title="社区广场舞展演")
    assert activity.attachments.count() == 2
    assert page.locator(".ev-gallery img").count() == 2
    wait_until(page, "[...document.querySelectorAll('.ev-gallery img')].every(i => i.naturalWidth > 0)")
    page.screenshot(path=SHOTS / "evidence-detail.png", full_page=True)

    page.goto(f"{base}/evidence/")
    page.wait_for_selector("text=社区广场舞展演")
    page.screenshot(path=SHOTS / "evidence-list.png", full_page=True)

    page.click("text=佐证清单与台账")
    page.wait_for_selector("text=幸福里社区 · 佐证清单")
    page.select_option("#standard", "wenming_shequ")
    page.click(".filter-bar button >> text=查看")
    page.wait_for_selector("#ind-small_activities_per_year")
    assert page.is_visible("#ind-small_activities_per_year")
    page.screenshot(path=SHOTS / "evidence-checklist.png", full_page=True)
    row = page.locator("#ind-small_activities_per_year .ev-req").first
    row.locator("button >> text=关联").first.click()
    page.wait_for_selector("text=已关联到")
    assert EvidenceLink.objects.filter(activity=activity, requirement="活动照片").exists()
    assert page.locator("#ind-small_activities_per_year .ev-linked").count() >= 1

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/evidence/activities/new/")
    page.screenshot(path=SHOTS / "evidence-form-phone.png", full_page=True)
    assert_local(requests)
    assert not [f for f in failures if f[0] >= 500], failures
