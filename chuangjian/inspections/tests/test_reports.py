"""随手拍 on the public page: no login, photos checked, receipt code, triage, follow-up,
and a flood from one client refused with the Chinese 429 page."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from chuangjian.inspections.actions import rectification as act
from chuangjian.inspections.actions import reports as report_actions
from chuangjian.inspections.models import CitizenReport, ReportStatus, State
from chuangjian.inspections.tests.conftest import category, photo
from chuangjian.org.scope import Scope

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


def _post(client, **extra):
    data = {"key": extra.pop("key", "k-" + str(id(extra))), "category": category("graffiti").pk,
            "description": "围墙上被喷了小广告", "address": "南门路30号", "phone": "",
            "photos": [photo()], **extra}
    return client.post(reverse("inspections:suishoupai:new"), data, REMOTE_ADDR="198.51.100.1")


def test_a_resident_files_a_report_without_an_account_and_gets_a_receipt(client, world,
                                                                          standards):
    page = client.get(reverse("inspections:suishoupai:new"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'capture="environment"' in html and 'accept="image/*"' in html
    assert "csrfmiddlewaretoken" in html
    response = _post(client, key="abc")
    assert response.status_code == 302
    report = CitizenReport.objects.get()
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", report.code)
    status = client.get(response["Location"])
    assert report.code in status.content.decode()
    assert "已受理" in status.content.decode()
    # The same form sent again keeps one report.
    assert _post(client, key="abc").status_code == 302
    assert CitizenReport.objects.count() == 1


def test_the_public_form_keeps_csrf(world, standards):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("inspections:suishoupai:new"), {"description": "x"})
    assert response.status_code == 403


def test_a_report_with_a_file_that_is_not_an_image_is_refused_in_chinese(client, world,
                                                                         standards):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("a.jpg", b"MZ\x90\x00 executable", content_type="image/jpeg")
    response = _post(client, photos=[bad], phone="123")
    assert response.status_code == 400
    html = response.content.decode()
    assert "不是有效的图片文件" in html
    assert "手机号应为11位数字" in html
    assert not CitizenReport.objects.exists()


def test_a_flood_from_one_client_gets_the_chinese_429_page_and_keeps_what_was_filed(
        client, world, standards):
    codes = []
    for i in range(5):
        response = _post(client, key=f"flood-{i}")
        assert response.status_code == 302
        codes.append(response["Location"])
    refused = _post(client, key="flood-6")
    assert refused.status_code == 429
    assert "操作过于频繁" in refused.content.decode()
    assert CitizenReport.objects.count() == 5
    other = client.post(reverse("inspections:suishoupai:new"),
                        {"key": "x", "category": category("graffiti").pk, "description": "d",
                         "address": "a", "photos": [photo(color="blue")]},
                        REMOTE_ADDR="198.51.100.2")
    assert other.status_code == 302


def test_triage_turns_a_report_into_a_finding_and_the_reporter_follows_it(client, world,
                                                                          standards):
    report, _ = report_actions.submit_report(
        category=category("graffiti"), description="小广告", address="南门路30号",
        photos=[photo()], unit=world.community)
    inspector = Scope.for_user(world.inspector)
    client.force_login(world.inspector)
    queue = client.get(reverse("inspections:triage"))
    assert report.code in queue.content.decode()
    response = client.post(reverse("inspections:triage_report", args=[report.pk]),
                           {"decision": "accept", "unit": world.community.pk,
                            "category": category("graffiti").pk, "severity": "简易"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    assert report.finding is not None
    order = report.finding.order
    assert order.state == State.DISPATCHED
    assert list(report.finding.photos.all()) == list(report.photos.all())
    worker = Scope.for_user(world.community_worker)
    order = act.accept_order(actor=world.community_worker, scope=worker, order=order)
    order = act.submit_rectification(actor=world.community_worker, scope=worker, order=order,
                                     note="已清除", photos=[photo(color="green")])
    act.verify_rectification(actor=world.inspector, scope=inspector, order=order, passed=True)
    client.logout()
    status = client.get(reverse("inspections:suishoupai:status", args=[report.code]))
    html = status.content.decode()
    assert "已整改完毕" in html and "问题解决了吗" in html
    after = order.photo_links.get().file
    assert client.get(reverse("inspections:suishoupai:photo",
                              args=[report.code, after.sha256])).status_code == 200
    response = client.post(reverse("inspections:suishoupai:status", args=[report.code]),
                           {"fixed": "0", "note": "又被贴上了"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.needs_review
    client.force_login(world.inspector)
    client.post(reverse("inspections:review_follow_up", args=[report.pk]),
                {"reopen": "1", "note": "复查属实"})
    order.refresh_from_db()
    assert order.state == State.DISPATCHED and order.reopenings == 1


def test_a_rejected_report_shows_its_reason_and_outsiders_cannot_triage(client, world,
                                                                        standards):
    report, _ = report_actions.submit_report(
        category=category("graffiti"), description="x", address="y", photos=[photo()],
        unit=world.community)
    client.force_login(world.outsider)
    assert client.get(reverse("inspections:triage_report", args=[report.pk])).status_code == 403
    client.force_login(world.inspector)
    response = client.post(reverse("inspections:triage_report", args=[report.pk]),
                           {"decision": "reject", "reason": ""})
    assert response.status_code == 400
    assert "不予立案的理由" in response.content.decode()
    client.post(reverse("inspections:triage_report", args=[report.pk]),
                {"decision": "reject", "reason": "位置不明，无法核实"})
    client.logout()
    page = client.get(reverse("inspections:suishoupai:status", args=[report.code]))
    assert "位置不明，无法核实" in page.content.decode()
    assert client.get(reverse("inspections:suishoupai:status", args=["ZZZZ-ZZZZ"])
                      ).status_code == 404


@pytest.mark.parametrize("latitude", ["NaN", "inf", "-Infinity", "sNaN", "1" * 1_000_000])
def test_a_report_with_an_impossible_latitude_is_refused_and_leaves_no_photo(
        client, world, standards, settings, tmp_path, latitude):
    from chuangjian.files.models import StoredFile

    settings.MEDIA_ROOT = tmp_path
    response = _post(client, latitude=latitude, longitude="121.5")
    assert response.status_code == 400
    assert "经纬度格式不正确" in response.content.decode()
    assert not CitizenReport.objects.exists()
    assert not StoredFile.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
