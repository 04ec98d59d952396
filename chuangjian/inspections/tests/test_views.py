"""The pages: who sees what, what a refused action says, and how many queries a busy page costs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from chuangjian.inspections.actions import rectification as act
from chuangjian.inspections.actions.findings import create_finding
from chuangjian.inspections.models import Finding, RectificationOrder, State
from chuangjian.inspections.tests.conftest import category, photo
from chuangjian.org.scope import Scope

pytestmark = pytest.mark.django_db


def _order(world, n: int = 1) -> RectificationOrder:
    order = None
    for i in range(n):
        finding, _ = create_finding(actor=world.inspector, scope=Scope.for_user(world.inspector),
                                    unit=world.community, description=f"乱堆杂物{i}",
                                    category=category("piling_occupying"),
                                    photos=[photo(color=(i * 20 % 255, 50, 90))], dispatch=True)
        order = finding.order
    assert order is not None
    return order


def test_the_finding_page_is_phone_ready_and_one_form_makes_one_finding(client, world, standards):
    client.force_login(world.inspector)
    page = client.get(reverse("inspections:finding_new"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'accept="image/*" capture="environment" multiple' in html
    assert "data-locate" in html and "乱停乱放" in html
    key = page.context["form"].initial["key"]
    data = {"key": key, "unit": world.community.pk, "category": category("graffiti").pk,
            "description": "墙面乱涂乱画", "severity": "简易", "dispatch": "on",
            "latitude": "30.123456", "longitude": "120.654321", "accuracy_m": "12",
            "photos": [photo()]}
    first = client.post(reverse("inspections:finding_new"), data)
    second = client.post(reverse("inspections:finding_new"), {**data, "photos": [photo()]})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    finding = Finding.objects.get()
    assert str(finding.latitude) == "30.123456" and finding.accuracy_m == 12
    assert finding.order.state == State.DISPATCHED
    bad = client.post(reverse("inspections:finding_new"),
                      {**data, "key": "other", "photos": [], "description": ""})
    assert bad.status_code == 400
    assert "请描述发现的问题" in bad.content.decode() or "这个字段是必填项" in bad.content.decode()


def test_the_order_page_shows_the_timeline_and_refuses_an_illegal_step_in_chinese(client, world,
                                                                                  standards):
    order = _order(world)
    client.force_login(world.community_worker)
    page = client.get(reverse("inspections:order", args=[order.pk]))
    html = page.content.decode()
    assert "发现问题，立案" in html and "派单" in html and "接单" in html
    response = client.post(reverse("inspections:order_action", args=[order.pk, "submit"]),
                           {"version": order.version, "note": "好了", "photos": [photo()]})
    assert response.status_code == 409
    assert "不能「提交整改」" in response.content.decode()
    assert "现在可以进行的操作：" in response.content.decode()
    client.post(reverse("inspections:order_action", args=[order.pk, "accept"]),
                {"version": order.version})
    order.refresh_from_db()
    assert order.state == State.ACCEPTED
    stale = client.post(reverse("inspections:order_action", args=[order.pk, "reject"]),
                        {"version": order.version - 1, "reason": "不归我们"})
    assert stale.status_code == 409
    assert "已被他人处理" in stale.content.decode()


def test_outsiders_and_the_inspected_see_only_what_they_may(client, world, standards):
    order = _order(world)
    outsider = world.client_for(world.outsider)
    assert outsider.get(reverse("inspections:order", args=[order.pk])).status_code == 404
    assert "乱堆杂物" not in outsider.get(reverse("inspections:index")).content.decode()
    assert outsider.post(reverse("inspections:order_action", args=[order.pk, "accept"]),
                         {"version": order.version}).status_code == 404
    photo_sha = order.finding.photo_links.get().file.sha256
    assert outsider.get(reverse("files:serve", args=[photo_sha, "thumb"])).status_code == 404
    worker = world.client_for(world.community_worker)
    assert worker.get(reverse("files:serve", args=[photo_sha, "thumb"])).status_code == 200
    assert worker.get(reverse("inspections:finding_new")).status_code == 403
    assert world.client_for(world.readonly).get(
        reverse("inspections:order", args=[order.pk])).status_code == 200


def test_the_inbox_lists_overdue_first_and_the_busy_pages_keep_their_query_counts(
        client, world, standards, django_assert_max_num_queries):
    orders = [_order(world) for _ in range(3)]
    RectificationOrder.objects.filter(pk=orders[2].pk).update(
        deadline=dt.datetime(2020, 3, 1, 18, tzinfo=dt.UTC))
    client.force_login(world.community_worker)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("inspections:inbox"))
    rows = page.context["box"].to_handle
    assert rows[0].pk == orders[2].pk
    assert len(rows) == 3
    with django_assert_max_num_queries(20):
        assert client.get(reverse("inspections:index")).status_code == 200
    client.force_login(world.inspector)
    with django_assert_max_num_queries(40):
        assert client.get(reverse("inspections:order", args=[orders[0].pk])).status_code == 200
    outsider = world.client_for(world.outsider)
    assert outsider.get(reverse("inspections:inbox")).context["box"].to_handle == []


def test_every_section_page_opens_for_an_inspector(client, world, standards):
    client.force_login(world.inspector)
    for name in ("index", "inbox", "rounds", "round_new", "groups", "points", "point_new",
                 "triage", "bulletins", "accountability_new", "finding_new"):
        assert client.get(reverse(f"inspections:{name}")).status_code == 200, name
    assert world.client_for(world.outsider).get(reverse("inspections:round_new")).status_code == 403


def test_a_round_is_created_with_its_checklist_from_the_standard(client, world, standards):
    client.force_login(world.inspector)
    response = client.post(reverse("inspections:round_new"), {
        "kind": "weekly", "title": "第12周督查", "scope_unit": world.street.pk,
        "standard": __import__("chuangjian.inspections.taxonomy",
                               fromlist=["x"]).default_standard().pk,
        "starts_on": "2026-03-16", "ends_on": "2026-03-20", "seed": "5"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "有无「六乱」问题" in html
    assert "“六乱”现象" in html  # a 实地考察 indicator of 创城


def test_the_escalate_command_is_idempotent_per_day(world, standards, capsys):
    order = _order(world)
    RectificationOrder.objects.filter(pk=order.pk).update(
        deadline=dt.datetime(2020, 3, 1, 18, tzinfo=dt.UTC))
    call_command("inspections", "escalate", "--now", "2026-03-16T09:00")
    call_command("inspections", "escalate", "--now", "2026-03-16T20:00")
    out = capsys.readouterr().out
    assert "督办 1 件" in out and "督办 0 件" in out
    assert order.escalations.count() == 1


def test_a_bulletin_is_built_as_a_job_in_pdf_and_word(client, world, standards,
                                                      django_capture_on_commit_callbacks):
    from chuangjian.jobs.models import Job, JobStatus

    order = _order(world)
    act.reject_order(actor=world.community_worker, scope=Scope.for_user(world.community_worker),
                     order=order, reason="不是我们")
    client.force_login(world.inspector)
    month = order.finding.found_at.strftime("%Y-%m")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("inspections:bulletins"), {
            "kind": "month", "unit": world.street.pk, "month": month,
            "issued_on": "2026-03-31", "format": "pdf"})
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.status == JobStatus.DONE, job.message
    pdf = job.file.read()
    assert pdf.startswith(b"%PDF")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("inspections:bulletins"), {"again": job.params["bulletin_id"],
                                                       "format": "docx"})
    docx_job = Job.objects.exclude(pk=job.pk).get()
    assert docx_job.status == JobStatus.DONE and docx_job.filename.endswith(".docx")
    import io

    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx_job.file.read())).paragraphs)
    assert "城关街道创建全国文明城市工作领导小组办公室" in text
    assert "一、基本情况" in text and "城关创城办〔2026〕1号" in text
    outsider = world.client_for(world.outsider)
    assert outsider.get(reverse("inspections:bulletins")).status_code == 403


def test_the_demo_builds_the_whole_story_and_is_repeatable(standards):
    import io

    from chuangjian.inspections import demo
    from chuangjian.inspections.models import CitizenReport, Escalation, Round
    from chuangjian.org.demo import build_demo

    build_demo()
    out = io.StringIO()
    demo.run(out)
    covert = Round.objects.get(title=demo.COVERT_TITLE)
    states = sorted(RectificationOrder.objects.filter(finding__round=covert)
                    .values_list("state", flat=True))
    assert states.count(State.CLOSED) >= 2
    assert RectificationOrder.objects.filter(reworks__gte=1, state=State.CLOSED).exists()
    assert RectificationOrder.objects.filter(returns__gte=1).exists()
    assert Escalation.objects.filter(level=2).exists()
    assert CitizenReport.objects.filter(finding__order__state=State.CLOSED,
                                        follow_up="fixed").exists()
    counts = (Finding.objects.count(), RectificationOrder.objects.count(), Escalation.objects.count())
    demo.run(out)
    assert (Finding.objects.count(), RectificationOrder.objects.count(),
            Escalation.objects.count()) == counts
    assert "已存在" in out.getvalue()


def test_a_refused_rectification_keeps_the_typed_text_and_the_chosen_photos(client, world, standards):
    """整改情况 typed but no photo: the text stays; a photo chosen with the text missing is
    kept as a pending upload and offered again, so the second try needs no new photo."""
    order = _order(world)
    client.force_login(world.community_worker)
    client.post(reverse("inspections:order_action", args=[order.pk, "accept"]), {"version": order.version})
    order.refresh_from_db()
    url = reverse("inspections:order_action", args=[order.pk, "submit"])
    no_photo = client.post(url, {"version": order.version, "note": "已清理杂物并设置围挡"})
    html = no_photo.content.decode()
    assert no_photo.status_code == 409 and "请至少上传一张照片" in html
    assert "已清理杂物并设置围挡" in html
    no_text = client.post(url, {"version": order.version, "note": "", "photos": [photo(color="green")]})
    assert no_text.status_code == 400
    kept = no_text.context["pending_files"]
    assert len(kept) == 1 and f'value="{kept[0].sha256}"' in no_text.content.decode()
    # Someone else's file cannot be slipped in by its hash: only what this form kept counts.
    again = client.post(url, {"version": order.version, "note": "已清理杂物并设置围挡",
                              "keep_file": [kept[0].sha256, "f" * 64]})
    assert again.status_code == 302
    order.refresh_from_db()
    assert order.state == State.SUBMITTED
    assert [link.file for link in order.photo_links.all()] == kept


def test_a_refused_finding_keeps_its_photos_for_the_next_try(client, world, standards):
    client.force_login(world.inspector)
    key = client.get(reverse("inspections:finding_new")).context["form"].initial["key"]
    data = {"key": key, "unit": world.community.pk, "category": category("graffiti").pk,
            "severity": "简易", "description": ""}
    refused = client.post(reverse("inspections:finding_new"), {**data, "photos": [photo(color="blue")]})
    assert refused.status_code == 400 and not Finding.objects.exists()
    kept = refused.context["pending_files"]
    assert len(kept) == 1 and "上次选择的文件已保留" in refused.content.decode()
    done = client.post(reverse("inspections:finding_new"),
                       {**data, "description": "墙面乱涂乱画", "keep_file": [kept[0].sha256]})
    assert done.status_code == 302
    assert [link.file for link in Finding.objects.get().photo_links.all()] == kept


def test_a_district_inspector_runs_a_round_with_the_streets_supervision_group(client, world, standards):
    """The form offered the street's groups to a district inspector and then refused them
    (「只能选择本单位组建的督导组」, shown nowhere): a round with a group is now organised by
    the unit that formed it, and a mismatch is named beside the groups."""
    from chuangjian.inspections.actions.rounds import create_group
    from chuangjian.inspections.models import Round
    from chuangjian.org import actions as org
    from chuangjian.org.models import Role

    district = org.create_user_with_membership(actor=None, scope=Scope.system(), username="qy_insp",
                                               full_name="赵敏", password=None, unit=world.district,
                                               role=Role.INSPECTOR)
    group = create_group(actor=world.inspector, scope=Scope.for_user(world.inspector), unit=world.street,
                         name="城关第一督导组", leader=world.inspector, members=[], areas=[world.area])
    client.force_login(district)
    form = client.get(reverse("inspections:round_new")).content.decode()
    assert "城关第一督导组" in form
    data = {"kind": "weekly", "title": "第49周督查", "starts_on": "2026-12-01", "ends_on": "2026-12-05",
            "seed": "7", "groups": [group.pk]}
    wrong = client.post(reverse("inspections:round_new"), {**data, "scope_unit": world.other_street.pk})
    assert wrong.status_code == 400
    assert "督导组「城关第一督导组」由「城关街道」组建，检查范围须在「城关街道」之内" in wrong.content.decode()
    done = client.post(reverse("inspections:round_new"), {**data, "scope_unit": world.community.pk})
    assert done.status_code == 302
    round_ = Round.objects.get(title="第49周督查")
    assert round_.unit == world.street and list(round_.groups.all()) == [group]
