"""The registers' API (登记表接口): the kinds, the counts every reader of a unit may see,
the masked list of residents for who keeps them, and the same spreadsheet import and
export as the pages and ``chuangjian registers``. A search by name or number is a POST
body, never a query string (decision 0020)."""

from __future__ import annotations

import io
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest
from ninja import Field, File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from chuangjian.api.auth import scope_of
from chuangjian.files.storing import XLSX_MIME, read_checked
from chuangjian.lib import personal
from chuangjian.org.selectors import unit_for
from chuangjian.registers import io as rio
from chuangjian.registers import selectors

MAX_RESULTS = 200


class KindOut(Schema):
    code: str = Field(description="KIND：residents、households、volunteers、service、families、"
                                  "bp、mediation、placements、facilities")
    label: str
    headers: list[str] = Field(description="导入文件的中文表头，顺序即模板的列序")


class CountsOut(Schema):
    unit: str = Field(description="单位编码")
    present: int = Field(description="在册居民（含下级）")
    households: int
    aged_35_plus: int
    aged_60_plus: int
    moved_out_this_year: int
    by_residence: dict[str, int] = Field(description="户籍人口 / 流动人口 / 境外人员")


class ResidentOut(Schema):
    id: int
    name: str
    sex: str
    birth_date: str | None
    residence: str
    id_number: str = Field(description="脱敏的公民身份号码（如 110***********1234）")
    phone: str = Field(description="脱敏的联系电话（如 138****5678）")
    unit: str = Field(description="单位编码")
    moved_out_on: str | None


class SearchIn(Schema):
    q: str = Field("", max_length=30, description="姓名的一部分，或完整的公民身份号码（精确查找）")
    present: bool = Field(True, description="只列在册（未迁出）的居民")


class RowErrorOut(Schema):
    row: int | None = Field(description="行号（表格中的行，含表头）")
    column: str | None = Field(description="列（中文表头）")
    message: str


class ImportOut(Schema):
    created: int
    skipped: int
    errors: list[RowErrorOut]


def build_router() -> Router:
    router = Router(tags=["登记表"])

    @router.get("/registers/kinds", response=list[KindOut], summary="登记表的种类")
    def list_kinds(request: HttpRequest) -> list[dict[str, Any]]:
        return [{"code": k.code, "label": k.label, "headers": k.headers} for k in rio.kinds()]

    @router.get("/registers/{code}/counts", response=CountsOut, summary="实有人口统计",
                description="单位（含下级）的人数和户数：能看到该单位的人都能看，不含姓名。")
    def get_counts(request: HttpRequest, code: str) -> dict[str, Any]:
        scope = scope_of(request)
        counts = selectors.resident_counts(scope=scope, unit=unit_for(scope=scope, code=code))
        return {"unit": code, "present": counts.present, "households": counts.households,
                "aged_35_plus": counts.aged_35_plus, "aged_60_plus": counts.aged_60_plus,
                "moved_out_this_year": counts.moved_out_this_year,
                "by_residence": counts.by_residence}

    @router.post("/registers/{code}/residents/search", response=list[ResidentOut],
                 summary="查找居民",
                 description=f"管理该社区居民的人可用：号码脱敏，最多 {MAX_RESULTS} 条。")
    def search_residents(request: HttpRequest, code: str, payload: SearchIn
                         ) -> list[dict[str, Any]]:
        scope = scope_of(request)
        unit = unit_for(scope=scope, code=code)
        q = payload.q.strip()
        by_number = len(q) >= 15 and q.replace(" ", "")[:-1].isdigit()
        rows = selectors.residents(scope=scope, unit=unit, present=True if payload.present
                                   else None, id_number=q if by_number else "",
                                   name="" if by_number else q)
        return [{"id": p.pk, "name": p.name, "sex": p.sex,
                 "birth_date": p.birth_date.isoformat() if p.birth_date else None,
                 "residence": p.residence, "id_number": personal.mask_id_number(p.id_number),
                 "phone": personal.mask_phone(p.phone), "unit": p.unit.code,
                 "moved_out_on": p.moved_out_on.isoformat() if p.moved_out_on else None}
                for p in rows[:MAX_RESULTS]]

    @router.post("/registers/{code}/import/{kind}", response={200: ImportOut, 422: ImportOut},
                 summary="导入登记表",
                 description="与 `chuangjian registers import` 相同：有任何一行错误时不保存（422），"
                             "`skip_bad=true` 时保存正确的行并列出错误的行。")
    def import_kind(request: HttpRequest, code: str, kind: str, file: File[UploadedFile],
                    skip_bad: Form[bool] = False) -> Status[dict[str, Any]]:
        scope = scope_of(request)
        unit = unit_for(scope=scope, code=code)
        chosen = _kind(kind)
        try:
            data = read_checked(file, mimes={XLSX_MIME}, max_bytes=rio.MAX_FILE_SIZE)
            result = rio.import_rows(chosen, data, scope=scope, actor=request.auth,  # type: ignore[attr-defined]
                                     unit=unit, skip_bad=skip_bad)
        except PermissionDenied:
            raise HttpError(403, "无权在该单位登记") from None
        except ValidationError as exc:
            raise HttpError(400, "；".join(exc.messages)) from None
        body = {"created": result.created, "skipped": result.skipped,
                "errors": [{"row": e.row, "column": e.column, "message": e.message}
                           for e in result.errors]}
        return Status(422 if result.errors and not result.created else 200, body)

    @router.post("/registers/{code}/export/{kind}", summary="导出登记表",
                 response={200: None},
                 description="单位（含下级）的登记表（xlsx）。号码脱敏，`full=true` 导出完整号码"
                             "（需查看完整号码的权限）；文件写明导出人和时间，导出记入操作日志。")
    def export_kind(request: HttpRequest, code: str, kind: str, full: Form[bool] = False
                    ) -> FileResponse:
        scope = scope_of(request)
        unit = unit_for(scope=scope, code=code)
        try:
            data = rio.export_rows(_kind(kind), scope=scope, actor=request.auth,  # type: ignore[attr-defined]
                                   unit=unit, reveal=full)
        except PermissionDenied:
            raise HttpError(403, "无权导出该单位的登记表") from None
        response = FileResponse(io.BytesIO(data), as_attachment=True, filename=f"{kind}.xlsx",
                                content_type=XLSX_MIME)
        response["Cache-Control"] = "no-store"
        return response

    return router


def _kind(code: str) -> rio.Kind:
    try:
        return rio.kind_for(code)
    except ValidationError:
        raise HttpError(404, "没有这种登记表") from None


router = build_router()
