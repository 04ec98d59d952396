"""Demo inspections (演示督查数据) for the 清源区 demo: points in 城关街道, two supervision
groups, a 明察暗访 round whose findings run the whole loop — one closed on time, one
returned and redone, one returned as the wrong unit and re-dispatched, one overdue and
escalated — a daily round with visits, 随手拍 reports (one turned into a finding and
closed, one waiting, one rejected), a 问责 record and a monthly bulletin.

Built through the real actions at simulated times over the last ten days; running it
again finds the round already there and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any, TextIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from chuangjian.audit.models import AuditEntry
from chuangjian.engine.periods import SHANGHAI
from chuangjian.inspections.actions import bulletins as bulletin_actions
from chuangjian.inspections.actions import points as point_actions
from chuangjian.inspections.actions import rectification as act
from chuangjian.inspections.actions import reports as report_actions
from chuangjian.inspections.actions import rounds as round_actions
from chuangjian.inspections.actions.findings import create_finding
from chuangjian.inspections.models import Bulletin, Point, Round, RoundKind, SupervisionGroup
from chuangjian.org import actions as org_actions
from chuangjian.org.demo import DEMO_PASSWORD
from chuangjian.org.models import Role, Unit, User
from chuangjian.org.scope import Scope
from chuangjian.standards.models import ProblemCategory
from chuangjian.standards.selectors import current_standards

COVERT_TITLE = "城关街道2026年第1轮明察暗访"
DAILY_TITLE = "城关街道日常巡查"
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

# (code, unit code, name, type, address, responsible unit code, contact, phone)
POINTS = [
    ("QY-01-A-01-P001", "QY-01-A-01", "幸福路（幸福里段）", "road", "幸福路100–300号", "QY-01-D-CGB", "徐磊", "13905710001"),
    ("QY-01-A-01-P002", "QY-01-A-01", "幸福里小区", "compound", "幸福路188号", "QY-01-A-01", "刘红梅", "13905710002"),
    ("QY-01-A-01-P003", "QY-01-A-01", "幸福里农贸市场", "market", "幸福路18号", "QY-01-D-SCS", "陈大海", "13905710003"),
    ("QY-01-A-01-P004", "QY-01-A-01", "星光KTV", "ktv", "幸福路66号二楼", "QY-01-D-PCS", "李明", "13905710004"),
    ("QY-01-A-01-P005", "QY-01-A-01", "幸福里公厕", "toilet", "幸福里小区南侧", "QY-01-A-01", "张小燕", "13905710005"),
    ("QY-01-A-02-P001", "QY-01-A-02", "南门小区", "compound", "南门路9号", "QY-01-A-02", "胡斌", "13905710006"),
    ("QY-01-A-02-P002", "QY-01-A-02", "南门沿街商铺", "shop", "南门路1–59号", "QY-01-A-02", "胡斌", "13905710006"),
    ("QY-01-A-02-P003", "QY-01-A-02", "南门小学", "school", "南门路30号", "QY-01-A-02", "周老师", "13905710007"),
    ("QY-01-A-03-P001", "QY-01-A-03", "文昌阁背街小巷", "alley", "文昌巷", "QY-01-A-03", "", ""),
    ("QY-01-A-03-P002", "QY-01-A-03", "文昌花园小区", "compound", "文昌路22号", "QY-01-A-03", "", ""),
    ("QY-01-B-01-P001", "QY-01-B-01", "西湖农贸市场", "market", "西湖路5号", "QY-01-D-SCS", "陈大海", "13905710003"),
    ("QY-01-B-01-P002", "QY-01-B-01", "西湖大道（西湖段）", "road", "西湖大道", "QY-01-D-CGB", "徐磊", "13905710001"),
    ("QY-01-B-02-P001", "QY-01-B-02", "锦绣家园", "compound", "锦绣路8号", "QY-01-B-02", "", ""),
    ("QY-01-B-02-P002", "QY-01-B-02", "锦绣美容美发一条街", "beauty", "锦绣路30–60号", "QY-01-D-PCS", "", ""),
    ("QY-01-B-03-P001", "QY-01-B-03", "学府广场", "square", "学府路1号", "QY-01-B-03", "", ""),
]


def _picture(title: str, subtitle: str, color: tuple[int, int, int]) -> SimpleUploadedFile:
    """A demo 'photo': a coloured scene with a caption, so pages show real thumbnails."""
    image = Image.new("RGB", (960, 720), color)
    draw = ImageDraw.Draw(image)
    for i in range(0, 720, 48):
        shade = tuple(max(0, c - i // 12) for c in color)
        draw.rectangle([0, i, 960, i + 48], fill=shade)
    draw.rectangle([0, 520, 960, 720], fill=(40, 44, 52))
    big: ImageFont.FreeTypeFont | ImageFont.ImageFont
    small: ImageFont.FreeTypeFont | ImageFont.ImageFont
    try:
        big, small = ImageFont.truetype(FONT, 54), ImageFont.truetype(FONT, 30)
    except OSError:
        big = small = ImageFont.load_default()
    draw.text((40, 545), title, fill=(255, 255, 255), font=big)
    draw.text((40, 630), subtitle, fill=(210, 214, 220), font=small)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return SimpleUploadedFile(f"{title}.jpg", out.getvalue(), content_type="image/jpeg")


class _Clock:
    """Runs actions at simulated times and dates their audit entries accordingly, so the
    timeline of a demo order reads like ten days of work, not one second."""

    def __init__(self) -> None:
        self.last = self._top()
        self.when: dt.datetime | None = None

    @staticmethod
    def _top() -> int:
        return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def at(self, when: dt.datetime) -> dt.datetime:
        self.done()
        self.when = when
        return when

    def done(self) -> None:
        """Date the entries written since the last call with the time they stand for."""
        if self.when is not None:
            AuditEntry.objects.filter(pk__gt=self.last).update(created_at=self.when)
        self.last = self._top()


def _u(code: str) -> Unit:
    return Unit.objects.get(code=code)


def _p(username: str) -> User:
    return User.objects.get(username=username)


@transaction.atomic
def run(stdout: TextIO) -> None:
    if not current_standards().filter(code="chuangcheng").exists():
        stdout.write("督查整改演示：未载入创城标准，跳过")
        return
    if not Unit.objects.filter(code="QY-01").exists():
        stdout.write("督查整改演示：没有演示区，跳过")
        return
    system = Scope.system()
    created_points = 0
    for code, unit, name, type_, address, resp, contact, phone in POINTS:
        if Point.objects.filter(code=code).exists():
            continue
        point_actions.save_point(actor=None, scope=system, unit=_u(unit), code=code, name=name,
                                 type=type_, address=address, responsible_unit=_u(resp),
                                 contact_name=contact, contact_phone=phone)
        created_points += 1
    street = _u("QY-01")
    if Round.objects.filter(unit=street, title=COVERT_TITLE).exists():
        stdout.write(f"督查整改演示：已存在（新增点位 {created_points} 个）")
        return

    inspector, inspector2 = _p("cg_inspector"), _p("qy_inspector")
    xfl, nm, cgb = _p("xfl_worker"), _p("nm_worker"), _p("cgb_worker")
    s_insp = Scope.for_user(inspector)
    scs = User.objects.filter(username="scs_worker").first()
    if scs is None:
        # The market office (市场事务所) needs someone to take its orders in the demo.
        scs = org_actions.create_user_with_membership(
            actor=None, username="scs_worker", full_name="陈大海", password=DEMO_PASSWORD,
            unit=_u("QY-01-D-SCS"), role=Role.WORKER, title="城关市场事务所管理员", scope=Scope.system())
    s_xfl, s_nm, s_cgb = Scope.for_user(xfl), Scope.for_user(nm), Scope.for_user(cgb)
    s_scs = Scope.for_user(scs)
    groups = []
    for name, area in (("第一督导组", "QY-01-A"), ("第二督导组", "QY-01-B")):
        group = SupervisionGroup.objects.filter(unit=street, name=name).first()
        if group is None:
            group = round_actions.create_group(actor=inspector, scope=s_insp, unit=street,
                                               name=name, leader=inspector, members=[inspector2],
                                               areas=[_u(area)])
        groups.append(group)

    standard = current_standards().get(code="chuangcheng")
    now = timezone.now()
    today = timezone.localdate(now)
    start = today - dt.timedelta(days=10)

    def t(days: int, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(start + dt.timedelta(days=days), dt.time(hour, minute),
                                   tzinfo=SHANGHAI)

    clock = _Clock()
    cat = {c.code: c for c in ProblemCategory.objects.filter(standard=standard)}
    clock.at(t(0, 8, 30))
    covert = round_actions.create_round(
        actor=inspector, scope=s_insp, unit=street, scope_unit=street, kind=RoundKind.COVERT,
        title=COVERT_TITLE, starts_on=start, ends_on=start + dt.timedelta(days=1),
        standard=standard, groups=groups,
        quotas={"market": 2, "compound": 3, "road": 2, "ktv": 1, "shop": 1}, seed=20260316)
    rps = {rp.point.code: rp for rp in covert.points.select_related("point")}

    def found(code: str, cat_code: str, severity: str, text: str, when: dt.datetime,
              color: tuple[int, int, int], point_code: str | None = None) -> Any:
        clock.at(when)
        rp = rps.get(point_code) if point_code else None
        point = Point.objects.get(code=point_code) if point_code else None
        finding, _ = create_finding(
            actor=inspector, scope=s_insp, unit=point.unit if point else _u(code),
            description=text, severity=severity, category=cat[cat_code], round=covert,
            round_point=rp, point=point if rp is None else None,
            photos=[_picture(cat[cat_code].name, f"{(point.name if point else '')} "
                             f"{timezone.localtime(when):%Y-%m-%d %H:%M}", color)],
            now=when)
        return finding

    a = found("QY-01-A-01", "disorderly_parking", "一般", "幸福里小区北门人行道电动车、自行车乱停乱放，占用盲道约20米。",
              t(0, 9, 40), (70, 110, 160), "QY-01-A-01-P002")
    b = found("QY-01-A-01", "market_hygiene", "突出", "幸福里农贸市场水产区地面积水、垃圾未及时清运，防蝇设施缺失。",
              t(0, 10, 20), (80, 120, 90), "QY-01-A-01-P003")
    c = found("QY-01-A-02", "piling_occupying", "一般", "南门小区3幢楼道堆放废旧家具、纸箱，堵塞消防通道。",
              t(0, 14, 5), (140, 100, 70), "QY-01-A-02-P001")
    d = found("QY-01-A-02", "street_stalls", "一般", "南门路沿街商铺门前占道经营，流动摊点5处。",
              t(0, 15, 30), (150, 90, 60), "QY-01-A-02-P002")
    e = found("QY-01-A-01", "venue_no_slogans" if "venue_no_slogans" in cat else "public_service_ads",
              "简易", "星光KTV入口未张贴禁毒宣传标语，公益广告展板破损。", t(1, 20, 30), (90, 60, 120),
              "QY-01-A-01-P004") if "QY-01-A-01-P004" in rps else None
    clock.at(t(1, 17))
    round_actions.finish_round(actor=inspector, scope=s_insp, round_=covert)
    clock.at(t(2, 9))
    round_actions.publish_round(actor=inspector, scope=s_insp, round_=covert, now=t(2, 9))

    def order(f: Any) -> Any:
        return type(f.order).objects.get(pk=f.order.pk)

    # A: accepted, rectified with after-photos, verified by someone else → 销号 on time.
    clock.at(t(2, 10))
    act.accept_order(actor=xfl, scope=s_xfl, order=order(a), now=t(2, 10))
    clock.at(t(3, 11))
    act.submit_rectification(actor=xfl, scope=s_xfl, order=order(a),
                             note="已清理乱停车辆，北门增设非机动车停车架和隔离桩，安排志愿者早晚劝导。",
                             photos=[_picture("整改后 · 北门停车架", "幸福里小区北门", (60, 140, 110))],
                             now=t(3, 11))
    clock.at(t(3, 16))
    act.verify_rectification(actor=inspector, scope=s_insp, order=order(a), passed=True,
                             note="现场复核，盲道畅通，整改到位。", now=t(3, 16))

    # B: the market (市场事务所): first fix refused at 复核, redone, then closed.
    clock.at(t(2, 15))
    act.accept_order(actor=scs, scope=s_scs, order=order(b), now=t(2, 15))
    clock.at(t(4, 10))
    act.submit_rectification(actor=scs, scope=s_scs, order=order(b), note="已清运垃圾，冲洗地面。",
                             photos=[_picture("整改后 · 水产区", "幸福里农贸市场", (70, 130, 140))],
                             now=t(4, 10))
    clock.at(t(4, 15))
    act.verify_rectification(actor=inspector, scope=s_insp, order=order(b), passed=False,
                             note="地面已冲洗，但防蝇设施仍未安装，请补齐纱帘和灭蝇灯。", now=t(4, 15))
    clock.at(t(5, 16))
    act.submit_rectification(actor=scs, scope=s_scs, order=order(b),
                             note="已安装防蝇纱帘和灭蝇灯6台，落实每日两次保洁。",
                             photos=[_picture("整改后 · 防蝇设施", "幸福里农贸市场", (60, 120, 150))],
                             now=t(5, 16))
    clock.at(t(6, 9, 30))
    act.verify_rectification(actor=_p("qy_inspector"), scope=Scope.for_user(_p("qy_inspector")),
                             order=order(b), passed=True, note="复核合格，予以销号。", now=t(6, 9, 30))

    # C: accepted but never fixed → overdue → escalated every day since.
    clock.at(t(2, 10, 30))
    act.accept_order(actor=nm, scope=s_nm, order=order(c), now=t(2, 10, 30))

    # D: the street stalls were dispatched to 南门社区, who returned it: 城管办's job.
    clock.at(t(2, 11, 30))
    act.reject_order(actor=nm, scope=s_nm, order=order(d), reason="占道经营属城管执法职责，请改派城管办",
                     now=t(2, 11, 30))
    clock.at(t(2, 14, 30))
    act.dispatch_order(actor=inspector, scope=s_insp, order=order(d), unit=_u("QY-01-D-CGB"),
                       user=cgb, deadline=dt.datetime.combine(today + dt.timedelta(days=2),
                                                              dt.time(18), tzinfo=SHANGHAI),
                       note="改派城管办", now=t(2, 14, 30))
    clock.at(t(3, 9))
    act.accept_order(actor=cgb, scope=s_cgb, order=order(d), now=t(3, 9))
    clock.at(t(3, 10))
    act.request_extension(actor=cgb, scope=s_cgb, order=order(d),
                          new_deadline=dt.datetime.combine(today + dt.timedelta(days=5),
                                                           dt.time(18), tzinfo=SHANGHAI),
                          reason="需与市场监管部门联合执法，申请延期3天", now=t(3, 10))

    # E: KTV slogans: rectified, waiting for 复核 in the inspector's inbox.
    if e is not None:
        clock.at(t(2, 16))
        oe = order(e)
        if oe.assignee_unit.code == "QY-01-A-01":
            act.accept_order(actor=xfl, scope=s_xfl, order=oe, now=t(2, 16))
            clock.at(t(3, 10))
            act.submit_rectification(actor=xfl, scope=s_xfl, order=order(e),
                                     note="已张贴禁毒宣传标语4幅，更换公益广告展板。",
                                     photos=[_picture("整改后 · 禁毒宣传", "星光KTV", (120, 80, 140))],
                                     now=t(3, 10))

    # A daily round with visits (督查记录 feed supervision_visits).
    clock.at(t(8, 8, 30))
    daily = round_actions.create_round(
        actor=inspector, scope=s_insp, unit=street, scope_unit=_u("QY-01-A"),
        kind=RoundKind.DAILY, title=DAILY_TITLE, starts_on=start + dt.timedelta(days=8),
        ends_on=today, standard=standard, groups=groups[:1],
        quotas={"road": 1, "compound": 2, "toilet": 1}, seed=7)
    for i, rp in enumerate(daily.points.all()):
        when = t(8 + i % 2, 9 + i)
        clock.at(when)
        items = list(daily.checklist.values_list("pk", flat=True)[:6])
        round_actions.record_visit(actor=inspector, scope=s_insp, round_point=rp,
                                   results=dict.fromkeys(items, "pass"), now=when)

    # 随手拍: one turned into a finding and closed (the resident confirms), one waiting.
    clock.at(t(5, 19, 12))
    report, _ = report_actions.submit_report(
        category=cat["graffiti"], description="南门小学围墙外侧被人喷涂小广告，影响市容。",
        address="南门路30号南门小学东侧围墙", unit=_u("QY-01-A-02"), phone="13600001234",
        photos=[_picture("随手拍 · 小广告", "南门小学东侧围墙", (160, 150, 130))],
        client="203.0.113.7", idempotency_key="demo-report-1")
    clock.at(t(6, 9))
    f = report_actions.accept_report(actor=inspector, scope=s_insp, report=report,
                                     unit=_u("QY-01-A-02"), severity="简易", now=t(6, 9))
    clock.at(t(6, 10))
    act.accept_order(actor=nm, scope=s_nm, order=order(f), now=t(6, 10))
    clock.at(t(6, 17))
    act.submit_rectification(actor=nm, scope=s_nm, order=order(f), note="已铲除小广告并重新粉刷。",
                             photos=[_picture("整改后 · 围墙", "南门小学东侧围墙", (200, 200, 190))],
                             now=t(6, 17))
    clock.at(t(7, 9))
    act.verify_rectification(actor=inspector, scope=s_insp, order=order(f), passed=True,
                             now=t(7, 9))
    clock.at(t(7, 20))
    report_actions.answer_follow_up(report=report, fixed=True, note="已经刷白了，谢谢！", now=t(7, 20))
    clock.at(t(9, 21, 5))
    report_actions.submit_report(
        category=cat["hanging_wires"], description="锦绣家园5幢与6幢之间私拉电线给电动车充电。",
        address="锦绣路8号锦绣家园", unit=_u("QY-01-B-02"),
        photos=[_picture("随手拍 · 飞线充电", "锦绣家园", (110, 110, 120))],
        client="203.0.113.8", idempotency_key="demo-report-2")
    clock.at(t(9, 22))
    rejected, _ = report_actions.submit_report(
        category=cat["uncivil_behaviour"], description="有人遛狗不牵绳。", address="不知道",
        photos=[_picture("随手拍", "", (120, 120, 120))], client="203.0.113.9",
        idempotency_key="demo-report-3")
    clock.at(t(10, 8, 45) if t(10, 8, 45) < now else now)
    report_actions.reject_report(actor=inspector, scope=s_insp, report=rejected,
                                 reason="位置不明确，无法核实，请补充具体地点后重新反映。",
                                 now=min(t(10, 8, 45), now))

    # Overdue orders are escalated day by day, as the cron job would have done.
    oc = order(c)
    day = timezone.localtime(oc.deadline).date()
    while day <= today:
        when = dt.datetime.combine(day, dt.time(18, 30), tzinfo=SHANGHAI)
        if when > now:
            when = now
        if when >= oc.deadline:
            clock.at(when)
            act.escalate_overdue(now=when, scope=Scope.system())
        day += dt.timedelta(days=1)

    # 问责 for the overdue stacking, and the month's bulletin.
    clock.at(min(t(10, 9), now))
    bulletin_actions.record_accountability(
        actor=inspector, scope=s_insp, unit=_u("QY-01-A-02"), person="南门社区书记",
        measure="reminder", reason="楼道堆物问题整改逾期未完成，经督办仍未整改到位。",
        decided_on=today, findings=[c])
    if not Bulletin.objects.filter(unit=street, month=f"{today:%Y-%m}").exists():
        bulletin_actions.create_bulletin(actor=inspector, scope=s_insp, unit=street, kind="month",
                                         month=f"{today:%Y-%m}", issued_on=today)
    clock.done()
    stdout.write(f"督查整改演示：点位 {Point.objects.count()} 个，明察暗访发现问题 "
                 f"{covert.findings.count()} 个（已销号、返工后销号、退回改派、逾期督办），随手拍 3 条")
