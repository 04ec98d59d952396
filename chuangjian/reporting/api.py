"""The reporting API (数据上报接口): submit a report idempotently, read it back, the missing list.

Mount with ``api.add_router("/", reporting_router)``. ``build_router()`` makes a fresh
router for test APIs (a ninja Router can belong to one API only).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from chuangjian.api.auth import scope_of
from chuangjian.api.errors import ErrorOut
from chuangjian.engine.periods import SHANGHAI, Period, PeriodType
from chuangjian.org.scope import Cap
from chuangjian.reporting import actions, selectors
from chuangjian.reporting.models import Channel
from chuangjian.reporting.values import outlier_text


class ReportIn(Schema):
    values: dict[str, Any] = Field(description="数据元素编码 → 值。省略的元素保持已报的值；"
                                               "空字符串表示清空")
    version: int | None = Field(None, ge=0, le=1_000_000,
                                description="读取时的版本号（乐观锁）：若他人已在此后上报，返回 409，"
                                            "不覆盖对方的数据；省略则不检查")


class ReportOut(Schema):
    unit: str = Field(description="单位编码")
    dataset: str = Field(description="合并数据集编码，如 community-day")
    period: str
    status: str = Field(description="none 未填报 / draft / submitted / accepted / returned")
    version: int = Field(description="上报版本：每次有改动的重新上报加 1")
    late: bool
    due_at: dt.datetime = Field(description="截止时间（UTC；北京时间见 due_local）")
    due_local: str
    submitted_at: dt.datetime | None
    locked_reason: str = Field(description="不能填报的原因（已审核锁定、逾期锁定等），可填报时为空")
    comment: str = Field(description="上级审核意见")
    values: dict[str, str]
    warnings: dict[str, str] = Field(description="与本单位以往数据差异较大的提示（不拒收）")
    changed: list[str] = Field(default_factory=list, description="本次改动的数据元素")


class MissingUnit(Schema):
    code: str
    name: str
    dataset: str


class MissingGroup(Schema):
    street: str | None
    area: str | None
    expected: int
    submitted: int
    on_time: int
    late: int
    missing: list[MissingUnit]


class MissingOut(Schema):
    period: str
    expected: int
    submitted: int
    on_time: int
    late: int
    missing: int
    groups: list[MissingGroup]


def _out(request: HttpRequest, unit_code: str, dataset_code: str, period: str,
         changed: list[str] | None = None) -> dict[str, Any]:
    scope = scope_of(request)
    unit = selectors.unit_for(scope=scope, code=unit_code)
    state = selectors.form_state(scope=scope, unit=unit, dataset_code=dataset_code, period_text=period, now=timezone.now())
    sub = state.submission
    return {
        "unit": unit.code, "dataset": state.dataset.code, "period": str(state.period),
        "status": sub.status if sub else "none", "version": sub.version if sub else 0,
        "late": bool(sub and sub.late), "due_at": state.due,
        "due_local": f"{state.due.astimezone(SHANGHAI):%Y-%m-%d %H:%M}",
        "submitted_at": sub.submitted_at if sub else None, "locked_reason": state.lock_reason,
        "comment": sub.comment if sub else "",
        "values": {r.element.code: r.value for r in state.rows if r.value != ""},  # type: ignore[attr-defined]
        "warnings": {c: outlier_text(f) for c, f in sub.warnings.items()} if sub else {},
        "changed": changed or [],
    }


def build_router() -> Router:
    router = Router(tags=["数据上报"])

    @router.put("/reports/{unit_code}/{dataset_code}/{period}",
                response={200: ReportOut, 400: ErrorOut, 409: ErrorOut},
                summary="上报（幂等）",
                description="为一个单位、数据集和期间上报数据。相同的数据重复上报不产生任何变化；"
                            "数据有改动时生成新版本，同一报表永远只有一份。校验不通过返回 400 和逐项错误；"
                            "已锁定（已审核、逾期锁定）或版本已过时（他人已更新）返回 409。")
    def put_report(request: HttpRequest, unit_code: str, dataset_code: str, period: str,
                   payload: ReportIn) -> Status[dict[str, Any]]:
        scope = scope_of(request)
        unit = selectors.unit_for(scope=scope, code=unit_code, cap=Cap.ENTER_DATA)
        try:
            result = actions.submit_values(actor=request.auth, unit=unit,  # type: ignore[attr-defined]
                                           dataset_code=dataset_code, period=period,
                                           values=payload.values, channel=Channel.API, scope=scope,
                                           expected_version=payload.version)
        except actions.StaleReport as error:
            return Status(409, {"detail": _("；").join(error.messages), "errors": {}})
        except actions.ReportInvalid as error:
            return Status(400, {"detail": _("；").join(error.general) or _("数据未通过校验"),
                                "errors": error.fields})
        except PermissionDenied as error:
            raise HttpError(403, str(error) or _("无权填报该单位")) from None
        except actions.ReportLocked as error:
            return Status(409, {"detail": _("；").join(error.messages), "errors": {}})
        except ValidationError as error:
            return Status(400, {"detail": _("；").join(error.messages), "errors": {}})
        return Status(200, _out(request, unit.code, result.submission.dataset_code,
                                result.submission.period, changed=list(result.changed)))

    @router.get("/reports/missing", response=MissingOut, summary="未上报名单",
                description="某日（默认今天，北京时间）应报而未报的单位，按街道、管区分组；"
                            "period_type 可为 day/week/month/quarter/year。")
    def get_missing(request: HttpRequest, date: dt.date | None = None, unit: str | None = None,
                    period_type: str = "day") -> dict[str, Any]:
        scope = scope_of(request)
        try:
            ptype = PeriodType(period_type)
        except ValueError:
            raise HttpError(400, _("未知的期间类型「%(type)s」") % {"type": period_type}) from None
        day = date or timezone.localdate()
        root = selectors.unit_for(scope=scope, code=unit) if unit else None
        report = selectors.timeliness(scope=scope, period=Period.containing(ptype, day), root=root)
        return {"period": str(report.period), **report.totals, "groups": [
            {"street": g.street.name if g.street else None,
             "area": g.area.name if g.area else None, **g.counts,
             "missing": [{"code": r.unit.code, "name": r.unit.name, "dataset": r.dataset.code}
                         for r in g.missing]}
            for g in report.groups]}

    @router.get("/reports/{unit_code}/{dataset_code}/{period}", response=ReportOut,
                summary="读取报表", description="报表状态、截止时间、锁定原因和当前数值。")
    def get_report(request: HttpRequest, unit_code: str, dataset_code: str,
                   period: str) -> dict[str, Any]:
        return _out(request, unit_code, dataset_code, period)

    return router


router = build_router()
