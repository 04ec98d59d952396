"""The awards API (评选与称号接口): rounds with their nominations, nominating, and titles.

Everything is limited to the caller's scope, and goes through the same actions as the
pages: a nomination past its window, over the unit's quota or not eligible is refused
with the same Chinese sentence. Vote tallies are given only after the vote has closed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from chuangjian.api.auth import scope_of
from chuangjian.awards import actions, selectors
from chuangjian.awards.models import Nomination, Round, Stage, Title
from chuangjian.awards.schemes import scheme_for
from chuangjian.org.selectors import unit_for
from chuangjian.registers.models import Household, Person, Volunteer


class NominationOut(Schema):
    id: int
    name: str = Field(description="公示名称")
    unit: str = Field(description="推荐单位编码")
    way: str = Field(description="推荐方式：units 单位推荐 / people 群众推荐 / self 自荐（申报）")
    state: str = Field(description="submitted 待初审 / refused 初审未通过 / accepted 初审通过 / "
                                   "shortlisted 公示中 / not_selected 未入选 / withdrawn 公示后撤销 / named 已命名")
    refusal_reason: str
    eligibility: list[str] = Field(description="资格核验的每一条（符合或不符合的原因）")
    score: float | None = Field(description="组织单位评分（投票截止后才给出）")
    vote_share: float | None = Field(description="加权得票率 0–1（投票截止后才给出）")
    combined: float | None = Field(description="综合得分（投票截止后才给出）")
    rank: int | None


class RoundOut(Schema):
    id: int
    title: str
    scheme: str = Field(description="评选方案编码")
    year: int
    level: str = Field(description="street 街道级 / county 区级")
    organiser: str = Field(description="组织单位编码")
    quota: int
    per_unit: int | None
    stage: str = Field(description="nominating 推荐中 / reviewing 初审中 / voting 投票中 / "
                                   "evaluating 综合评定 / publicising 公示中 / named 已命名")
    nominate_until: dt.datetime
    vote_until: dt.datetime | None
    publicity_until: dt.datetime | None
    nominations: list[NominationOut] = Field(description="组织单位看到全部，推荐单位只看到自己的")


class NominationIn(Schema):
    unit: str = Field(max_length=32, description="推荐单位编码")
    nominee: int = Field(description="推荐对象的编号：按方案为单位、户、志愿者或居民的编号")
    name: str = Field(max_length=100, description="公示名称")
    reasons: str = Field(max_length=2000, description="推荐理由")
    by: Literal["units", "people", "self"] = Field(
        "units", description="推荐方式：units 单位推荐 / people 群众推荐（由推荐单位登记） / "
                             "self 自荐（申报）；须是评选方案允许的方式")
    recommender_name: str = Field("", max_length=50, description="群众推荐时：推荐人姓名（不公开）")
    recommender_phone: str = Field("", max_length=20, description="群众推荐时：推荐人联系电话（不公开）")


class TitleOut(Schema):
    id: int
    title: str
    name: str
    year: int
    level: str
    unit: str = Field(description="所属单位编码")
    organiser: str = Field(description="命名单位")
    named_on: dt.date
    state: str = Field(description="active 有效 / withdrawn 已摘牌")
    withdrawn_on: dt.date | None
    withdrawn_reason: str
    code: str = Field(description="证书编号（查验用）")


def _nomination_out(n: Nomination, shown: bool) -> dict[str, Any]:
    return {"id": n.pk, "name": n.name, "unit": n.unit.code, "way": n.way, "state": n.state,
            "refusal_reason": n.refusal_reason,
            "eligibility": [c.get("reason", "") for c in n.eligibility],
            "score": float(n.score) if shown and n.score is not None else None,
            "vote_share": n.vote_share if shown else None,
            "combined": n.combined if shown else None, "rank": n.rank if shown else None}


def _round_out(r: Round, nominations: list[Nomination]) -> dict[str, Any]:
    shown = r.stage in (Stage.EVALUATING, Stage.PUBLICISING, Stage.NAMED)
    return {"id": r.pk, "title": r.title, "scheme": r.scheme_code, "year": r.year,
            "level": r.level, "organiser": r.organiser.code, "quota": r.quota,
            "per_unit": r.per_unit, "stage": r.stage,
            "nominate_until": timezone.localtime(r.nominate_until),
            "vote_until": timezone.localtime(r.vote_until) if r.vote_until else None,
            "publicity_until": timezone.localtime(r.publicity_until) if r.publicity_until else None,
            "nominations": [_nomination_out(n, shown) for n in nominations]}


def _title_out(t: Title) -> dict[str, Any]:
    return {"id": t.pk, "title": t.title, "name": t.name, "year": t.year, "level": t.level,
            "unit": t.unit.code, "organiser": t.organiser_name, "named_on": t.named_on,
            "state": t.state, "withdrawn_on": t.withdrawn_on,
            "withdrawn_reason": t.withdrawn_reason, "code": t.code}


NOMINEE_MODELS: dict[str, Any] = {"household": Household, "volunteer": Volunteer,
                                  "person": Person}


def build_router() -> Router:
    router = Router(tags=["评选与称号"])

    @router.get("/awards/rounds", response=list[RoundOut], summary="评选列表",
                description="调用者组织的评选，和调用者所在单位可以推荐的评选，最多 200 项。")
    def list_rounds(request: HttpRequest, year: int | None = None) -> list[dict[str, Any]]:
        scope = scope_of(request)
        year = year if year and 2000 <= year <= 2100 else None
        rows = list(selectors.rounds(scope=scope, year=year).order_by("-created_at")[:200])
        return [_round_out(r, list(selectors.nominations(scope=scope, round=r))) for r in rows]

    @router.get("/awards/rounds/{round_id}", response=RoundOut, summary="评选")
    def get_round(request: HttpRequest, round_id: int) -> dict[str, Any]:
        scope = scope_of(request)
        r = selectors.round_for(scope=scope, pk=round_id)
        return _round_out(r, list(selectors.nominations(scope=scope, round=r)))

    @router.post("/awards/rounds/{round_id}/nominations", response=RoundOut, summary="推荐",
                 description="推荐一个对象（与页面上的「推荐」相同的规则：推荐期内、名额之内、符合资格）。")
    def post_nomination(request: HttpRequest, round_id: int, payload: NominationIn) -> dict[str, Any]:
        scope = scope_of(request)
        r = selectors.round_for(scope=scope, pk=round_id)
        unit = unit_for(scope=scope, code=payload.unit)
        scheme = scheme_for(r.scheme_code)
        kind = scheme.nominee if scheme else "unit"
        if kind == "unit":
            from chuangjian.org.models import Unit

            nominee = Unit.objects.filter(pk=payload.nominee).first()
        else:
            nominee = NOMINEE_MODELS[kind].objects.filter(pk=payload.nominee).first()
        actions.nominate(scope=scope, actor=request.auth, round=r, unit=unit,  # type: ignore[attr-defined]
                         nominee=nominee, name=payload.name, reasons=payload.reasons,
                         by=payload.by, recommender_name=payload.recommender_name,
                         recommender_phone=payload.recommender_phone)
        return _round_out(r, list(selectors.nominations(scope=scope, round=r)))

    @router.get("/awards/titles", response=list[TitleOut], summary="称号列表",
                description="调用者范围内某年有效的称号（未给年度则为全部），最多 1000 项。")
    def list_titles(request: HttpRequest, year: int | None = None) -> list[dict[str, Any]]:
        year = year if year and 2000 <= year <= 2100 else None
        rows = selectors.titles(scope=scope_of(request), year=year).order_by("-year", "id")[:1000]
        return [_title_out(t) for t in rows]

    @router.get("/awards/titles/{title_id}", response=TitleOut, summary="称号")
    def get_title(request: HttpRequest, title_id: int) -> dict[str, Any]:
        return _title_out(selectors.title_for(scope=scope_of(request), pk=title_id))

    return router


router = build_router()
