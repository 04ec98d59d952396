"""The reporting pages: a clerk's few screens, review, the missing list, xlsx and 信息报送,
with the outsider on every URL and query counts pinned on the busy pages."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import FileResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from chuangjian.org import actions as org_actions
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.reporting import actions
from chuangjian.reporting.models import DataValue, NewsItem, Status, Submission

DAILY = {"t_patrols": 3, "t_found": 2, "t_fixed": 1, "t_note": "正常"}


def today() -> str:
    return timezone.localdate().isoformat()


def form_url(unit: str = "T-01-A-01", dataset: str = "community-day", period: str | None = None) -> str:
    return reverse("reporting:form", args=[unit, dataset, period or today()])


def post_values(values: dict, action: str = "submit") -> dict:
    return {**{f"v_{k}": v for k, v in values.items()}, "action": action}


def test_a_clerk_fills_todays_daily_report_from_the_inbox(world: World, standards: object) -> None:
    client = world.client_for(world.community_worker)
    inbox = client.get(reverse("reporting:inbox"))
    assert inbox.status_code == 200
    assert form_url() in inbox.content.decode()
    page = client.get(form_url())
    assert page.status_code == 200 and "巡查次数" in page.content.decode()
    response = client.post(form_url(), post_values(DAILY))
    assert response.status_code == 302
    sub = Submission.objects.get(unit=world.community, period=today())
    assert (sub.status, sub.channel, sub.version) == (Status.SUBMITTED, "web", 1)
    shown = client.get(form_url()).content.decode()
    assert "已上报" in shown and "第 1 版" in shown


def test_a_submission_reads_only_what_it_stores_and_the_page_after_the_redirect(
        world: World, standards: object, monkeypatch: pytest.MonkeyPatch) -> None:
    # At 16:00 every clerk's 上报 is one request: it does not read the page it is about
    # to leave (figures computed from the registers, history counts, locks). The page
    # is read once, after the redirect; a refused submission reads it to show the errors.
    from chuangjian.reporting import selectors

    client = world.client_for(world.community_worker)
    real, pages = selectors.form_state, []

    def counted(**kwargs: object) -> object:
        pages.append(kwargs["period_text"])
        return real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(selectors, "form_state", counted)
    assert client.post(form_url(), post_values(DAILY)).status_code == 302
    assert pages == []
    assert client.post(form_url(), post_values({**DAILY, "t_fixed": 7})).status_code == 400
    assert pages == [today()]
    assert DataValue.objects.get(element__code="t_fixed").number == 1


def test_the_form_shows_each_error_beside_its_field_and_keeps_what_was_typed(
        world: World, standards: object) -> None:
    client = world.client_for(world.community_worker)
    response = client.post(form_url(), post_values({**DAILY, "t_patrols": "三", "t_fixed": 7}))
    html = response.content.decode()
    assert response.status_code == 400
    assert "「三」不是数字" in html and "整改问题数不能多于发现问题数" in html
    assert 'value="三"' in html
    assert not DataValue.objects.exists()


def test_save_draft_then_submit(world: World, standards: object) -> None:
    client = world.client_for(world.community_worker)
    client.post(form_url(), post_values({"t_patrols": "4"}, action="draft"))
    assert Submission.objects.get().draft == {"t_patrols": "4", "t_found": "", "t_fixed": "",
                                              "t_note": ""}
    assert 'value="4"' in client.get(form_url()).content.decode()


def test_inline_validation_checks_one_field_with_htmx(world: World, standards: object) -> None:
    client = world.client_for(world.community_worker)
    url = reverse("reporting:check_field", args=["T-01-A-01", "community-day", today(), "t_patrols"])
    bad = client.post(url, {"v_t_patrols": "-3"}, HTTP_HX_REQUEST="true")
    assert "不能为负数" in bad.content.decode()
    good = client.post(url, {"v_t_patrols": "3"}, HTTP_HX_REQUEST="true")
    assert "格式正确" in good.content.decode()
    rule = client.post(reverse("reporting:check_field", args=[
        "T-01-A-01", "community-day", today(), "t_fixed"]), {"v_t_found": "1", "v_t_fixed": "2"})
    assert "整改问题数不能多于发现问题数" in rule.content.decode()


def test_value_history_is_shown_beside_the_value(world: World, standards: object) -> None:
    client = world.client_for(world.community_worker)
    client.post(form_url(), post_values(DAILY))
    client.post(form_url(), post_values({**DAILY, "t_patrols": 6}))
    html = client.get(reverse("reporting:history", args=[
        "T-01-A-01", "community-day", today(), "t_patrols"])).content.decode()
    assert "张小燕" in html and "3" in html and "6" in html and "网页" in html


def test_the_level_above_accepts_from_the_form_and_the_lock_reason_is_shown(
        world: World, standards: object) -> None:
    world.client_for(world.community_worker).post(form_url(), post_values(DAILY))
    sub = Submission.objects.get()
    leader = world.client_for(world.street_leader)
    assert "审核通过" in leader.get(form_url()).content.decode()
    leader.post(reverse("reporting:review", args=[sub.pk]), {"decision": "accept"})
    html = world.client_for(world.community_worker).get(form_url()).content.decode()
    assert "已锁定：" in html and "李卫东 审核通过" in html
    leader.post(reverse("reporting:review", args=[sub.pk]), {"decision": "unlock", "reason": ""})
    assert Submission.objects.get().locked
    leader.post(reverse("reporting:review", args=[sub.pk]),
                {"decision": "unlock", "reason": "数字有误"})
    assert Submission.objects.get().status == Status.RETURNED


def test_the_review_list_shows_what_is_waiting(world: World, standards: object) -> None:
    world.client_for(world.community_worker).post(form_url(), post_values(DAILY))
    html = world.client_for(world.street_leader).get(reverse("reporting:review_list")).content.decode()
    assert "幸福里社区" in html


def test_the_missing_page_lists_units_that_have_not_reported(world: World,
                                                             standards: object) -> None:
    world.client_for(world.community_worker).post(form_url(), post_values(DAILY))
    html = world.client_for(world.street_leader).get(reverse("reporting:missing")).content.decode()
    assert "城东管区" in html and "南门社区" in html
    assert "湖滨社区" not in html


def test_the_xlsx_round_trip_in_the_web_ui(world: World, standards: object) -> None:
    client = world.client_for(world.street_leader)
    response = client.get(reverse("reporting:xlsx_template"),
                          {"dataset": "community-day", "period": today(), "unit": "T-01-A"})
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb["填报"]
    for row in (3, 4):
        for col, value in zip("DEFG", (3, 2, 1, "正常"), strict=True):
            ws[f"{col}{row}"] = value
    out = io.BytesIO()
    wb.save(out)
    upload = SimpleUploadedFile("daily.xlsx", out.getvalue())
    response = client.post(reverse("reporting:xlsx"), {"file": upload})
    assert response.status_code == 302
    assert Submission.objects.filter(channel="import").count() == 2


def test_a_bad_upload_shows_a_row_and_column_error_table(world: World, standards: object) -> None:
    client = world.client_for(world.street_leader)
    response = client.post(reverse("reporting:xlsx"),
                           {"file": SimpleUploadedFile("x.xlsx", b"not a spreadsheet")})
    assert response.status_code == 400
    assert "不是 xlsx 文件" in response.content.decode()


def test_news_is_sent_up_and_adopted_by_the_level_above(world: World, standards: object,
                                                        settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    worker = world.client_for(world.community_worker)
    worker.post(reverse("reporting:news_new"), {
        "unit": "T-01-A-01", "kind": "experience", "title": "楼道微治理经验", "body": "做法如下……",
        "files": [SimpleUploadedFile("照片.jpg", b"jpegdata")]})
    item = NewsItem.objects.get()
    assert item.attachments.get().sha256
    # The worker cannot adopt their own item; the street leader can.
    worker.post(reverse("reporting:news_decide", args=[item.pk]), {"decision": "adopt"})
    assert NewsItem.objects.get().state == NewsItem.State.PENDING
    world.client_for(world.street_leader).post(reverse("reporting:news_decide", args=[item.pk]),
                                               {"decision": "adopt"})
    assert NewsItem.objects.get().state == NewsItem.State.ADOPTED
    attachment = worker.get(reverse("reporting:news_attachment", args=[item.attachments.get().pk]))
    assert attachment.status_code == 200


def test_the_outsider_is_refused_on_every_url(world: World, standards: object, settings,
                                              tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    worker = world.client_for(world.community_worker)
    worker.post(form_url(), post_values(DAILY))
    sub = Submission.objects.get()
    item = actions.submit_news(actor=world.community_worker, unit=world.community, kind="news",
                               title="动态", body="正文", files=[("a.txt", b"x")], scope=Scope.for_user(world.community_worker))
    outsider = world.client_for(world.outsider)
    day = today()
    refused = [
        ("get", form_url(), 404),
        ("post", form_url(), 404),
        ("post", reverse("reporting:check_field", args=["T-01-A-01", "community-day", day,
                                                        "t_patrols"]), 404),
        ("get", reverse("reporting:history", args=["T-01-A-01", "community-day", day,
                                                   "t_patrols"]), 404),
        ("post", reverse("reporting:exception", args=["T-01-A-01", "community-day", day]), 404),
        ("post", reverse("reporting:review", args=[sub.pk]), 404),
        ("post", reverse("reporting:news_decide", args=[item.pk]), 404),
        ("get", reverse("reporting:news_attachment", args=[item.attachments.get().pk]), 404),
        ("get", reverse("reporting:review_list"), 403),
        ("get", reverse("reporting:missing") + "?unit=T-01", 404),
        ("get", reverse("reporting:xlsx_template")
         + f"?dataset=community-day&period={day}&unit=T-01", 404),
    ]
    for method, url, code in refused:
        data = {"decision": "accept", "reason": "x", **post_values(DAILY)}
        response = outsider.post(url, data) if method == "post" else outsider.get(url)
        assert response.status_code == code, (method, url)
    # Pages open to the outsider show only their own street.
    for name in ("reporting:inbox", "reporting:missing", "reporting:news", "reporting:xlsx"):
        html = outsider.get(reverse(name)).content.decode()
        assert "幸福里" not in html and "城关" not in html, name
    assert Submission.objects.get().status == Status.SUBMITTED
    assert NewsItem.objects.get().state == NewsItem.State.PENDING


def test_anonymous_users_are_sent_to_login(world: World, standards: object) -> None:
    from django.test import Client

    response = Client().get(reverse("reporting:inbox"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_form_page_runs_a_fixed_number_of_queries(world: World, standards: object) -> None:
    client = world.client_for(world.community_worker)
    client.get(form_url())  # warm the standards catalog
    empty = _count(client, form_url())
    client.post(form_url(), post_values(DAILY))
    client.post(form_url(), post_values({**DAILY, "t_patrols": 5}))
    filled = _count(client, form_url())
    assert empty == filled <= 16


def test_the_missing_page_runs_a_fixed_number_of_queries(world: World, standards: object) -> None:
    client = world.client_for(world.district_admin)
    url = reverse("reporting:missing") + "?all=1"
    client.get(url)
    before = _count(client, url)
    for i in range(3, 9):
        org_actions.create_unit(actor=None, code=f"T-01-A-0{i}", name=f"新建{i}社区",
                                level="community", parent=world.area, scope=Scope.system())
    world.client_for(world.community_worker).post(form_url(), post_values(DAILY))
    after = _count(client, url)
    assert before == after <= 12


@pytest.mark.parametrize("name", ["reporting:inbox", "reporting:missing", "reporting:xlsx",
                                  "reporting:news", "reporting:news_new", "reporting:review_list"])
def test_every_page_renders_for_the_street_leader(world: World, standards: object,
                                                  name: str) -> None:
    assert world.client_for(world.street_leader).get(reverse(name)).status_code == 200


def test_the_inbox_shows_every_overdue_report_the_worker_owes_however_old(
        world: World, standards: object) -> None:
    from chuangjian.org.scope import Scope
    from chuangjian.reporting import selectors
    from chuangjian.reporting.tests.conftest import shanghai

    rows = selectors.inbox(scope=Scope.for_user(world.community_worker), now=shanghai(2026, 12, 2, 12))
    owed = {(r.dataset.code, str(r.period), r.state) for r in rows if r.unit == world.community}
    # October's monthly report, two months late, is still owed and shown as overdue.
    monthly = next(code for code, _p, _s in owed if "month" in code)
    assert (monthly, "2026-10", "overdue") in owed
    assert (monthly, "2026-01", "overdue") in owed
    assert any(p == "2026Q3" and s == "overdue" for _c, p, s in owed)
    # A daily report from last spring is for the missing list, not the phone's inbox.
    assert not any(p.startswith("2026-03-") for _c, p, _s in owed)
    # Once the street lets it be filed late, filing October's report takes it out.
    actions.grant_exception(actor=world.street_leader, unit=world.community,
                            dataset_code=monthly, period="2026-10",
                            until=shanghai(2026, 12, 3, 18), reason="补报十月报表",
                            now=shanghai(2026, 12, 2, 11),
                            scope=Scope.for_user(world.street_leader))
    actions.submit_values(actor=world.community_worker, unit=world.community,
                          dataset_code=monthly, period="2026-10",
                          values={"t_households": 500, "t_satisfaction": 90,
                                  "t_disputes": 2, "t_mediated": 2},
                          now=shanghai(2026, 12, 2, 12),
                          scope=Scope.for_user(world.community_worker))
    rows = selectors.inbox(scope=Scope.for_user(world.community_worker), now=shanghai(2026, 12, 2, 13))
    assert not any(str(r.period) == "2026-10" and r.dataset.code == monthly
                   and r.unit == world.community for r in rows)


def _monthly(world: World) -> str:
    from chuangjian.org.scope import Scope
    from chuangjian.reporting import selectors
    from chuangjian.reporting.tests.conftest import shanghai

    rows = selectors.inbox(scope=Scope.for_user(world.community_worker), now=shanghai(2026, 12, 2, 12))
    return next(r.dataset.code for r in rows if r.dataset.period_type.value == "month")


def test_a_worker_asks_for_late_filing_and_the_street_grants_it(
        world: World, standards: object) -> None:
    from chuangjian.reporting.models import LateRequest, LateRequestState

    monthly = _monthly(world)
    worker = world.client_for(world.community_worker)
    url = reverse("reporting:form", args=["T-01-A-01", monthly, "2026-10"])
    page = worker.get(url).content.decode()
    assert "已锁定" in page and "申请补报" in page
    # An empty reason is refused with the reason named; nothing is stored.
    worker.post(reverse("reporting:late_request", args=["T-01-A-01", monthly, "2026-10"]),
                {"reason": "  "})
    assert not LateRequest.objects.exists()
    worker.post(reverse("reporting:late_request", args=["T-01-A-01", monthly, "2026-10"]),
                {"reason": "十月社区换届，未能按时填报"})
    request = LateRequest.objects.get()
    assert request.state == LateRequestState.PENDING
    # Asking twice does not make a second request.
    worker.post(reverse("reporting:late_request", args=["T-01-A-01", monthly, "2026-10"]),
                {"reason": "再次申请"})
    assert LateRequest.objects.count() == 1
    # The worker cannot grant their own request; the neighbouring street cannot see it.
    assert worker.post(reverse("reporting:late_decide", args=[request.pk]),
                       {"decision": "grant", "hours": "24"}).status_code == 403
    outsider = world.client_for(world.outsider)
    assert outsider.post(reverse("reporting:late_decide", args=[request.pk]),
                         {"decision": "grant", "hours": "24"}).status_code == 404
    # The street leader sees it in the inbox and grants it for a day.
    leader = world.client_for(world.street_leader)
    inbox = leader.get(reverse("reporting:inbox")).content.decode()
    assert "待我批准的补报申请" in inbox and "十月社区换届" in inbox
    leader.post(reverse("reporting:late_decide", args=[request.pk]),
                {"decision": "grant", "hours": "24", "next": "inbox"})
    request.refresh_from_db()
    assert request.state == LateRequestState.GRANTED and request.exception is not None
    # The form is open again and the report is filed late.
    response = worker.post(url, post_values({"t_households": 500, "t_satisfaction": 90,
                                             "t_disputes": 2, "t_mediated": 2}))
    assert response.status_code == 302
    sub = Submission.objects.get(unit=world.community, dataset_code=monthly, period="2026-10")
    assert sub.late


def test_a_refusal_needs_a_reason_that_the_worker_reads(world: World, standards: object) -> None:
    from chuangjian.reporting.models import LateRequest, LateRequestState

    monthly = _monthly(world)
    worker = world.client_for(world.community_worker)
    worker.post(reverse("reporting:late_request", args=["T-01-A-01", monthly, "2026-09"]),
                {"reason": "忘记了"})
    request = LateRequest.objects.get()
    leader = world.client_for(world.street_leader)
    leader.post(reverse("reporting:late_decide", args=[request.pk]), {"decision": "refuse"})
    request.refresh_from_db()
    assert request.state == LateRequestState.PENDING  # no note, nothing decided
    leader.post(reverse("reporting:late_decide", args=[request.pk]),
                {"decision": "refuse", "note": "九月数据已由管区代报"})
    request.refresh_from_db()
    assert request.state == LateRequestState.REFUSED
    page = worker.get(reverse("reporting:form", args=["T-01-A-01", monthly, "2026-09"]))
    assert "九月数据已由管区代报" in page.content.decode()


def _daily(world: World, unit, day: str, **values: object) -> Submission:
    worker = world.community_worker
    return actions.submit_values(actor=worker, unit=unit, dataset_code="community-day", period=day,
                                 values={**DAILY, **values}, scope=Scope.system()).submission


def _days(n: int) -> list[str]:
    import datetime as dt

    first = timezone.localdate() - dt.timedelta(days=n)
    return [(first + dt.timedelta(days=i)).isoformat() for i in range(n)]


def test_the_review_list_filters_by_unit_data_set_and_period_and_pages(
        world: World, standards: object) -> None:
    days = _days(32)
    for day in days:
        _daily(world, world.community, day)
    _daily(world, world.community2, days[-1])
    leader = world.client_for(world.street_leader)
    url = reverse("reporting:review_list")
    first = leader.get(url)
    assert first.context["page"].paginator.count == 33 and len(first.context["rows"]) == 30
    assert "第 1 / 2 页" in first.content.decode()
    only = leader.get(url, {"unit": world.community2.code})
    assert [s.unit for s in only.context["rows"]] == [world.community2]
    one_day = leader.get(url, {"period": days[0], "dataset": "community-day"})
    assert [(s.unit, s.period) for s in one_day.context["rows"]] == [(world.community, days[0])]
    bad = leader.get(url, {"period": "上个月"})
    assert "期间「上个月」无法识别" in bad.content.decode() and bad.context["page"].paginator.count == 33
    # Units and data sets are offered by name; codes stay in tooltips.
    assert f'<option value="{world.community.code}">幸福里社区</option>' in first.content.decode()


def test_clean_reports_are_approved_in_one_batch_and_a_warned_one_refuses_it(
        world: World, standards: object) -> None:
    days = _days(3)
    subs = [_daily(world, world.community, day) for day in days]
    Submission.objects.filter(pk=subs[2].pk).update(warnings={"t_patrols": {"value": 99}})
    leader = world.client_for(world.street_leader)
    page = leader.get(reverse("reporting:review_list")).content.decode()
    assert f'name="pk" value="{subs[0].pk}"' in page and f'name="pk" value="{subs[2].pk}"' not in page
    refused = leader.post(reverse("reporting:review_batch"), {"pk": [subs[0].pk, subs[2].pk]}, follow=True)
    assert "有与以往差异较大的数据，请逐份打开审核" in refused.content.decode()
    assert not Submission.objects.filter(status=Status.ACCEPTED).exists()
    done = leader.post(reverse("reporting:review_batch"), {"pk": [subs[0].pk, subs[1].pk],
                                                           "back": "status=submitted"})
    assert done["Location"] == reverse("reporting:review_list") + "?status=submitted"
    assert set(Submission.objects.filter(status=Status.ACCEPTED).values_list("pk", flat=True)) == {
        subs[0].pk, subs[1].pk}
    # The worker cannot approve, nor can the leader approve a report twice.
    assert world.client_for(world.community_worker).post(
        reverse("reporting:review_batch"), {"pk": [subs[2].pk]}).status_code == 403
    again = leader.post(reverse("reporting:review_batch"), {"pk": [subs[0].pk]}, follow=True)
    assert "已被他人审核或不在您的审核范围内" in again.content.decode()


def test_approving_opens_the_next_report_waiting(world: World, standards: object) -> None:
    older, newer = (_daily(world, world.community, day) for day in _days(2))
    leader = world.client_for(world.street_leader)
    first = leader.post(reverse("reporting:review", args=[newer.pk]), {"decision": "accept", "next": "1"})
    assert first["Location"] == form_url(period=older.period)
    last = leader.post(reverse("reporting:review", args=[older.pk]),
                       {"decision": "return", "comment": "巡查次数有误", "next": "1"})
    assert last["Location"] == reverse("reporting:review_list")
    stay = leader.post(reverse("reporting:review", args=[older.pk]), {"decision": "accept"})
    assert stay["Location"] == form_url(period=older.period)


def test_an_unusual_figure_asks_for_a_reason_that_the_reviewer_reads(
        world: World, standards: object) -> None:
    for i, day in enumerate(_days(7)):
        _daily(world, world.community, day, t_patrols=3 + i % 2)
    worker = world.client_for(world.community_worker)
    unusual = post_values({**DAILY, "t_patrols": 90})
    asked = worker.post(form_url(), unusual)
    html = asked.content.decode()
    assert asked.status_code == 400 and "有 1 项与以往差异较大" in html
    assert 'name="warning_reason"' in html and 'value="90"' in html and "差异较大（近 7 期平均" in html
    assert not Submission.objects.filter(period=today()).exclude(status=Status.DRAFT).exists()
    sent = worker.post(form_url(), {**unusual, "warning_reason": "本日开展集中整治，巡查次数增加"})
    assert sent.status_code == 302
    sub = Submission.objects.get(period=today())
    assert sub.status == Status.SUBMITTED and sub.warnings and sub.warning_reason == "本日开展集中整治，巡查次数增加"
    leader = world.client_for(world.street_leader)
    assert "填报人对差异较大数据的说明：" in leader.get(form_url()).content.decode()
    assert "说明：本日开展集中整治" in leader.get(reverse("reporting:review_list")).content.decode()
    # Ordinary figures ask for nothing, and a corrected report drops the old reason.
    worker.post(reverse("reporting:review", args=[sub.pk]), {"decision": "accept"})
    sub.refresh_from_db()
    assert sub.status == Status.SUBMITTED
    assert worker.post(form_url(), post_values({**DAILY, "t_patrols": 4})).status_code == 302
    sub.refresh_from_db()
    assert (sub.warnings, sub.warning_reason) == ({}, "")


def test_an_accepted_report_reads_as_accepted_in_the_workers_list(world: World, standards: object) -> None:
    sub = _daily(world, world.community, today())
    actions.review_submission(actor=world.street_leader, submission=sub, accept=True,
                              scope=Scope.for_user(world.street_leader))
    from chuangjian.reporting import selectors

    rows = selectors.inbox(scope=Scope.for_user(world.community_worker), now=timezone.now())
    mine = next(r for r in rows if r.unit == world.community and str(r.period) == today())
    assert (mine.state, mine.state_label) == ("done", "已审核")
    html = world.client_for(world.community_worker).get(reverse("reporting:inbox")).content.decode()
    assert '<span class="state state-done">已审核</span>' in html
