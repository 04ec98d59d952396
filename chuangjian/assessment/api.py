"""The assessment API (考核接口): a run's results, and units' classes (单位类别).

Everything is limited to the caller's scope: a run is found only when it covers a unit
the caller sees, and only those units' results come back.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from chuangjian.api.auth import scope_of
from chuangjian.assessment import selectors
from chuangjian.org.selectors import unit_for
from chuangjian.standards import actions as standards_actions
from chuangjian.standards.selectors import class_rows


class IndicatorOut(Schema):
    code: str
    name: str
    value: float | None = Field(description="指标值；无法计算时为 null")
    target: str | None = Field(description="适用的目标（文字）")
    met: bool | None = Field(description="是否达标；无法判断时为 null")
    score: float | None
    max_score: float
    status: str = Field(description="met 达标 / not_met 未达标 / unknown 无法计算")


class UnitResultOut(Schema):
    unit: str = Field(description="单位编码")
    name: str
    level: str
    parent: str | None = Field(description="考核时上级单位的编码")
    total: float | None
    pass_mark: float
    passed: bool
    tier: str | None
    veto: bool = Field(description="是否一票否决")
    veto_items: list[str]
    indicators: list[IndicatorOut]


class RunOut(Schema):
    id: int
    standard: str
    year: int
    kind: str
    root: str = Field(description="考核范围（单位编码）")
    status: str
    current: bool


class ClassOut(Schema):
    unit: str
    name: str
    unit_class: str | None = Field(description="该年度适用的类别；未设置为 null")
    since: str | None = Field(description="类别的起始期间")
    reason: str
    proposed: str | None = Field(description="动态升降对下一年度的建议（待确认）")


class ClassIn(Schema):
    standard: str = Field(description="标准编码，如 wudu_xian")
    period: str = Field(description="起始期间，如 2026 或 2026Q2")
    unit_class: str = Field(description="类别名称或编码，如 保无毒")
    reason: str = Field("", max_length=300)


def build_router() -> Router:
    router = Router(tags=["考核"])

    @router.get("/assessment/runs", response=list[RunOut], summary="考核批次",
                description="调用者可见的考核批次（最新在前，最多 200 个）。")
    def list_runs(request: HttpRequest, standard: str | None = None, year: int | None = None,
                  kind: str | None = None) -> list[dict[str, Any]]:
        qs = selectors.runs(scope=scope_of(request), standard_code=standard, year=year, kind=kind)
        return [{"id": r.pk, "standard": r.standard_code, "year": r.year, "kind": r.kind,
                 "root": r.root.code, "status": r.status, "current": r.current}
                for r in qs.order_by("-pk")[:200]]

    @router.get("/assessment/runs/{run_id}/results", response=list[UnitResultOut],
                summary="考核结果", description="每个单位一条：总分、合格线、是否合格、等次、"
                "一票否决和各指标的值、目标、得分（与 `chuangjian assess --json` 相同）。")
    def get_results(request: HttpRequest, run_id: int) -> list[dict[str, Any]]:
        scope = scope_of(request)
        return selectors.run_results(scope=scope, run=selectors.run_for(scope=scope, pk=run_id))

    @router.get("/units/{code}/classes", response=list[ClassOut], summary="单位类别",
                description="该单位及其下级在某年度适用的类别（标准的 classes），及待确认的建议。")
    def get_classes(request: HttpRequest, code: str, standard: str, year: int
                    ) -> list[dict[str, Any]]:
        scope = scope_of(request)
        rows = class_rows(scope=scope, standard_code=standard, year=year,
                          root=unit_for(scope=scope, code=code))
        return [{"unit": r.unit.code, "name": r.unit.name, "unit_class": r.unit_class,
                 "since": r.since, "reason": r.reason, "proposed": r.proposed} for r in rows]

    @router.put("/units/{code}/classes", response=ClassOut, summary="设置单位类别",
                description="把单位自某期间起设为某类别（需管理单位的权限）；以后的期间沿用，"
                            "以前的期间不变。")
    def put_class(request: HttpRequest, code: str, payload: ClassIn) -> dict[str, Any]:
        scope = scope_of(request)
        unit = unit_for(scope=scope, code=code)
        try:
            row = standards_actions.set_unit_class(
                actor=request.auth, scope=scope, unit=unit,  # type: ignore[attr-defined]
                standard_code=payload.standard, period=payload.period,
                unit_class=payload.unit_class, reason=payload.reason)
        except PermissionDenied:
            raise HttpError(403, "无权设置该单位的类别") from None
        except ValidationError as exc:
            raise HttpError(400, "；".join(exc.messages)) from None
        return {"unit": unit.code, "name": unit.name,
                "unit_class": row.unit_class.name if row.unit_class else None,
                "since": row.period, "reason": row.reason, "proposed": None}

    return router


router = build_router()
