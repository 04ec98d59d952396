"""Demo residents and households (演示数据) for every demo community.

A few hundred residents per community, with plausible names, households of one to five
at addresses down to the 楼组 and 网格, ages like a real community's, a share of 流动人口,
and some moved out this year. Their ID numbers are made by ``lib.personal.compose_id_number``
from random birth dates (valid by GB 11643, belonging to no one we know of); the phones
are in the 1380000xxxx block. Written with ``bulk_create`` so the demo stays fast;
running it again adds nothing to a community that already has residents.

``ensure_residents`` is what the other registers' demo calls first.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from typing import Any, TextIO

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from chuangjian.lib import personal
from chuangjian.org.levels import Level
from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap, Scope
from chuangjian.registers.models import Household, Person, ResidenceType

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
            "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严")
GIVEN_MALE = "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林建国志文博海东兴峰"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英慧巧美娇莉桂兰玲萍红燕琳雪婷倩颖洁琴云莲真环凤晶欣梅"
# County codes of the places residents were born in (valid in every year the demo uses).
AREAS = ("110105", "110108", "310104", "310101", "130100", "320100", "330100", "340100",
         "350100", "360100", "370100", "410100", "420100", "430100", "440100", "450100",
         "510100", "520100", "530100", "610100")
RELATIONS = ("配偶", "子", "女", "父亲", "母亲", "孙子", "孙女")


def _name(rng: random.Random, sex: str) -> str:
    given = GIVEN_MALE if sex == "M" else GIVEN_FEMALE
    return rng.choice(SURNAMES) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2, 2))))


def _birth(rng: random.Random, today: dt.date, low: int, high: int) -> dt.date:
    start = today.replace(year=today.year - high, month=1, day=1)
    span = (today.replace(year=today.year - low, month=1, day=1) - start).days
    return start + dt.timedelta(days=rng.randrange(max(span, 1)))


def _id_number(rng: random.Random, born: dt.date, sex: str, used: set[str]) -> str:
    while True:
        sequence = rng.randrange(0, 998)
        if (sequence % 2 == 1) != (sex == "M"):
            sequence += 1
        number = personal.compose_id_number(rng.choice(AREAS), born, sequence)
        if number not in used and personal.is_valid_id_number(number):
            used.add(number)
            return number


def communities() -> list[Unit]:
    return list(Unit.objects.filter(level=Level.COMMUNITY, closed_on__isnull=True)
                .order_by("path"))


def build_residents(unit: Unit, *, count: int, seed: int,
                    today: dt.date | None = None) -> tuple[int, int]:
    """``count`` residents of ``unit`` in households; returns (people, households)."""
    today = today or timezone.localdate()
    rng = random.Random(seed)  # noqa: S311 - demo data, not a secret
    grids = list(Unit.objects.filter(parent=unit, level=Level.GRID).order_by("sort_key")
                 .values_list("name", flat=True)) or ["第一网格", "第二网格"]
    estate = unit.name.removesuffix("社区").removesuffix("村")
    rural = unit.name.endswith("村")
    used = set(Person.objects.filter(unit=unit).values_list("id_number_hash", flat=True))
    numbers: set[str] = set()
    households: list[Household] = []
    members: list[list[Person]] = []
    made = 0
    while made < count:
        building = rng.randrange(1, 13)
        if rural:
            address = f"{unit.name}{rng.choice('东西南北中')}组{rng.randrange(1, 80)}号"
            block = f"{address[len(unit.name):len(unit.name) + 2]}"
        else:
            address = (f"{estate}小区{building}幢{rng.randrange(1, 4)}单元"
                       f"{rng.randrange(1, 19)}{rng.randrange(1, 5):02d}室")
            block = f"{building}幢"
        if any(h.address == address for h in households[-40:]):
            continue
        household = Household(unit=unit, address=address, building=block,
                              grid=grids[building % len(grids)])
        migrant = rng.random() < 0.13
        size = min(rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5)), count - made)
        family: list[Person] = []
        head_sex = rng.choice("MF")
        head_born = _birth(rng, today, 24, 88)
        for i in range(size):
            if i == 0:
                sex, born, relation = head_sex, head_born, "户主"
            elif i == 1:
                sex = "F" if head_sex == "M" else "M"
                born = head_born + dt.timedelta(days=rng.randrange(-2000, 2000))
                born = min(born, today.replace(year=today.year - 20))
                relation = "配偶"
            else:
                sex = rng.choice("MF")
                born = _birth(rng, today, 0, max(1, (today - head_born).days // 365 - 20))
                relation = "子" if sex == "M" else "女"
            number = _id_number(rng, born, sex, numbers)
            digest = personal.id_hash(number)
            if digest in used:
                continue
            moved_out = today - dt.timedelta(days=rng.randrange(1, 200)) \
                if rng.random() < 0.03 else None
            phone = f"1380000{rng.randrange(10000):04d}" if i < 2 and rng.random() < 0.8 else None
            family.append(Person(
                unit=unit, name=_name(rng, sex), id_number=number, id_number_hash=digest,
                phone=phone, phone_hash=personal.phone_hash(phone) if phone else "",
                sex=sex, birth_date=born, relation=relation,
                residence=ResidenceType.MIGRANT if migrant else ResidenceType.REGISTERED,
                moved_in_on=(today - dt.timedelta(days=rng.randrange(30, 900))) if migrant
                else None, moved_out_on=moved_out))
        if not family:
            continue
        households.append(household)
        members.append(family)
        made += len(family)
    with transaction.atomic():
        Household.objects.bulk_create(households, batch_size=500)
        people: list[Person] = []
        for household, family in zip(households, members, strict=True):
            for person in family:
                person.household = household
                people.append(person)
        Person.objects.bulk_create(people, batch_size=500)
        heads = []
        for household, family in zip(households, members, strict=True):
            if family[0].moved_out_on is None:
                household.head = family[0]
                heads.append(household)
        Household.objects.bulk_update(heads, ["head"], batch_size=500)
    return len(people), len(households)


def ensure_residents(*, scope: Scope, low: int = 200, high: int = 400,
                     today: dt.date | None = None) -> dict[int, int]:
    """Residents for every demo community that has none; returns people per community id
    (those made now). The demo and the other registers' demo call it with the system scope."""
    if not (scope.is_global and scope.allows_any(Cap.VIEW_PERSONS)):
        raise PermissionDenied
    made: dict[int, int] = {}
    for unit in communities():
        if Person.objects.filter(unit=unit).exists():
            continue
        seed = zlib.crc32(unit.code.encode())
        count = random.Random(seed).randrange(low, high)  # noqa: S311 - demo data
        made[unit.pk], _households = build_residents(unit, count=count, seed=seed, today=today)
    return made


def run(stdout: TextIO | Any = None, *, today: dt.date | None = None) -> None:
    made = ensure_residents(scope=Scope.system(), today=today)
    if stdout is not None and made:
        stdout.write(f"演示居民：{len(made)} 个社区，共 {sum(made.values())} 人")
