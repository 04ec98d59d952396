"""Pages for the org tree in and out of xlsx, and the division picker's options."""

from __future__ import annotations

import io

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from chuangjian.org import selectors
from chuangjian.org.divisions import DATA_YEAR, loaded_data_year, search_divisions
from chuangjian.org.io import MAX_FILE_SIZE, ImportResult, RowError, export_tree, import_tree
from chuangjian.org.scope import Cap, Scope

EXPORT_FILENAME = "组织架构.xlsx"
MAX_OPTIONS = 20


def _require_manage(request: HttpRequest) -> Scope:
    scope: Scope = request.scope  # type: ignore[attr-defined]
    if not scope.allows_any(Cap.MANAGE_UNITS):
        raise PermissionDenied
    return scope


class UnitsImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("组织架构文件（.xlsx）"),
                           help_text=gettext_lazy("不超过 10 MB；第1行为表头，格式与导出的文件相同"))


@login_required
@require_GET
def units_export(request: HttpRequest) -> FileResponse:
    """The units the user manages (or those under ``?under=CODE``) as 组织架构.xlsx."""
    scope = _require_manage(request)
    root = None
    if request.GET.get("under"):
        root = selectors.unit_for(scope=scope, code=request.GET["under"].strip(), cap=Cap.MANAGE_UNITS)
    data = export_tree(scope, root, cap=Cap.MANAGE_UNITS)
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=EXPORT_FILENAME,
                        content_type="application/vnd.openxmlformats-officedocument"
                                     ".spreadsheetml.sheet")


@login_required
@require_http_methods(["GET", "POST"])
def units_import(request: HttpRequest) -> HttpResponse:
    scope = _require_manage(request)
    result: ImportResult | None = None
    form = UnitsImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_FILE_SIZE:
            # Refused before reading: the size alone decides.
            result = ImportResult(errors=[RowError(None, None, _("文件超过 10 MB，请拆分后分批导入"))])
        else:
            result = import_tree(actor=request.user, scope=scope, data=upload.read(),  # type: ignore[arg-type]
                                 filename=upload.name or "")
        if not result.ok:
            status = 422
    elif request.method == "POST":
        status = 422
    return render(request, "web/io/units_import.html",
                  {"form": form, "result": result, "max_mb": MAX_FILE_SIZE // (1024 * 1024)},
                  status=status)


@login_required
@require_GET
def division_search(request: HttpRequest) -> HttpResponse:
    """``<option>`` lines for a datalist: code prefix or name match, at most 20."""
    # htmx sends the input's own value under its name; ``q`` serves other callers.
    text = (request.GET.get("q") or request.GET.get("division_code", "")).strip()[:50]
    year = loaded_data_year()
    divisions = list(search_divisions(text, limit=MAX_OPTIONS)) if text else []
    return render(request, "web/io/division_options.html", {
        "divisions": divisions, "year": year or DATA_YEAR, "loaded": year is not None,
        "query": text,
    })
