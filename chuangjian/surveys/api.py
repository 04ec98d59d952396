"""The surveys API (问卷接口): surveys, results per group with intervals, and responses
sent by enumerators' devices. Everything is limited to the caller's scope."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from chuangjian.api.auth import scope_of
from chuangjian.org.scope import Cap
from chuangjian.org.selectors import unit_for
from chuangjian.surveys import actions, selectors
from chuangjian.surveys.models import Quota


class SurveyOut(Schema):
    code: str
    title: str
    questionnaire: str = Field(description="问卷编码")
    version: int | None = Field(description="当前发布的问卷版本")
    year: int
    units: int = Field(description="有抽样配额的地点数")
    responses: int = Field(description="答卷数（各审核状态合计）")


class GroupOut(Schema):
    group: str = Field(description="调查对象：urban 城镇居民 / rural 农村居民 / migrants 外来务工人员 / "
                                   "venue_staff 娱乐场所业主及从业人员 / students 中小学生 / residents 居民")
    n: int = Field(description="审核通过的答卷数（样本数）")
    aware: int = Field(description="其中知晓（或满意）的人数")
    rate: float | None = Field(description="比率（%）；无样本为 null")
    ci_low: float | None = Field(description="Wilson 95% 置信区间下限（%）")
    ci_high: float | None = Field(description="Wilson 95% 置信区间上限（%）")
    target: float | None = Field(description="目标（%）")
    status: str = Field(description="达标 / 未达标 / 未达标（差异不显著） / 无样本")


class ResponseIn(Schema):
    uuid: str = Field(description="答卷编号（UUID），重发时不变，同一编号只保存一次")
    unit: str = Field(description="调查地点（单位编码）")
    group: str
    answers: dict[str, Any]
    started_at: str | None = None
    ended_at: str | None = None
    page_seconds: list[float] = Field(default_factory=list, max_length=100)


class ResponseOut(Schema):
    uuid: str
    created: bool = Field(description="false 表示此前已收到同一编号的答卷")
    state: str
    flags: list[str]


def build_router() -> Router:
    router = Router(tags=["问卷调查"])

    @router.get("/surveys", response=list[SurveyOut], summary="调查",
                description="调用者可见的调查（与 `chuangjian surveys list` 相同）。")
    def list_surveys(request: HttpRequest) -> list[dict[str, Any]]:
        scope = scope_of(request)
        rows = selectors.visible_surveys(scope=scope).annotate(n=Count("responses", distinct=True))
        places = dict(Quota.objects.values("survey_id").annotate(p=Count("unit", distinct=True))
                      .values_list("survey_id", "p"))
        out = []
        for s in rows[:200]:
            version = s.questionnaire.published()
            out.append({"code": s.code, "title": s.title, "questionnaire": s.questionnaire.code,
                        "version": version.number if version else None, "year": s.year,
                        "units": places.get(s.pk, 0), "responses": s.n})
        return out

    @router.get("/surveys/{code}/results", response=list[GroupOut], summary="调查结果",
                description="某单位（含下级）各类人群的比率、Wilson 95% 置信区间、样本数、目标和结论"
                            "（与 `chuangjian surveys results --json` 相同）。只统计审核通过的答卷。")
    def get_survey_results(request: HttpRequest, code: str, unit: str) -> list[dict[str, Any]]:
        scope = scope_of(request)
        survey = selectors.survey_for(scope=scope, code=code)
        place = unit_for(scope=scope, code=unit)
        return [g.as_json() for g in
                selectors.results(scope=scope, survey=survey, unit=place).groups]

    @router.post("/surveys/{code}/responses", response={200: ResponseOut, 201: ResponseOut},
                 summary="提交答卷", description="调查员设备提交一份答卷（需在该地点录入数据的权限）。"
                 "服务器重新检查全部答案；同一 UUID 重发只保存一次。")
    def post_response(request: HttpRequest, code: str, payload: ResponseIn
                      ) -> Status[dict[str, Any]]:
        scope = scope_of(request)
        survey = selectors.survey_for(scope=scope, code=code)
        place = unit_for(scope=scope, code=payload.unit, cap=Cap.ENTER_DATA)
        try:
            row, created = actions.submit_response(
                scope=scope, survey=survey, unit=place, group=payload.group, uuid=payload.uuid,
                answers=payload.answers, started_at=payload.started_at,
                ended_at=payload.ended_at, page_seconds=payload.page_seconds,
                enumerator=request.auth)  # type: ignore[attr-defined]
        except PermissionDenied:
            raise HttpError(403, "无权在该地点录入答卷") from None
        except ValidationError as exc:
            raise HttpError(400, "；".join(exc.messages)) from None
        return Status(201 if created else 200, {"uuid": str(row.uuid), "created": created,
                                                "state": row.state, "flags": row.flags})

    return router


router = build_router()
