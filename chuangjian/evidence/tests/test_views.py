"""The activity pages: scoped lists, the phone-friendly form, files visible with the unit only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from chuangjian.evidence.models import Activity
from chuangjian.evidence.tests.conftest import YEAR, activity, kind, photo
from chuangjian.org.testing import World

pytestmark = pytest.mark.django_db


def _form(world: World, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "unit": world.community.pk, "type": kind("culture_sports").pk, "title": "夏季纳凉晚会",
        "date": f"{YEAR}-07-20", "place": "社区广场", "organiser": "社区文体队",
        "participants_count": "300", "description": "文艺演出"}
    data.update(changes)
    return data


def test_the_list_shows_activities_in_scope_and_filters_them(world: World,
                                                             django_assert_max_num_queries) -> None:
    for n in range(12):
        activity(world.community_worker, world.community, title=f"活动{n}",
                 date=dt.date(YEAR, 1 + n % 12, 5), uploads=[photo(f"{n}.jpg", f"#{n * 20:02x}0000")])
    activity(world.outsider, world.other_community, title="湖滨社区的活动")
    client = world.client_for(world.street_leader)
    with django_assert_max_num_queries(16):
        page = client.get(reverse("evidence:index"))
    body = page.content.decode()
    assert page.status_code == 200 and "活动11" in body and "湖滨社区的活动" not in body
    filtered = client.get(reverse("evidence:index"), {"unit": world.community.code,
                                                      "date_from": f"{YEAR}-03-01",
                                                      "date_to": f"{YEAR}-03-31"})
    assert "活动2" in filtered.content.decode() and "活动3" not in filtered.content.decode()
    outsider = world.client_for(world.outsider)
    assert "活动11" not in outsider.get(reverse("evidence:index")).content.decode()
    assert outsider.get(reverse("evidence:index"), {"unit": world.community.code}).status_code == 404


def test_a_worker_records_an_activity_with_photos_from_the_form(world: World) -> None:
    client = world.client_for(world.community_worker)
    assert client.get(reverse("evidence:activity_new")).status_code == 200
    response = client.post(reverse("evidence:activity_new"),
                           {**_form(world), "files": [photo("1.jpg", "red"), photo("2.jpg", "blue"),
                                                      photo("dup.jpg", "red")]})
    done = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("evidence:activity", args=[done.pk])
    assert done.attachments.count() == 2
    page = client.get(response["Location"])
    assert page.status_code == 200 and "夏季纳凉晚会" in page.content.decode()


def test_the_form_refuses_bad_input_with_chinese_errors(world: World) -> None:
    client = world.client_for(world.community_worker)
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    page = client.post(reverse("evidence:activity_new"), _form(world, date=future))
    assert page.status_code == 400 and "活动日期不能晚于今天" in page.content.decode()
    page = client.post(reverse("evidence:activity_new"),
                       {**_form(world), "files": [photo(), _exe()]})
    assert page.status_code == 400 and "文件类型不支持" in page.content.decode()
    page = client.post(reverse("evidence:activity_new"),
                       _form(world, unit=world.other_community.pk))
    assert page.status_code == 400 and "所选单位不在您可登记的范围内" in page.content.decode()
    assert not Activity.objects.exists()


def _exe() -> SimpleUploadedFile:
    return SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="application/octet-stream")


def test_the_outsider_sees_no_activity_page_and_no_photo(world: World) -> None:
    done = activity(world.community_worker, world.community, uploads=[photo()])
    stored = done.files.get()
    outsider = world.client_for(world.outsider)
    for name in ("evidence:activity", "evidence:activity_edit"):
        assert outsider.get(reverse(name, args=[done.pk])).status_code == 404
    assert outsider.post(reverse("evidence:activity_delete", args=[done.pk])).status_code == 404
    assert outsider.get(stored.url("thumb")).status_code == 404
    leader = world.client_for(world.street_leader)
    assert leader.get(stored.url("thumb")).status_code == 200
    # The inspector may look but not change.
    inspector = world.client_for(world.inspector)
    assert inspector.get(reverse("evidence:activity", args=[done.pk])).status_code == 200
    assert inspector.get(reverse("evidence:activity_edit", args=[done.pk])).status_code == 403
    assert inspector.post(reverse("evidence:activity_delete", args=[done.pk])).status_code == 403
    assert Activity.objects.filter(pk=done.pk).exists()


def test_a_worker_edits_and_deletes_an_activity(world: World) -> None:
    done = activity(world.community_worker, world.community, uploads=[photo("a.jpg", "red")])
    client = world.client_for(world.community_worker)
    stored = done.files.get()
    response = client.post(reverse("evidence:activity_edit", args=[done.pk]),
                           {**_form(world, title="改名后的活动"), "remove": [str(stored.pk)]})
    assert response.status_code == 302
    done.refresh_from_db()
    assert done.title == "改名后的活动" and done.attachments.count() == 0
    assert client.post(reverse("evidence:activity_delete", args=[done.pk])).status_code == 302
    assert not Activity.objects.exists()


def test_only_administrators_change_types_and_windows(world: World, standards: object) -> None:
    leader = world.client_for(world.street_leader)
    assert leader.get(reverse("evidence:types")).status_code == 200
    assert leader.post(reverse("evidence:types"), {"name": "读书会", "code": "x"}).status_code == 403
    assert leader.post(reverse("evidence:windows"), {"standard": "wenming_shequ", "months": 12,
                                                     "end_month": 11, "end_day": 30}).status_code == 403
    admin = world.client_for(world.superuser)
    assert admin.post(reverse("evidence:types"), {"name": "读书会", "code": "book_club",
                                                  "keywords": "读书、阅读", "active": "on"}).status_code == 302
    assert admin.post(reverse("evidence:windows"), {"standard": "wenming_shequ", "months": 12,
                                                    "end_month": 11, "end_day": 30}).status_code == 302
    page = admin.get(reverse("evidence:windows")).content.decode()
    assert f"{YEAR + 1}-11-30" in page  # the current year's window
    from chuangjian.evidence import selectors

    assert selectors.window("wenming_shequ", YEAR) == (dt.date(YEAR - 1, 12, 1), dt.date(YEAR, 11, 30))
    bad = admin.post(reverse("evidence:windows"), {"standard": "wenming_shequ", "months": 0,
                                                   "end_month": 13, "end_day": 30})
    assert bad.status_code == 400 and "月数" in bad.content.decode()


def test_a_refused_activity_keeps_what_was_typed_and_the_chosen_files(world: World) -> None:
    client = world.client_for(world.community_worker)
    refused = client.post(reverse("evidence:activity_new"),
                          {**_form(world, title=""), "files": [photo("晚会.jpg", "purple")]})
    html = refused.content.decode()
    assert refused.status_code == 400 and "社区广场" in html and "文艺演出" in html
    kept = refused.context["pending_files"]
    assert [f.name for f in kept] == ["晚会.jpg"] and f'value="{kept[0].sha256}"' in html
    # Refused again, the ticked file is offered again; saved, it is attached.
    again = client.post(reverse("evidence:activity_new"),
                        {**_form(world, title=""), "keep_file": [kept[0].sha256]})
    assert again.context["pending_files"] == kept
    done = client.post(reverse("evidence:activity_new"), {**_form(world), "keep_file": [kept[0].sha256]})
    assert done.status_code == 302
    assert [a.file for a in Activity.objects.get().attachments.all()] == kept
    # A file left unticked is dropped: the next refusal no longer offers it.
    dropped = client.post(reverse("evidence:activity_new"),
                          {**_form(world, title=""), "files": [photo("b.jpg", "olive")]})
    assert len(dropped.context["pending_files"]) == 1
    gone = client.post(reverse("evidence:activity_new"), {**_form(world, title="")})
    assert gone.context["pending_files"] == []


def test_a_stale_activity_form_is_refused_with_both_titles(world: World) -> None:
    from chuangjian.evidence import actions
    from chuangjian.org.scope import Scope

    done = activity(world.community_worker, world.community)
    opened = done.version
    actions.update_activity(actor=world.community_worker, activity=done,
                            scope=Scope.for_user(world.community_worker), title="他人改的标题")
    client = world.client_for(world.community_worker)
    url = reverse("evidence:activity_edit", args=[done.pk])
    response = client.post(url, {**_form(world, title="我改的标题"), "version": opened})
    html = response.content.decode()
    assert response.status_code == 409
    assert "该记录已被他人修改" in html and "对方保存的是：他人改的标题" in html
    assert Activity.objects.get(pk=done.pk).title == "他人改的标题"
    response = client.post(url, {**_form(world, title="我改的标题"), "version": opened + 1})
    assert response.status_code == 302
    assert Activity.objects.get(pk=done.pk).title == "我改的标题"
