"""The demo's awards (演示评选与称号).

- 城关街道's 健康家庭 round of this year, walked from nomination to naming: three
  families from each of four communities, one refused at 初审 with its reason, a panel of
  four voting, 综合评定, the best ten publicised (the quota), one objection upheld (the
  family withdrawn) and one answered and closed, the rest named.
- 东湖街道's 健康家庭 round of this year, open for nominations (to walk in the browser:
  湖滨社区 nominates, the street reviews and opens the vote, 冯涛 votes).
- Last year's city-level 健康家庭 titles recorded from the city's document, one family
  since moved away and withdrawn at the re-check; this year's “2211” city titles (健康
  单位, 志愿者, 健康社区) so the new-round 健康社区 standard's bonus has values.
- The district's own 区级 rounds of this year, quota 1:1 to those city titles (篇13), walked
  to naming: 健康单位 from 城关街道's departments and 志愿者 from its volunteers, each
  nominee checked as the scheme says (an overdue rectification order, a volunteer
  registered lately are passed over). 健康社区's 区级 round asks the year's 考核 passed,
  which the demo scores only after the titles, so it is not held here.

Repeatable: a second run finds its rounds (by title) and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chuangjian.awards import actions, selectors
from chuangjian.awards.models import Nomination, Objection, Round, Title
from chuangjian.engine.periods import SHANGHAI
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Scope
from chuangjian.registers.models import FamilyHonour, FamilyKind, Household, Person, Volunteer
from chuangjian.registers.sources import present_on

SYSTEM = Scope.system()
COMMUNITIES = ("QY-01-A-01", "QY-01-A-02", "QY-01-A-03", "QY-01-B-01")
PANEL = (("cg_responsible", 2), ("cg_inspector", 1), ("cd_leader", 1), ("qy_readonly", 1))
DISTRICT_PANEL = (("qy_wmb", 2), ("qy_inspector", 1), ("qy_readonly", 1))
# 城关街道's departments that may become 区级健康单位 (the city named 市场事务所 and 科技文化中心).
DISTRICT_UNITS = ("QY-01-D-WYB", "QY-01-D-PCS", "QY-01-D-ZFZD", "QY-01-D-CGB")
DAY = dt.timedelta(days=1)


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _families(unit: Unit, year: int, count: int) -> list[Household]:
    """Households of ``unit`` in the 健康家庭 register since last year, still living there."""
    living = present_on(timezone.localdate()).values("household_id")
    ids = (FamilyHonour.objects.filter(household__unit=unit, kind=FamilyKind.HEALTHY,
                                       year__lte=year - 1, household_id__in=living)
           .order_by("household_id").values_list("household_id", flat=True).distinct())
    return list(Household.objects.filter(pk__in=list(ids)[:count]).order_by("pk"))


def _label(home: Household) -> str:
    head = home.head.name if home.head_id else None  # type: ignore[union-attr]
    if head is None:
        first = Person.objects.filter(household=home).order_by("pk").first()
        head = first.name if first else home.address
    return f"{head}家庭"


def _walk(street: Unit, year: int, start: dt.datetime) -> Round:
    """城关街道's round from nomination to naming, each step on its day."""
    leader = _user("cg_leader")
    organiser = Scope.for_user(leader) if leader else SYSTEM
    round_ = actions.open_round(scope=SYSTEM, actor=leader, scheme_code="jiankang_jiating",
                                organiser=street, year=year, now=start)
    nominated: list[Nomination] = []
    for code in COMMUNITIES:
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            continue
        for home in _families(unit, year, 3):
            nominated.append(actions.nominate(
                scope=SYSTEM, actor=None, round=round_, unit=unit, nominee=home,
                name=_label(home), now=start + DAY,
                reasons="家庭成员坚持每年测量血压、参加健身活动，积极参加社区健康志愿服务和公益劳动"))
    for i, n in enumerate(nominated):
        if i == 4:
            actions.review(scope=organiser, actor=leader, nomination=n, accept=False,
                           reason="推荐材料中缺少参加健康城市公益劳动的记录", now=start + 2 * DAY)
        else:
            actions.review(scope=organiser, actor=leader, nomination=n, accept=True,
                           score=95 - (i * 7) % 30, now=start + 2 * DAY)
    panel = [(u, w) for name, w in PANEL if (u := _user(name)) is not None]
    actions.start_voting(scope=organiser, actor=leader, round=round_, voters=panel,
                         now=start + 3 * DAY)
    for v_index, (voter, _weight) in enumerate(panel):
        for i, n in enumerate(nominated):
            if i == 4:
                continue
            actions.vote(scope=Scope.for_user(voter), actor=voter, nomination=n,
                         approve=(i + v_index) % 4 != 0, now=start + 4 * DAY)
    actions.evaluate(scope=organiser, actor=leader, round=round_, now=start + 11 * DAY)
    actions.publicise(scope=organiser, actor=leader, round=round_, now=start + 11 * DAY)
    shortlisted = list(round_.nominations.filter(state="shortlisted").order_by("rank"))
    anyone = Scope(user_id=None)
    upheld = actions.object_to(scope=anyone, nomination=shortlisted[-1],
                               text="该户今年在楼道内堆放杂物，经多次劝说未清理，与健康家庭不符",
                               name="周群众", phone="13700001234", now=start + 12 * DAY)
    answered = actions.object_to(scope=anyone, nomination=shortlisted[0],
                                 text="听说该户没有参加今年的公益劳动", name="吴居民",
                                 phone="13900005678", now=start + 12 * DAY)
    actions.answer_objection(scope=organiser, actor=leader, objection=upheld, upheld=True,
                             answer="经社区核实，该户楼道堆物属实且未整改，撤销推荐",
                             now=start + 13 * DAY)
    actions.answer_objection(scope=organiser, actor=leader, objection=answered, upheld=False,
                             answer="经核实，该户于6月参加了“清洁家园”公益劳动，有签到表为证，异议不成立",
                             now=start + 13 * DAY)
    remaining = list(round_.nominations.filter(state="shortlisted"))
    actions.name_titles(scope=organiser, actor=leader, round=round_, nominations=remaining,
                        now=start + 17 * DAY)
    return round_


def _moved_family(unit: Unit, year: int) -> Household:
    """A family named last year that has since moved away (the re-check finds it)."""
    home, _created = Household.objects.get_or_create(unit=unit, address="幸福路99号（已迁出）")
    if not Person.objects.filter(household=home).exists():
        Person.objects.create(unit=unit, household=home, name="钱守义",
                              moved_in_on=dt.date(2012, 5, 1), moved_out_on=dt.date(year, 3, 1))
    FamilyHonour.objects.get_or_create(household=home, kind=FamilyKind.HEALTHY, year=year - 2)
    return home


def _last_year(district: Unit, year: int) -> tuple[int, int]:
    admin = _user("qy_admin")
    scope = Scope.for_user(admin) if admin else SYSTEM
    homes: list[Household] = []
    for code in COMMUNITIES[:2]:
        unit = Unit.objects.filter(code=code).first()
        if unit is not None:
            for home in _families(unit, year, 2):
                # They took part the year before too (the register's demo starts last year).
                FamilyHonour.objects.get_or_create(household=home, kind=FamilyKind.HEALTHY,
                                                   year=year - 2)
                homes.append(home)
    xfl = Unit.objects.get(code=COMMUNITIES[0])
    homes.append(_moved_family(xfl, year))
    for home in homes:
        actions.record_title(scope=scope, actor=admin, scheme_code="jiankang_jiating",
                             level="city", year=year - 1, recorder=district, holder=home,
                             name=_label(home), document=f"市爱卫会《关于命名{year - 1}年度健康家庭的决定》",
                             named_on=dt.date(year - 1, 12, 10))
    found = selectors.recheck(scope=SYSTEM, year=year - 1)
    for f in found:
        actions.flag_recheck(scope=SYSTEM, title=f.title, year=year - 1, reasons=f.reasons)
        actions.withdraw_title(scope=scope, actor=admin, title=f.title,
                               reason="年度复查：该户已于今年3月迁出本社区，不再符合条件",
                               on=dt.date(year, 3, 15))
    return len(homes), len(found)


def _2211(district: Unit, year: int) -> int:
    admin = _user("qy_admin")
    scope = Scope.for_user(admin) if admin else SYSTEM
    doc = f"市爱卫会《关于表彰{year}年度建设健康城市工作先进的决定》"
    made = 0
    units = list(Unit.objects.filter(code__in=["QY-01-D-SCS", "QY-01-D-KJWH"]))
    for unit in units:
        actions.record_title(scope=scope, actor=admin, scheme_code="jiankang_danwei", level="city",
                             year=year, recorder=district, holder=unit, name=unit.name,
                             document=doc, named_on=dt.date(year, 11, 20))
        made += 1
    volunteers = Volunteer.objects.filter(unit__code__startswith="QY-01-", left_on__isnull=True
                                          ).select_related("person").order_by("pk")[:3]
    for v in volunteers:
        actions.record_title(scope=scope, actor=admin, scheme_code="jiankang_zhiyuanzhe",
                             level="city", year=year, recorder=district, holder=v,
                             name=v.person.name, document=doc, named_on=dt.date(year, 11, 20))
        made += 1
    xfl = Unit.objects.filter(code=COMMUNITIES[0]).first()
    if xfl is not None:
        actions.record_title(scope=scope, actor=admin, scheme_code="jiankang_shequ", level="city",
                             year=year, recorder=district, holder=xfl, name=xfl.name,
                             document=doc, named_on=dt.date(year, 11, 20))
        made += 1
    return made


def _district_round(code: str, district: Unit, street: Unit, year: int, start: dt.datetime,
                    candidates: list[tuple[Any, str]]) -> Round:
    """A 区级 round of the district walked straight to naming: the street recommends
    as many eligible candidates as the quota, all pass 初审, the panel votes, all named."""
    leader = _user("qy_leader")
    organiser = Scope.for_user(leader) if leader else SYSTEM
    round_ = actions.open_round(scope=SYSTEM, actor=leader, scheme_code=code,
                                organiser=district, year=year, now=start)
    nominated: list[Nomination] = []
    for holder, name in candidates:
        if len(nominated) == round_.quota:
            break
        try:
            nominated.append(actions.nominate(
                scope=SYSTEM, actor=None, round=round_, unit=street, nominee=holder, name=name,
                reasons="积极参加建设健康城市工作，带动周边单位和居民养成健康生活方式",
                now=start + DAY))
        except ValidationError:
            continue  # not eligible this year: the next candidate
    if not nominated:
        return round_
    for i, n in enumerate(nominated):
        actions.review(scope=organiser, actor=leader, nomination=n, accept=True, score=92 - 3 * i,
                       now=start + 2 * DAY)
    panel = [(u, w) for name, w in DISTRICT_PANEL if (u := _user(name)) is not None]
    actions.start_voting(scope=organiser, actor=leader, round=round_, voters=panel,
                         now=start + 3 * DAY)
    for voter, _weight in panel:
        for n in nominated:
            actions.vote(scope=Scope.for_user(voter), actor=voter, nomination=n, approve=True,
                         now=start + 4 * DAY)
    actions.evaluate(scope=organiser, actor=leader, round=round_, now=start + 11 * DAY)
    actions.publicise(scope=organiser, actor=leader, round=round_, now=start + 11 * DAY)
    actions.name_titles(scope=organiser, actor=leader, round=round_,
                        nominations=list(round_.nominations.filter(state="shortlisted")),
                        now=start + 17 * DAY)
    return round_


def _district_2211(district: Unit, year: int, start: dt.datetime) -> int:
    """篇13's 区级先进 at 1:1 to the city's: 健康单位 and 志愿者 of 城关街道."""
    street = Unit.objects.filter(code="QY-01").first()
    if street is None:
        return 0
    units = [(u, u.name) for u in Unit.objects.filter(code__in=DISTRICT_UNITS).order_by("code")]
    city = Title.objects.filter(scheme_code="jiankang_zhiyuanzhe", year=year).values("volunteer_id")
    volunteers = [(v, v.person.name) for v in
                  Volunteer.objects.filter(unit__path__startswith=street.path, left_on__isnull=True)
                  .exclude(pk__in=city).select_related("person").order_by("pk")[:20]]
    named = 0
    for code, candidates in (("jiankang_danwei", units), ("jiankang_zhiyuanzhe", volunteers)):
        named += _district_round(code, district, street, year, start, candidates).titles.count()
    return named


@transaction.atomic
def run(stdout: Any = None, *, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    year = today.year
    street = Unit.objects.filter(code="QY-01").first()
    other = Unit.objects.filter(code="QY-02").first()
    district = Unit.objects.filter(code="QY").first()
    if street is None or district is None or other is None:
        return
    if Round.objects.filter(organiser=street, year=year, scheme_code="jiankang_jiating").exists():
        return
    now = (dt.datetime.combine(today, dt.time(9), tzinfo=SHANGHAI)
           if today != timezone.localdate() else timezone.now())
    recorded, withdrawn = _last_year(district, year)
    city = _2211(district, year)
    county = _district_2211(district, year, now - 40 * DAY)
    round_ = _walk(street, year, now - 40 * DAY)
    leader = _user("dh_leader")
    # Open for nominations from the real now: it is there to be walked in the browser.
    walkable = actions.open_round(scope=SYSTEM, actor=leader, scheme_code="jiankang_jiating",
                                  organiser=other, year=year, now=timezone.now())
    if stdout is not None:
        named = round_.titles.count()
        stdout.write(
            f"评选与称号：{round_.title} 推荐 {round_.nominations.count()} 户、名额 {round_.quota}、"
            f"命名 {named} 户，异议 {Objection.objects.filter(nomination__round=round_).count()} 条"
            f"（1 条成立撤销推荐）；{walkable.title} 正在推荐；{year - 1}年市级健康家庭 {recorded} 户，"
            f"复查摘牌 {withdrawn} 户；{year}年“2211”市级先进 {city} 个、区级先进 {county} 个"
            f"（称号共 {Title.objects.count()} 个）\n")
