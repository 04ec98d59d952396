"""Demo registers (演示名册): every demo community keeps volunteers and their service,
family honours, blood-pressure readings, mediation cases, placements and facilities,
this year and last, enough that every register-backed figure of the built-in standards
has a value — some communities meeting the targets, some not.

It uses the residents and households of the residents demo (``ensure_residents``, which
makes them for a community that has none). Rows are written with ``bulk_create`` so the demo stays fast, and a
community that already has facilities is left as it is (running again changes nothing).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from chuangjian.org.levels import Kind, Level
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.registers.demo import ensure_residents
from chuangjian.registers.models import (
    BPReading,
    Facility,
    FacilityKind,
    FamilyHonour,
    FamilyKind,
    HonourLevel,
    Household,
    MediationCase,
    MediationOutcome,
    MediationParty,
    Person,
    Placement,
    ServiceRecord,
    Volunteer,
    VolunteerTeam,
)
from chuangjian.registers.sources import present_on, years_before

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程"
GIVEN = "建国华明丽娟秀英志强桂芳海燕玉兰春生文杰晓红德胜淑珍国庆永刚美玲宏伟子轩欣怡浩然雨涵"
DISPUTES = ["邻里纠纷", "婚姻家庭纠纷", "物业纠纷", "损害赔偿纠纷", "劳动争议", "房屋宅基地纠纷"]
SUMMARIES = ["楼上漏水殃及楼下", "楼道堆物引发争执", "装修噪音扰民", "赡养老人费用分担",
             "停车位占用", "宠物伤人赔偿", "拖欠工资", "相邻通行受阻"]
EMPLOYERS = ["城关农贸市场", "清源物业公司", "东湖超市", "区环卫所", "社区养老服务站",
             "清源快递网点", "白石食品厂", "锦绣家政公司", "望江酒店", "新桥汽修厂"]
PLACES = ["社区服务中心", "小区广场", "社区卫生服务站", "老年活动室", "小区门口"]


@dataclass
class Profile:
    """How well a community keeps up: the demo's targets met or missed on purpose."""

    good: bool

    def share(self, rng: random.Random, good: tuple[float, float],
              weak: tuple[float, float]) -> float:
        return rng.uniform(*(good if self.good else weak))


def _communities() -> list[Unit]:
    return list(Unit.objects.filter(level=Level.COMMUNITY, kind=Kind.AREA, closed_on__isnull=True)
                .order_by("path"))


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _day_in(rng: random.Random, year: int, today: dt.date) -> dt.date:
    last = min(dt.date(year, 12, 31), today)
    start = dt.date(year, 1, 1)
    return start + dt.timedelta(days=rng.randint(0, (last - start).days))


def _community(unit: Unit, profile: Profile, rng: random.Random, today: dt.date) -> int:
    people = list(present_on(today).filter(unit=unit).order_by("pk"))
    homes = list(Household.objects.filter(unit=unit).order_by("pk"))
    years = (today.year - 1, today.year)
    rows = 0

    # 血压: residents 35+ measured in each year, once or twice.
    readings = []
    for year in years:
        end = dt.date(year, 12, 31)
        adults = [p for p in people if p.birth_date and p.birth_date <= years_before(end, 35)]
        share = profile.share(rng, (0.9, 1.0), (0.5, 0.75))
        for person in rng.sample(adults, round(len(adults) * share)):
            for _ in range(rng.choice((1, 1, 2))):
                systolic = rng.randint(100, 165)
                readings.append(BPReading(person=person, measured_on=_day_in(rng, year, today),
                                          place=rng.choice(PLACES), systolic=systolic,
                                          diastolic=rng.randint(60, min(systolic - 20, 100)),
                                          measured_by="社区卫生服务站"))
    BPReading.objects.bulk_create(readings)
    rows += len(readings)

    # 志愿者: two teams, about one resident in twelve, with service records.
    teams = VolunteerTeam.objects.bulk_create([
        VolunteerTeam(unit=unit, name=name, founded_on=dt.date(2020, 3, 5))
        for name in ("健康志愿者服务队", "业余消防志愿者队")])
    adults = [p for p in people if p.birth_date and p.birth_date <= years_before(today, 18)]
    volunteers = Volunteer.objects.bulk_create([
        Volunteer(unit=unit, person=p, team=rng.choice(teams), skills=rng.choice(
            ["量血压", "文艺", "消防", "理发", "法律咨询", ""]),
            registered_on=dt.date(today.year - 2, 1, 1) + dt.timedelta(days=rng.randint(0, 600)))
        for p in rng.sample(adults, max(3, len(adults) // 12))])
    services = [ServiceRecord(volunteer=v, date=_day_in(rng, year, today),
                              place=rng.choice(PLACES), hours=Decimal(rng.choice(
                                  ["1", "1.5", "2", "2.5", "3", "4"])),
                              content=rng.choice(["义务测血压", "环境清洁", "消防巡查", "助老服务"]))
                for v in volunteers for year in years for _ in range(rng.randint(2, 6))
                if v.registered_on <= dt.date(year, 12, 31)]
    ServiceRecord.objects.bulk_create(services)
    rows += len(volunteers) + len(services)

    # 健康家庭 (and some 学习型、文明家庭): taking part, and some named from the street up.
    honours = []
    for year in years:
        share = profile.share(rng, (0.21, 0.3), (0.06, 0.09))
        taking = rng.sample(homes, round(len(homes) * share))
        named = profile.share(rng, (0.15, 0.3), (0.0, 0.08))
        for i, home in enumerate(taking):
            awarded = i < round(len(taking) * named)
            honours.append(FamilyHonour(household=home, kind=FamilyKind.HEALTHY, year=year,
                                        evaluation="居室整洁，生活方式健康" if awarded else "",
                                        awarded=awarded, level=rng.choice(
                                            [HonourLevel.STREET, HonourLevel.COUNTY,
                                             HonourLevel.CITY]) if awarded else ""))
        for kind in (FamilyKind.LEARNING, FamilyKind.CIVILISED):
            for home in rng.sample(homes, max(1, len(homes) // 15)):
                honours.append(FamilyHonour(household=home, kind=kind, year=year, awarded=True,
                                            level=HonourLevel.COMMUNITY))
    FamilyHonour.objects.bulk_create(honours)
    rows += len(honours)

    # 人民调解: good communities settle at least nine in ten of the cases they receive.
    cases: list[MediationCase] = []
    parties: list[tuple[MediationCase, Person]] = []
    for year in years:
        n = rng.randint(8, 14)
        fail = rng.randint(0, 1) if profile.good else rng.randint(3, 5)
        for i in range(n):
            received = _day_in(rng, year, today - dt.timedelta(days=20))
            outcome = MediationOutcome.SUCCEEDED if i >= fail else rng.choice(
                [MediationOutcome.FAILED, MediationOutcome.REFERRED])
            case = MediationCase(unit=unit, kind=rng.choice(DISPUTES),
                                 summary=rng.choice(SUMMARIES), received_on=received,
                                 closed_on=received + dt.timedelta(days=rng.randint(1, 15)),
                                 outcome=outcome, mediator=_name(rng))
            cases.append(case)
            parties.extend((case, p) for p in rng.sample(people, 2))
    MediationCase.objects.bulk_create(cases)
    MediationParty.objects.bulk_create([MediationParty(case=c, person=p, name=p.name)
                                        for c, p in parties])
    rows += len(cases) + len(parties)

    # 再就业: 篇12 asks 80 placements a year of a community.
    working_age = [p for p in people if p.birth_date and years_before(today, 55) <= p.birth_date
                   <= years_before(today, 20)]
    placements = []
    for year in years:
        want = rng.randint(80, 90) if profile.good else rng.randint(30, 60)
        for person in rng.sample(working_age, min(want, len(working_age))):
            placements.append(Placement(unit=unit, person=person, employer=rng.choice(EMPLOYERS),
                                        placed_on=_day_in(rng, year, today),
                                        placed_by=_name(rng)))
    Placement.objects.bulk_create(placements)
    rows += len(placements)

    # 设施: one 消防器材 row per 车栅/门面房, one 楼道灯 row per corridor, and the rest.
    facilities = []
    buildings = sorted({h.building for h in homes if h.building}) or ["1幢"]
    sites = rng.randint(15, 25)
    bare = 0 if profile.good else rng.randint(3, 5)
    for i in range(sites):
        facilities.append(Facility(unit=unit, kind=FacilityKind.FIRE_EQUIPMENT,
                                   name=f"沿街门面{i + 1:02d}号", quantity=0 if i < bare else 2,
                                   inspected_on=_day_in(rng, today.year, today)))
    dark = 0 if profile.good else rng.randint(1, 2)
    for i, building in enumerate(b for b in buildings for _ in range(2)):
        facilities.append(Facility(unit=unit, kind=FacilityKind.CORRIDOR_LIGHT,
                                   name=f"{building}公共走道{i % 2 + 1}",
                                   quantity=0 if i < dark else rng.randint(2, 6)))
    for i in range(rng.randint(6, 10)):
        facilities.append(Facility(unit=unit, kind=FacilityKind.SANITATION_POINT,
                                   name=f"垃圾分类投放点{i + 1}",
                                   working=profile.good or i > 0))
    for i in range(rng.randint(1, 3)):
        facilities.append(Facility(unit=unit, kind=FacilityKind.PUBLIC_TOILET,
                                   name=f"公共厕所{i + 1}", working=True))
    for i in range(rng.randint(2, 4)):
        facilities.append(Facility(unit=unit, kind=FacilityKind.GREEN_AREA, name=f"中心绿地{i + 1}",
                                   area_m2=Decimal(rng.randint(400, 2500))))
    space = rng.randint(450, 800) if profile.good else rng.randint(250, 380)
    for i, part in enumerate((space // 2, space - space // 2)):
        facilities.append(Facility(unit=unit, kind=FacilityKind.ACTIVITY_SPACE,
                                   name=("健身点", "文体活动室")[i], area_m2=Decimal(part)))
    for i in range(rng.randint(3, 8)):
        facilities.append(Facility(unit=unit, kind=FacilityKind.KEY_PLACE,
                                   name=rng.choice(["足浴店", "KTV", "发廊", "外来务工人员集居点"])
                                   + f"{i + 1}", inspected_on=_day_in(rng, today.year, today)))
    Facility.objects.bulk_create(facilities)
    return rows + len(facilities)


@transaction.atomic
def build_register_demo(*, today: dt.date | None = None) -> tuple[int, int]:
    """(communities filled, rows written)."""
    today = today or timezone.localdate()
    ensure_residents(scope=Scope.system(), today=today)
    filled = rows = 0
    for i, unit in enumerate(_communities()):
        if Facility.objects.filter(unit=unit).exists():
            continue
        rng = random.Random(f"registers-demo/{unit.code}")  # noqa: S311 - demo data
        # Two communities in three keep their registers well; the third misses targets.
        rows += _community(unit, Profile(good=i % 3 != 1), rng, today)
        filled += 1
    return filled, rows


def run(stdout: TextIO, *, today: dt.date | None = None) -> None:
    filled, rows = build_register_demo(today=today)
    stdout.write(f"演示名册：为 {filled} 个社区（村）登记 {rows} 条记录\n")
