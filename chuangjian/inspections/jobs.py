"""Long jobs of the inspections app: the 通报 in Word or PDF."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chuangjian.inspections.models import Bulletin
from chuangjian.jobs.registry import JobError, JobOutput, Progress, job
from chuangjian.org.models import User
from chuangjian.org.scope import Cap, Scope

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@job("inspections.bulletin", title=gettext_lazy("督查通报"))
def build_bulletin(params: Mapping[str, Any], progress: Progress) -> JobOutput:
    from chuangjian.inspections import bulletin as document

    user = User.objects.filter(pk=int(params.get("user_id") or 0), is_active=True).first()
    if user is None:
        raise JobError(_("用户已停用，不能生成通报"))
    scope = Scope.for_user(user)
    item = Bulletin.objects.select_related("unit", "round").filter(
        pk=int(params.get("bulletin_id") or 0)).first()
    # Re-check the scope here: the job runs later, maybe after roles changed.
    if item is None or not scope.allows(item.unit, Cap.INSPECT):
        raise JobError(_("通报不存在，或不在您的督查范围内"))
    fmt = params.get("format", "pdf")
    if fmt not in ("pdf", "docx"):
        raise JobError(_("只能生成 PDF 或 Word 格式"))
    progress(10, _("正在汇总问题和整改情况"))
    data = document.collect(scope, item)
    progress(50, _("正在排版"))
    if fmt == "pdf":
        content, mime = document.render_pdf(data), "application/pdf"
    else:
        content, mime = document.render_docx(data), DOCX
    progress(95, _("即将完成"))
    return JobOutput(f"{item.number}{item.title}.{fmt}", content, mime)
