"""Every write of a round, from nomination to naming, and of the titles after it.

Each action takes the person's scope, checks the capability (``Cap.ENTER_DATA`` to
nominate at one's unit, ``Cap.ORGANISE_AWARDS`` to run a round, ``Cap.NAME_AWARDS`` to
name or withdraw), refuses bad input with a Chinese sentence naming the field, and writes
inside one transaction with its audit entry. Quotas are counted with the round's row
locked, so two people nominating or naming at once cannot pass the quota together.
"""

from __future__ import annotations

import builtins
import datetime as dt
import math
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangjian.audit.log import log_action
from chuangjian.awards import eligibility
from chuangjian.awards.models import (
    Level,
    Nomination,
    NominationState,
    NominationWay,
    Nominee,
    Objection,
    ObjectionState,
    Round,
    Stage,
    Title,
    TitleState,
    Vote,
    Voter,
)
from chuangjian.awards.schemes import (
    LEVEL_NAMES,
    LEVELS,
    NOMINATORS,
    RATIO,
    ROUND_LEVELS,
    Scheme,
    scheme_for,
)
from chuangjian.files.models import FileKind
from chuangjian.files.storing import discarded_on_error, store_file
from chuangjian.lib.personal import normalise_phone
from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap, Scope
from chuangjian.sources import changed

MAX_TEXT = 2000
MAX_PHOTOS = 9
FAMILY_ELEMENTS = ("healthy_families_awarded", "city_level_healthy_families",
                   "healthy_family_participants")
TITLE_ELEMENTS = ("city_level_healthy_units", "city_level_health_volunteers",
                  "city_level_health_awards", "district_level_health_awards",
                  "city_level_titles")
CITY_AND_ABOVE = (Level.CITY, Level.PROVINCE, Level.NATIONAL)


def _deny_unless(ok: bool) -> None:
    if not ok:
        raise PermissionDenied


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _local(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _scheme(code: str) -> Scheme:
    scheme = scheme_for(code)
    if scheme is None:
        raise ValidationError({"scheme": _("没有编码为「%(c)s」的评选方案") % {"c": code}})
    return scheme


def _locked(round_: Round) -> Round:
    """The round's row, locked until the transaction ends (quotas are counted under it)."""
    return Round.objects.select_for_update().get(pk=round_.pk)


def _bounded(text: str, field: str, label: str, *, required: bool = True,
             limit: int = MAX_TEXT) -> str:
    value = (text or "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写%(l)s") % {"l": label}})
    if len(value) > limit:
        raise ValidationError({field: _("%(l)s不能超过%(n)d字") % {"l": label, "n": limit}})
    return value


# -- the round ----------------------------------------------------------------------------

def quota_for(*, scope: Scope, scheme: Scheme, level: str, organiser: Unit, year: int) -> int:
    """The round's quota: the scheme's number, or its ratio to the titles of the same
    scheme named at another level in the same year under the organiser (篇13 「1:1」)."""
    quota = scheme.quota_at(level)
    if quota is None:
        raise ValidationError({"scheme": _("「%(s)s」没有%(l)s的名额，不能在本级评选")
                               % {"s": scheme.name, "l": LEVEL_NAMES[level]}})
    if quota.total is not None:
        return quota.total
    m = RATIO.match(quota.ratio or "")
    if m is None or quota.of is None:  # the scheme loader refuses such a file
        raise ValidationError({"scheme": _("「%(s)s」的名额比例写错了") % {"s": scheme.name}})
    base = Title.objects.filter(scheme_code=scheme.code, level=quota.of, year=year,
                                unit__path__startswith=organiser.path).count()
    number = math.floor(base * int(m.group(1)) / int(m.group(2)))
    if number < 1:
        raise ValidationError({"scheme": _(
            "「%(s)s」%(l)s名额按%(r)s比例对应%(y)d年的%(o)s称号数，目前为 0，请先登记%(o)s称号")
            % {"s": scheme.name, "l": LEVEL_NAMES[level], "r": quota.ratio, "y": year,
               "o": LEVEL_NAMES[quota.of]}})
    return number


@transaction.atomic
def open_round(*, scope: Scope, actor: Any, scheme_code: str, organiser: Unit, year: int,
               now: dt.datetime | None = None) -> Round:
    """Open a round at a street (街道级) or the district (区级) for nominations."""
    now = now or timezone.now()
    _deny_unless(scope.allows(organiser, Cap.ORGANISE_AWARDS))
    scheme = _scheme(scheme_code)
    level = next((lv for lv, org_level in ROUND_LEVELS.items() if org_level == organiser.level),
                 None)
    if level is None:
        raise ValidationError({"organiser": _("评选由街道（镇）或区（县）组织")})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("年度应在2000至2100之间")})
    quota = quota_for(scope=scope, scheme=scheme, level=level, organiser=organiser, year=year)
    per = scheme.quota_at(level)
    round_ = Round.objects.create(
        scheme_code=scheme.code, year=year, level=level, organiser=organiser, quota=quota,
        per_unit=per.per_unit if per else None,
        title=_("%(y)d年度%(u)s%(s)s评选") % {"y": year, "u": organiser.name, "s": scheme.name},
        nominate_until=now + dt.timedelta(days=scheme.stages.nominate_days),
        created_by=_user(actor))
    log_action(action="awards.round.opened", actor=_user(actor), obj=round_, unit=organiser,
               data={"scheme": scheme.code, "year": year, "quota": quota})
    return round_


def _nominee_row(kind: str, row: Any, unit: Unit) -> dict[str, Any]:
    """The nominee's field on a nomination, checked to lie in the nominating unit."""
    if row is None:
        raise ValidationError({"nominee": _("请选择推荐对象")})
    own = row if kind == Nominee.UNIT else row.unit
    if not own.path.startswith(unit.path):
        raise ValidationError({"nominee": _("推荐对象不在%(u)s的范围内") % {"u": unit.name}})
    field = {"unit": "holder_unit"}.get(kind, kind)
    return {field: row}


def _phone(value: str, field: str, label: str) -> str:
    try:
        return normalise_phone((value or "")[:40])
    except ValidationError as error:
        raise ValidationError({field: [_("%(l)s：%(e)s") % {"l": label, "e": m}
                                       for m in error.messages]}) from None


def _way(scheme: Scheme, by: str, nominee: Any, unit: Unit, recommender_name: str,
         recommender_phone: str) -> dict[str, str | None]:
    """Who puts the nominee forward, as the scheme allows (``nominated_by``), and, for a
    群众推荐, the recommender the unit records (name and phone, kept private)."""
    if by not in NOMINATORS:
        raise ValidationError({"by": _("推荐方式应为单位推荐、群众推荐或自荐（申报）之一")})
    allowed = "、".join(NOMINATORS[w] for w in scheme.nominated_by)
    if scheme.nominee == Nominee.UNIT:
        # A unit that puts itself forward applies for the title (申报): that is a
        # self-nomination whatever the form said.
        if by == NominationWay.SELF and nominee.pk != unit.pk:
            raise ValidationError({"by": _("自荐（申报）时，推荐对象应为%(u)s本身") % {"u": unit.name}})
        if nominee.pk == unit.pk and NominationWay.SELF not in scheme.nominated_by:
            raise ValidationError({"nominee": _(
                "%(u)s推荐本单位属于自荐（申报），「%(s)s」只接受%(a)s，请由上级单位推荐")
                % {"u": unit.name, "s": scheme.name, "a": allowed}})
        if nominee.pk == unit.pk:
            by = NominationWay.SELF
    if by not in scheme.nominated_by:
        raise ValidationError({"by": _("「%(s)s」只接受%(a)s，不接受%(w)s")
                               % {"s": scheme.name, "a": allowed, "w": NOMINATORS[by]}})
    if by != NominationWay.PEOPLE:
        return {"way": by, "recommender_name": None, "recommender_phone": None}
    return {"way": by,
            "recommender_name": _bounded(recommender_name, "recommender_name", _("推荐人姓名"),
                                         limit=50),
            "recommender_phone": _phone(recommender_phone, "recommender_phone", _("推荐人联系电话"))}


@discarded_on_error()
@transaction.atomic
def nominate(*, scope: Scope, actor: Any, round: Round, unit: Unit, nominee: Any, name: str,
             reasons: str, by: str = NominationWay.UNITS, recommender_name: str = "",
             recommender_phone: str = "", activities: Sequence[Any] = (),
             uploads: Sequence[Any] = (), now: dt.datetime | None = None) -> Nomination:
    """推荐: one nominee of the unit, with reasons and evidence, within the window and the
    unit's quota; an ineligible nominee is refused with the reason. ``by`` says who puts
    it forward (单位推荐, 群众推荐 recorded by the unit, or 自荐（申报）), as the scheme
    allows; every nomination of the unit counts against its quota."""
    now = now or timezone.now()
    _deny_unless(scope.allows(unit, Cap.ENTER_DATA))
    round_ = _locked(round)
    scheme = _scheme(round_.scheme_code)
    if not unit.path.startswith(round_.organiser.path):
        raise ValidationError({"unit": _("%(u)s不在%(o)s的评选范围内")
                               % {"u": unit.name, "o": round_.organiser.name}})
    if round_.stage != Stage.NOMINATING or now > round_.nominate_until:
        raise ValidationError({"round": _("推荐已于%(t)s截止") % {"t": _local(round_.nominate_until)}})
    name = _bounded(name, "name", _("公示名称"), limit=100)
    reasons = _bounded(reasons, "reasons", _("推荐理由"))
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError({"photos": _("照片最多%(n)d张") % {"n": MAX_PHOTOS}})
    for activity in activities:
        if not scope.allows(activity.unit, Cap.VIEW):
            raise PermissionDenied
    holder = _nominee_row(scheme.nominee, nominee, unit)
    way = _way(scheme, str(by), nominee, unit, recommender_name, recommender_phone)
    live = round_.nominations.exclude(state=NominationState.REFUSED)
    if live.filter(**holder).exists():
        raise ValidationError({"nominee": _("「%(n)s」已被推荐，不能重复推荐") % {"n": name}})
    if round_.per_unit is not None and live.filter(unit=unit).count() >= round_.per_unit:
        raise ValidationError({"unit": _("%(u)s的推荐名额已满（每个单位%(n)d个）")
                               % {"u": unit.name, "n": round_.per_unit}})
    nomination = Nomination(round=round_, unit=unit, nominee=scheme.nominee, name=name,
                            reasons=reasons, nominated_by=_user(actor), **way, **holder)
    found = eligibility.checks(scheme, nomination, year=round_.year, now=now)
    reasons_failing = eligibility.failing(found)
    if reasons_failing:
        raise ValidationError({"nominee": _("「%(n)s」不符合评选条件：%(r)s")
                               % {"n": name, "r": "；".join(reasons_failing)}})
    nomination.eligibility = [c.as_dict() for c in found]
    nomination.save()
    nomination.activities.set(list(activities))
    photos = []
    for index, upload in enumerate(uploads, start=1):
        try:
            photos.append(store_file(upload, user=_user(actor), kinds=(FileKind.IMAGE,)))
        except ValidationError as error:
            raise ValidationError({"photos": _("第%(i)d张照片：%(e)s")
                                   % {"i": index, "e": "；".join(error.messages)}}) from None
    nomination.photos.set(photos)
    log_action(action="awards.nomination.submitted", actor=_user(actor), obj=nomination,
               unit=unit, data={"round": round_.pk, "way": way["way"]})
    return nomination


def _organiser(scope: Scope, round_: Round) -> None:
    _deny_unless(scope.allows(round_.organiser, Cap.ORGANISE_AWARDS))


def _score(value: Any) -> Decimal:
    try:
        score = Decimal(str(value).strip()[:12])
    except (InvalidOperation, ValueError):
        raise ValidationError({"score": _("评分应为0至100之间的数")}) from None
    if not score.is_finite() or not 0 <= score <= 100:
        raise ValidationError({"score": _("评分应为0至100之间的数")})
    return score.quantize(Decimal("0.01"))


@transaction.atomic
def review(*, scope: Scope, actor: Any, nomination: Nomination, accept: bool,
           reason: str = "", score: Any = None, now: dt.datetime | None = None) -> Nomination:
    """初审: accept with the organiser's score (the eligibility checked again), or refuse
    with a reason the nominating unit reads."""
    now = now or timezone.now()
    round_ = _locked(nomination.round)
    _organiser(scope, round_)
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if round_.stage not in (Stage.NOMINATING, Stage.REVIEWING):
        raise ValidationError({"round": _("初审已结束，本次评选%(s)s")
                               % {"s": round_.get_stage_display()}})
    if nomination.state not in (NominationState.SUBMITTED, NominationState.ACCEPTED,
                                NominationState.REFUSED):
        raise ValidationError({"nomination": _("这项推荐已不能初审")})
    scheme = _scheme(round_.scheme_code)
    if accept:
        value = _score(score)
        found = eligibility.checks(scheme, nomination, year=round_.year, now=now)
        failing = eligibility.failing(found)
        if failing:
            raise ValidationError({"nomination": _("「%(n)s」不符合评选条件：%(r)s")
                                   % {"n": nomination.name, "r": "；".join(failing)}})
        nomination.eligibility = [c.as_dict() for c in found]
        nomination.state, nomination.score, nomination.refusal_reason = (
            NominationState.ACCEPTED, value, "")
    else:
        nomination.refusal_reason = _bounded(reason, "reason", _("不通过的理由"), limit=300)
        nomination.state, nomination.score = NominationState.REFUSED, None
    nomination.reviewed_at = now
    nomination.save()
    log_action(action="awards.nomination.reviewed", actor=_user(actor), obj=nomination,
               unit=round_.organiser, data={"accepted": accept})
    return nomination


@transaction.atomic
def start_voting(*, scope: Scope, actor: Any, round: Round, voters: Sequence[tuple[Any, Any]],
                 now: dt.datetime | None = None) -> Round:
    """Close the nominations and open the vote for the scheme's days, with the panel."""
    now = now or timezone.now()
    round_ = _locked(round)
    _organiser(scope, round_)
    if round_.stage not in (Stage.NOMINATING, Stage.REVIEWING):
        raise ValidationError({"round": _("本次评选%(s)s，不能再开始投票")
                               % {"s": round_.get_stage_display()}})
    pending = round_.nominations.filter(state=NominationState.SUBMITTED).count()
    if pending:
        raise ValidationError({"round": _("还有%(n)d项推荐未初审") % {"n": pending}})
    if not round_.nominations.filter(state=NominationState.ACCEPTED).exists():
        raise ValidationError({"round": _("没有初审通过的候选，不能投票")})
    if not voters:
        raise ValidationError({"voters": _("请至少选择一位评委")})
    panel: list[Voter] = []
    for index, (user, weight) in enumerate(voters, start=1):
        try:
            w = Decimal(str(weight).strip()[:8])
        except (InvalidOperation, ValueError):
            w = Decimal(-1)
        if not w.is_finite() or not Decimal("0.1") <= w <= Decimal(10):
            raise ValidationError({"voters": _("第%(i)d位评委的权重应在0.1至10之间") % {"i": index}})
        panel.append(Voter(round=round_, user=user, weight=w))
    if len({v.user.pk for v in panel}) != len(panel):
        raise ValidationError({"voters": _("评委名单中有重复的人")})
    round_.voters.all().delete()
    Voter.objects.bulk_create(panel)
    scheme = _scheme(round_.scheme_code)
    round_.stage = Stage.VOTING
    round_.nominate_until = min(round_.nominate_until, now)
    round_.vote_from, round_.vote_until = now, now + dt.timedelta(days=scheme.stages.vote_days)
    round_.version += 1
    round_.save()
    log_action(action="awards.round.voting", actor=_user(actor), obj=round_,
               unit=round_.organiser, data={"voters": len(panel)})
    return round_


@transaction.atomic
def vote(*, scope: Scope, actor: Any, nomination: Nomination, approve: bool,
         now: dt.datetime | None = None) -> Vote:
    """One vote per panel member per candidate, inside the window; nobody sees the
    tallies until it closes."""
    now = now or timezone.now()
    round_ = Round.objects.get(pk=nomination.round_id)
    nomination.refresh_from_db(fields=["state"])
    voter = (Voter.objects.filter(round=round_, user=actor).first()
             if getattr(actor, "is_authenticated", False) else None)
    if voter is None:
        raise PermissionDenied
    if round_.stage != Stage.VOTING or round_.vote_from is None or round_.vote_until is None:
        raise ValidationError({"vote": _("本次评选不在投票阶段")})
    if now < round_.vote_from:
        raise ValidationError({"vote": _("投票%(t)s开始") % {"t": _local(round_.vote_from)}})
    if now > round_.vote_until:
        raise ValidationError({"vote": _("投票已于%(t)s截止") % {"t": _local(round_.vote_until)}})
    if nomination.state != NominationState.ACCEPTED:
        raise ValidationError({"vote": _("「%(n)s」不是本次投票的候选") % {"n": nomination.name}})
    try:
        with transaction.atomic():
            cast = Vote.objects.create(nomination=nomination, voter=voter, approve=bool(approve))
    except IntegrityError:
        raise ValidationError({"vote": _("您已对「%(n)s」投过票，每位评委对每位候选只能投一票")
                               % {"n": nomination.name}}) from None
    log_action(action="awards.vote.cast", actor=_user(actor), obj=round_, unit=round_.organiser)
    return cast


@transaction.atomic
def evaluate(*, scope: Scope, actor: Any, round: Round, now: dt.datetime | None = None) -> Round:
    """综合评定 after the vote closes: the weighted share of approving votes and the
    organiser's score, weighted as the scheme says, ranked."""
    now = now or timezone.now()
    round_ = _locked(round)
    _organiser(scope, round_)
    if round_.stage != Stage.VOTING or round_.vote_until is None:
        raise ValidationError({"round": _("本次评选不在投票阶段")})
    if now <= round_.vote_until:
        raise ValidationError({"round": _("投票%(t)s截止，截止后才能综合评定")
                               % {"t": _local(round_.vote_until)}})
    scheme = _scheme(round_.scheme_code)
    panel = float(round_.voters.aggregate(w=Sum("weight"))["w"] or 0)
    candidates = list(round_.nominations.filter(state=NominationState.ACCEPTED))
    for n in candidates:
        yes = float(Vote.objects.filter(nomination=n, approve=True)
                    .aggregate(w=Sum("voter__weight"))["w"] or 0)
        n.vote_share = builtins.round(yes / panel, 4) if panel else 0.0
        n.combined = builtins.round(scheme.weights.votes * n.vote_share
                           + scheme.weights.scores * float(n.score or 0) / 100, 2)
    candidates.sort(key=lambda n: (-(n.combined or 0), -(n.vote_share or 0), n.pk))
    for rank, n in enumerate(candidates, start=1):
        n.rank = rank
        n.save(update_fields=["vote_share", "combined", "rank"])
    round_.stage = Stage.EVALUATING
    round_.version += 1
    round_.save()
    log_action(action="awards.round.evaluated", actor=_user(actor), obj=round_,
               unit=round_.organiser, data={"candidates": len(candidates)})
    return round_


@transaction.atomic
def publicise(*, scope: Scope, actor: Any, round: Round, now: dt.datetime | None = None) -> Round:
    """公示: the best-ranked candidates within the quota, for the scheme's days."""
    now = now or timezone.now()
    round_ = _locked(round)
    _organiser(scope, round_)
    if round_.stage != Stage.EVALUATING:
        raise ValidationError({"round": _("请先综合评定")})
    scheme = _scheme(round_.scheme_code)
    ranked = list(round_.nominations.filter(state=NominationState.ACCEPTED).order_by("rank"))
    for n in ranked:
        n.state = (NominationState.SHORTLISTED if n.rank and n.rank <= round_.quota
                   else NominationState.NOT_SELECTED)
        n.save(update_fields=["state"])
    round_.stage = Stage.PUBLICISING
    round_.publicity_from = now
    round_.publicity_until = now + dt.timedelta(days=scheme.stages.publicity_days)
    round_.version += 1
    round_.save()
    log_action(action="awards.round.publicised", actor=_user(actor), obj=round_,
               unit=round_.organiser)
    return round_


@transaction.atomic
def object_to(*, scope: Scope, nomination: Nomination, text: str, name: str, phone: str,
              now: dt.datetime | None = None) -> Objection:
    """An objection from the public page during 公示 (no login): the name and phone are
    kept private, the text goes to the organiser, who must answer it before naming."""
    now = now or timezone.now()
    round_ = Round.objects.get(pk=nomination.round_id)
    nomination.refresh_from_db(fields=["state"])
    if (round_.stage != Stage.PUBLICISING or round_.publicity_until is None
            or now > round_.publicity_until):
        raise ValidationError({"text": _("公示期已结束，不再受理异议")})
    if nomination.state != NominationState.SHORTLISTED:
        raise ValidationError({"text": _("「%(n)s」不在公示名单中") % {"n": nomination.name}})
    text = _bounded(text, "text", _("异议内容"))
    if len(text) < 5:
        raise ValidationError({"text": _("请写清异议的事实（至少5个字）")})
    name = _bounded(name, "name", _("姓名"), limit=50)
    phone = _phone(phone, "phone", _("联系电话"))
    objection = Objection.objects.create(nomination=nomination, text=text, name=name, phone=phone)
    log_action(action="awards.objection.received", actor=None, obj=objection,
               unit=round_.organiser, data={"round": round_.pk})
    return objection


@transaction.atomic
def answer_objection(*, scope: Scope, actor: Any, objection: Objection, upheld: bool,
                     answer: str, now: dt.datetime | None = None) -> Objection:
    """Answer and close an objection; an objection upheld withdraws the nominee."""
    now = now or timezone.now()
    round_ = _locked(objection.nomination.round)
    _organiser(scope, round_)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.state != ObjectionState.OPEN:
        raise ValidationError({"answer": _("这条异议已经答复")})
    objection.answer = _bounded(answer, "answer", _("答复"))
    objection.state = ObjectionState.UPHELD if upheld else ObjectionState.ANSWERED
    objection.answered_by, objection.answered_at = _user(actor), now
    objection.save()
    nomination = objection.nomination
    if upheld and nomination.state == NominationState.SHORTLISTED:
        nomination.state = NominationState.WITHDRAWN
        nomination.withdrawn_reason = objection.answer[:300]
        nomination.save(update_fields=["state", "withdrawn_reason"])
    log_action(action="awards.objection.answered", actor=_user(actor), obj=objection,
               unit=round_.organiser, data={"upheld": upheld})
    return objection


def _family_kind(scheme: Scheme) -> str | None:
    return next((r.kind for r in scheme.eligibility if r.rule == "in_family_register"), None)


def _sync_family(title: Title, scheme: Scheme) -> None:
    """A family's title is its row in the register (家庭创建登记), which the 健康家庭
    indicators count: named sets 已命名 and the level, withdrawn clears them."""
    from chuangjian.registers.models import FamilyHonour

    kind = _family_kind(scheme)
    if title.household_id is None or kind is None:
        return
    honour, _created = FamilyHonour.objects.get_or_create(
        household_id=title.household_id, kind=kind, year=title.year)
    active = Title.objects.filter(household_id=title.household_id, scheme_code=title.scheme_code,
                                  year=title.year, state=TitleState.ACTIVE)
    best = max((t.level for t in active), key=LEVELS.index, default=None)
    if title.state == TitleState.ACTIVE and best is not None:
        # Named: 已命名 at the higher of what the register says and the title's level.
        had = honour.level if honour.awarded and honour.level in LEVELS else best
        honour.awarded, honour.level = True, max(had, best, key=LEVELS.index)
    else:
        # Withdrawn: what the remaining titles of the year say.
        honour.awarded, honour.level = best is not None, best or ""
    honour.version += 1
    honour.save()
    changed(unit_id=title.unit_id, element_codes=FAMILY_ELEMENTS, day=dt.date(title.year, 12, 31))


def _title_changed(title: Title, scheme: Scheme) -> None:
    changed(unit_id=title.unit_id, element_codes=TITLE_ELEMENTS, day=dt.date(title.year, 12, 31))
    _sync_family(title, scheme)


def _make_title(*, scheme: Scheme, holder: Any, level: str, year: int, organiser: Unit,
                organiser_name: str, named_on: dt.date, actor: Any, round_: Round | None = None,
                nomination: Nomination | None = None, document: str = "") -> Title:
    title = Title(
        scheme_code=scheme.code, title=scheme.name, year=year, level=level,
        valid_until_year=year + scheme.valid_years - 1, nominee=holder.nominee,
        holder_unit=holder.holder_unit, household=holder.household, volunteer=holder.volunteer,
        person=holder.person, name=holder.name, unit=eligibility.holder_unit(holder),
        organiser=organiser, organiser_name=organiser_name, round=round_, nomination=nomination,
        document=document, named_on=named_on, named_by=_user(actor))
    title.save()
    _title_changed(title, scheme)
    return title


@transaction.atomic
def name_titles(*, scope: Scope, actor: Any, round: Round, nominations: Sequence[Nomination],
                now: dt.datetime | None = None) -> list[Title]:
    """命名: the chosen candidates of the 公示 list, after it ends, every objection
    answered, within the round's quota (counted with the round locked)."""
    now = now or timezone.now()
    round_ = _locked(round)
    _deny_unless(scope.allows(round_.organiser, Cap.NAME_AWARDS))
    if round_.stage != Stage.PUBLICISING or round_.publicity_until is None:
        raise ValidationError({"round": _("本次评选不在公示阶段，不能命名")})
    if now < round_.publicity_until:
        raise ValidationError({"round": _("公示期%(t)s结束，期满后才能命名")
                               % {"t": _local(round_.publicity_until)}})
    if not nominations:
        raise ValidationError({"nominations": _("请选择要命名的对象")})
    chosen = list(Nomination.objects.filter(pk__in=[n.pk for n in nominations], round=round_))
    for n in chosen:
        if n.state != NominationState.SHORTLISTED:
            raise ValidationError({"nominations": _("「%(n)s」不在公示名单中（%(s)s）")
                                   % {"n": n.name, "s": n.get_state_display()}})
        still_open = n.objections.filter(state=ObjectionState.OPEN).count()
        if still_open:
            raise ValidationError({"nominations": _(
                "「%(n)s」还有%(k)d条异议未答复，答复并关闭后才能命名") % {"n": n.name, "k": still_open}})
    named = round_.titles.count()
    if named + len(chosen) > round_.quota:
        raise ValidationError({"nominations": _(
            "超出名额：本次评选名额%(q)d个，已命名%(d)d个，这次选了%(c)d个")
            % {"q": round_.quota, "d": named, "c": len(chosen)}})
    scheme = _scheme(round_.scheme_code)
    titles = []
    for n in chosen:
        n.state = NominationState.NAMED
        n.save(update_fields=["state"])
        titles.append(_make_title(scheme=scheme, holder=n, level=round_.level, year=round_.year,
                                  organiser=round_.organiser, organiser_name=round_.organiser.name,
                                  named_on=timezone.localdate(now), actor=actor, round_=round_,
                                  nomination=n))
    if not round_.nominations.filter(state=NominationState.SHORTLISTED).exists():
        round_.stage, round_.named_at, round_.named_by = Stage.NAMED, now, _user(actor)
    round_.version += 1
    round_.save()
    log_action(action="awards.round.named", actor=_user(actor), obj=round_,
               unit=round_.organiser, data={"titles": [t.pk for t in titles]})
    return titles


@transaction.atomic
def record_title(*, scope: Scope, actor: Any, scheme_code: str, level: str, year: int,
                 recorder: Unit, holder: Any, name: str, document: str,
                 named_on: dt.date) -> Title:
    """Record a title named by a level above the tree (市级及以上), from its document."""
    _deny_unless(scope.allows(recorder, Cap.NAME_AWARDS))
    scheme = _scheme(scheme_code)
    if level not in (lv.value for lv in CITY_AND_ABOVE):
        raise ValidationError({"level": _("只登记市级及以上命名的称号；街道、区级称号经评选命名")})
    if scheme.quota_at(level) is None:
        raise ValidationError({"level": _("「%(s)s」没有%(l)s称号") % {"s": scheme.name,
                                                                   "l": LEVEL_NAMES[level]}})
    document = _bounded(document, "document", _("命名文件"), limit=200)
    name = _bounded(name, "name", _("名称"), limit=100)

    class _Holder:
        pass

    h: Any = _Holder()
    h.nominee, h.name = scheme.nominee, name
    h.holder_unit = h.household = h.volunteer = h.person = None
    field = {"unit": "holder_unit"}.get(scheme.nominee, scheme.nominee)
    setattr(h, field, holder)
    if holder is None or not eligibility.holder_unit(h).path.startswith(recorder.path):
        raise ValidationError({"holder": _("称号持有者不在%(u)s的范围内") % {"u": recorder.name}})
    if Title.objects.filter(scheme_code=scheme.code, level=level, year=year,
                            **{field: holder}).exists():
        raise ValidationError({"holder": _("「%(n)s」%(y)d年的这项称号已登记") % {"n": name, "y": year}})
    title = _make_title(scheme=scheme, holder=h, level=level, year=year, organiser=recorder,
                        organiser_name=document.split("《")[0][:100] or recorder.name,
                        named_on=named_on, actor=actor, document=document)
    log_action(action="awards.title.recorded", actor=_user(actor), obj=title, unit=recorder)
    return title


@transaction.atomic
def flag_recheck(*, scope: Scope, title: Title, year: int, reasons: Sequence[str],
                 now: dt.datetime | None = None) -> Title:
    """The yearly re-check found the holder no longer qualifying: flag it for a person
    to confirm 摘牌 (``withdraw_title``) or keep it (``keep_title``); both the naming
    unit and the holder's unit find it in their inbox."""
    _deny_unless(scope.allows(title.unit, Cap.VIEW))
    title.recheck_year, title.recheck_reasons = year, list(reasons)
    title.recheck_at = now or timezone.now()
    title.save(update_fields=["recheck_year", "recheck_reasons", "recheck_at"])
    log_action(action="awards.title.flagged", actor=None, obj=title, unit=title.organiser,
               data={"year": year})
    return title


@transaction.atomic
def withdraw_title(*, scope: Scope, actor: Any, title: Title, reason: str,
                   on: dt.date | None = None) -> Title:
    """摘牌 with a reason, by a person who may name titles at the naming unit."""
    _deny_unless(scope.allows(title.organiser, Cap.NAME_AWARDS))
    title = Title.objects.select_for_update().get(pk=title.pk)
    if title.state != TitleState.ACTIVE:
        raise ValidationError({"reason": _("这项称号已于%(d)s摘牌") % {"d": title.withdrawn_on}})
    title.withdrawn_reason = _bounded(reason, "reason", _("摘牌理由"), limit=300)
    title.state, title.withdrawn_on = TitleState.WITHDRAWN, on or timezone.localdate()
    title.withdrawn_by = _user(actor)
    title.save()
    _title_changed(title, _scheme(title.scheme_code))
    log_action(action="awards.title.withdrawn", actor=_user(actor), obj=title,
               unit=title.organiser, data={"reason": title.withdrawn_reason})
    return title


@transaction.atomic
def keep_title(*, scope: Scope, actor: Any, title: Title, reason: str) -> Title:
    """Keep a title the re-check flagged (the finding was checked and does not hold),
    with a reason kept in the audit log; the flag is cleared."""
    _deny_unless(scope.allows(title.organiser, Cap.NAME_AWARDS))
    title = Title.objects.select_for_update().get(pk=title.pk)
    if not title.awaiting_withdrawal:
        raise ValidationError({"reason": _("这项称号没有待确认的复查结果")})
    reason = _bounded(reason, "reason", _("保留称号的理由"), limit=300)
    found = {"year": title.recheck_year, "reasons": title.recheck_reasons, "reason": reason}
    title.recheck_year, title.recheck_reasons, title.recheck_at = None, [], None
    title.save(update_fields=["recheck_year", "recheck_reasons", "recheck_at"])
    log_action(action="awards.title.kept", actor=_user(actor), obj=title, unit=title.organiser,
               data=found)
    return title
