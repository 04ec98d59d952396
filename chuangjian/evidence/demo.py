"""The demo's activities and evidence: a year of events in every community and village.

Repeatable: an activity is recognised by (unit, title, date) and skipped when it is
already there; links are added once. Some required evidence is deliberately left
missing (the fire brigade's certificate, the mediation register …) so the checklist
and the ledger show what "缺少材料" looks like.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import IO, Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from chuangjian.evidence import actions, checklist, selectors
from chuangjian.evidence.builtin_types import ensure_builtin_types
from chuangjian.evidence.models import Activity, ActivityType
from chuangjian.evidence.pictures import scene_jpeg
from chuangjian.org.levels import Kind, Level
from chuangjian.org.models import Membership, Role, Unit, User
from chuangjian.org.scope import Scope

# (type code, month, day, title, place, organiser, count, photos, indoor)
PLAN: list[tuple[str, int, int, str, str, str, int, int, bool]] = [
    ("regular_meeting", 1, 8, "一月份创建工作例会", "社区会议室", "社区党委", 12, 1, True),
    ("culture_sports", 1, 24, "迎新春社区文艺联欢会", "社区文化活动中心", "社区文体队", 160, 3, True),
    ("moral_lecture", 3, 5, "道德讲堂：学雷锋，做好邻居", "社区道德讲堂", "社区党委", 65, 2, True),
    ("volunteer", 3, 12, "植树节“绿色家园”志愿服务", "小区中心绿地", "社区志愿者服务站", 38, 2, False),
    ("culture_sports", 4, 18, "春季居民健步走", "滨河步道", "社区文体队", 120, 3, False),
    ("special_meeting", 4, 25, "文明社区创建专题部署会", "社区会议室", "社区居委会", 18, 1, True),
    ("publicity", 5, 15, "垃圾分类宣传进楼组", "各楼组门厅", "社区居委会", 85, 2, False),
    ("fire_drill", 5, 28, "消防安全宣传与疏散演练", "小区消防通道", "社区安全员", 90, 3, False),
    ("anti_drug_day", 6, 26, "“6·26”国际禁毒日宣传活动", "社区广场", "社区禁毒工作站", 210, 3, False),
    ("regular_meeting", 7, 3, "七月份创建工作例会", "社区会议室", "社区党委", 11, 0, True),
    ("culture_sports", 7, 20, "纳凉晚会暨广场舞展演", "社区广场", "社区文体队", 300, 3, False),
    ("health_lecture", 8, 9, "健康讲座：夏季慢病防治", "社区卫生服务站", "社区卫生服务站", 56, 2, True),
    ("school_drug_lesson", 9, 2, "开学第一课：珍爱生命 远离毒品", "辖区小学多功能厅", "社区禁毒工作站", 240, 2, True),
    ("moral_practice", 9, 16, "中秋送温暖走访困难家庭", "辖区困难家庭", "社区党委", 24, 2, False),
    ("safety_check", 10, 10, "秋季楼道消防安全检查", "各楼栋楼道", "社区安全员", 8, 1, False),
    ("culture_sports", 10, 23, "重阳节老年人趣味运动会", "社区健身点", "社区老年协会", 95, 3, False),
    ("moral_lecture", 11, 6, "道德讲堂：孝老爱亲好家风", "社区道德讲堂", "社区党委", 70, 2, True),
    ("patrol", 11, 14, "治安巡逻队夜间巡逻", "小区主要弄口", "社区治安巡逻队", 10, 1, False),
    ("regular_meeting", 11, 20, "十一月份创建工作例会", "社区会议室", "社区党委", 13, 0, True),
]
# Villages add the town's drug-education events (篇9).
VILLAGE_PLAN: list[tuple[str, int, int, str, str, str, int, int, bool]] = [
    ("countryside_drug_education", 7, 12, "“三下乡”禁毒教育进村入户", "村文化礼堂", "村禁毒志愿队", 130, 2, False),
    ("party_drug_education", 2, 20, "党员冬训班禁毒专题教育", "村党员活动室", "村党支部", 42, 1, True),
]
MEETING_TEXT = {
    "minutes": "会议通报了上阶段创建工作进展，逐项对照测评标准查找不足，布置下阶段重点任务。",
    "attendance": "社区党委书记、居委会主任、各网格长、楼组长代表",
    "decisions": "一、各网格本月内完成楼道堆物清理；二、补齐活动签到表和照片；三、下次例会通报整改情况。",
}
# Required evidence the demo deliberately leaves missing in every community.
# The campaigns the demo's clerks keep ledgers for (the others stay empty to show gaps).
DEMO_STANDARDS = ("wenming_shequ", "gongmin_daode", "wudu_jiedao", "wudu_zhen")
LEFT_MISSING = {"消防部门出具的火灾情况说明", "调解登记台账", "走道灯安装登记表", "就业援助台账"}


def _person(unit: Unit) -> User | None:
    membership = (Membership.objects.filter(unit=unit, role__in=[Role.WORKER, Role.RESPONSIBLE])
                  .select_related("user").first())
    return membership.user if membership else None


def _upload(name: str, data: bytes, content_type: str) -> IO[bytes]:
    return SimpleUploadedFile(name, data, content_type=content_type)


def _register_docx(title: str, unit: Unit) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading(f"{unit.name}{title}", level=1)
    table = doc.add_table(rows=1, cols=4)
    for cell, text in zip(table.rows[0].cells, ("序号", "姓名", "楼组", "备注"), strict=True):
        cell.text = text
    for i, name in enumerate(("王建华", "李秀英", "张国强", "刘桂兰", "陈志明"), start=1):
        row = table.add_row().cells
        row[0].text, row[1].text, row[2].text, row[3].text = str(i), name, f"{i}幢", ""
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _activities_for(unit: Unit, today: dt.date, rng: random.Random, with_photos: bool,
                    types: dict[str, ActivityType]) -> int:
    plan = PLAN + (VILLAGE_PLAN if unit.category == "农村" else [])
    actor = _person(unit)
    created = 0
    for code, month, day, title, place, organiser, count, photos, indoor in plan:
        date = dt.date(today.year, month, day)
        if date > today or code not in types:
            continue
        if Activity.objects.filter(unit=unit, title=title, date=date).exists():
            continue
        short = unit.name.replace("社区", "").replace("村", "")
        uploads = []
        if with_photos:
            for n in range(min(photos, 2)):
                seed = hash((unit.code, title, n)) & 0xFFFF
                uploads.append(_upload(f"IMG_{date:%Y%m%d}_{n + 1}.jpg",
                                       scene_jpeg(f"{short}{title}"[:20], seed, size=(640, 480),
                                                  indoor=indoor),
                                       "image/jpeg"))
        kind = types[code]
        extra: dict[str, Any] = MEETING_TEXT if kind.is_meeting else {}
        actions.create_activity(
            actor=actor, scope=Scope.system(), unit=unit, type=kind, title=title, date=date,
            place=place, organiser=organiser,
            participants_count=max(5, count + rng.randint(-count // 5, count // 5)),
            participants="辖区居民、志愿者" if count > 30 else "社区两委成员、网格长",
            description=f"{unit.name}{title}。活动围绕创建目标开展，居民参与踊跃，现场秩序良好。",
            uploads=uploads, **extra)
        created += 1
    return created


def _link(unit: Unit, year: int) -> tuple[int, int]:
    """Link proposed activities to the required evidence, leaving some items missing."""
    scope = Scope.system()
    linked = missing = 0
    for standard in selectors.standards_for_unit(unit, year):
        if standard.code not in DEMO_STANDARDS:
            continue
        sheet = checklist.build_checklist(scope, unit=unit, standard=standard, year=year)
        for item in sheet.items:
            for row in item.rows:
                for req in row.requirements:
                    if req.met:
                        continue
                    # Only clear matches are linked; weak ones stay proposals for a clerk.
                    if req.text in LEFT_MISSING or not req.proposals or req.proposals[0].score < 2:
                        missing += 1
                        continue
                    actions.link_evidence(actor=None, scope=scope, unit=unit,
                                          standard_code=standard.code,
                                          indicator_code=row.indicator.code, year=year,
                                          requirement=req.text,
                                          activity=req.proposals[0].activity)
                    linked += 1
    return linked, missing


def _documents(unit: Unit, today: dt.date) -> None:
    """Two registers every community keeps as documents, linked where the standard asks."""
    scope = Scope.system()
    for title, standard, indicator, requirement in (
            ("消防志愿者名册", "wenming_shequ", "fire_volunteers", "消防志愿者名册"),
            ("巡逻队名册", "wenming_shequ", "patrol_team", "巡逻队名册")):
        if unit.evidence_documents.filter(title=title).exists():
            continue
        document = actions.upload_document(
            actor=None, scope=scope, unit=unit, title=title, date=today.replace(month=3, day=1),
            upload=_upload(f"{title}.docx", _register_docx(title, unit),
                           "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
        if selectors.standard_in_force(standard, today.year) and unit.category == "城镇":
            actions.link_evidence(actor=None, scope=scope, unit=unit, standard_code=standard,
                                  indicator_code=indicator, year=today.year,
                                  requirement=requirement, document=document)


def run(stdout: Any = None, *, today: dt.date | None = None,
        codes: list[str] | None = None) -> None:
    today = today or timezone.localdate()
    ensure_builtin_types()
    types = {t.code: t for t in ActivityType.objects.all()}
    units = list(Unit.objects.filter(code__startswith="QY-", level=Level.COMMUNITY,
                                     kind=Kind.AREA, closed_on__isnull=True).order_by("path"))
    if codes is not None:
        units = [u for u in units if u.code in codes]
    created = links = missing = 0
    for n, unit in enumerate(units):
        rng = random.Random(unit.code)  # noqa: S311 - demo data, not security
        with transaction.atomic():
            # Photos for most communities; a few record their activities without photos yet.
            created += _activities_for(unit, today, rng, with_photos=n % 4 != 3, types=types)
            _documents(unit, today)
            got, left = _link(unit, today.year)
            links += got
            missing += left
    if stdout is not None:
        stdout.write(f"活动台账：{len(units)} 个社区/村，新增活动 {created} 次，"
                     f"新增佐证关联 {links} 条，仍缺材料 {missing} 项")
