"""The plan reader page: paste or upload a plan, review its targets, get a draft standard."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from chuangjian.org.models import User
from chuangjian.org.scope import Cap
from chuangjian.standards import actions
from chuangjian.standards.plans import drafting
from chuangjian.standards.plans.documents import (
    MAX_BYTES,
    PlanFileError,
    check_text,
    read_plan_bytes,
)
from chuangjian.standards.plans.reader import Target, read_targets
from chuangjian.web.views.common import require_any

MAX_PASTE_CHARS = 200_000
MAX_YAML_CHARS = 400_000

OP_NAMES = {
    ">=": gettext_lazy("不低于"), "<=": gettext_lazy("不高于"), ">": gettext_lazy("高于"),
    "<": gettext_lazy("低于"), "==": gettext_lazy("等于"), "zero": gettext_lazy("为零（无）"),
    "decrease_by": gettext_lazy("比上期下降"), "increase_by": gettext_lazy("比上期提高"),
}
PERIOD_NAMES = {
    "day": gettext_lazy("每天"), "week": gettext_lazy("每周"), "month": gettext_lazy("每月"),
    "quarter": gettext_lazy("每季度"), "year": gettext_lazy("每年"),
}


def _plan_text(request: HttpRequest) -> tuple[str, str]:
    """The plan's text from the upload (through the files app) or the pasted box."""
    upload = request.FILES.get("file")
    if upload is not None:
        name = upload.name or "plan"
        if (upload.size or 0) > MAX_BYTES:
            raise PlanFileError(_("文件超过 %(mb)d MB，未读取。") % {"mb": MAX_BYTES // 1024 // 1024},
                                unreadable=True)
        if name.lower().endswith((".docx", ".pdf")):
            from chuangjian.files.models import FileKind
            from chuangjian.files.storing import store_file

            try:
                stored = store_file(upload, user=request.user, kinds=(FileKind.DOCUMENT,),
                                    max_bytes=MAX_BYTES, name=name)
            except ValidationError as error:
                raise PlanFileError("；".join(error.messages), unreadable=True) from None
            with stored.original.open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        else:
            data = upload.read(MAX_BYTES + 1)
        plan = read_plan_bytes(data, name)
        return plan.text, plan.warning or ""
    text = request.POST.get("text", "")
    if len(text) > MAX_PASTE_CHARS:
        raise PlanFileError(_("粘贴的文字超过 %(n)s 个字符，请分篇读取。") % {"n": f"{MAX_PASTE_CHARS:,}"},
                            unreadable=True)
    if not text.strip():
        raise PlanFileError(_("请粘贴计划正文，或选择一个文件。"), unreadable=True)
    plan = check_text(text.replace("\r\n", "\n"), _("粘贴的文字"))
    return plan.text, plan.warning or ""


def _highlighted(text: str, targets: list[Target]) -> SafeString:
    """The plan text, escaped, with each proposal's quote wrapped in a numbered mark."""
    parts: list[str] = []
    cursor = 0
    for index, target in enumerate(targets):
        if target.start < cursor:
            continue  # a class split shares the quote already marked
        parts.append(escape(text[cursor:target.start]))
        parts.append(f'<mark id="quote-{index}" data-row="{index}">'
                     f'{escape(text[target.start:target.end])}<sup>{index + 1}</sup></mark>')
        cursor = target.end
    parts.append(escape(text[cursor:]))
    return mark_safe("".join(parts))


def _rows(targets: list[Target]) -> list[dict[str, Any]]:
    library = drafting.library()
    rows = []
    for index, target in enumerate(targets):
        suggestions = drafting.suggest_elements(target.metric, library)
        rows.append({"index": index, "t": target.as_dict(), "suggestions": suggestions})
    return rows


def _context(**extra: Any) -> dict[str, Any]:
    return {"op_names": OP_NAMES, "period_names": PERIOD_NAMES, "max_mb": MAX_BYTES // 1024 // 1024,
            "this_year": dt.date.today().year, **extra}  # noqa: DTZ011 - a default year only


@login_required
@require_http_methods(["GET", "POST"])
def plan_reader(request: HttpRequest) -> HttpResponse:
    scope = require_any(request, Cap.AUTHOR_STANDARDS)
    step = request.POST.get("step", "") if request.method == "POST" else ""
    meta = {
        "name": request.POST.get("name", "").strip()[:80] or _("计划目标标准（草稿）"),
        "campaign": request.POST.get("campaign", "").strip()[:40] or _("社区创建"),
        "year": request.POST.get("year", "").strip()[:4],
    }
    if step == "read":
        try:
            text, warning = _plan_text(request)
        except PlanFileError as error:
            return render(request, "standards/plan_reader.html",
                          _context(error=error.message, meta=meta, pasted=request.POST.get("text", "")[:MAX_PASTE_CHARS]),
                          status=400)
        targets = [] if warning else read_targets(text)
        return render(request, "standards/plan_reader.html", _context(
            meta=meta, warning=warning, highlighted=_highlighted(text, targets), rows=_rows(targets),
            n_rows=len(targets)))
    if step == "draft":
        try:
            count = min(int(request.POST.get("count", "0")), drafting.MAX_ROWS)
        except ValueError:
            count = 0
        rows, errors = drafting.parse_rows(request.POST, count)
        year = int(meta["year"]) if meta["year"].isdigit() else dt.date.today().year  # noqa: DTZ011
        if not rows and not errors:
            errors = [_("没有接受任何目标：请至少接受一条。")]
        if errors:
            return render(request, "standards/plan_reader.html",
                          _context(meta=meta, error="；".join(errors)), status=400)
        user = request.user if isinstance(request.user, User) else None
        draft = actions.draft_standard_from_plan(scope=scope, actor=user, rows=rows,
                                                 name=meta["name"], campaign=meta["campaign"],
                                                 year=year)
        return render(request, "standards/plan_reader.html", _context(
            meta=meta, draft=draft, accepted=rows, filename=f"draft_{draft.plan}.yaml"))
    if step == "download":
        text = request.POST.get("yaml", "")[:MAX_YAML_CHARS]
        response = HttpResponse(text, content_type="application/x-yaml; charset=utf-8")
        name = request.POST.get("filename", "draft.yaml")[:60]
        safe = "".join(ch for ch in name if ch.isalnum() or ch in "._-") or "draft.yaml"
        response["Content-Disposition"] = content_disposition_header(True, safe) or "attachment"
        return response
    return render(request, "standards/plan_reader.html", _context(meta=meta))
