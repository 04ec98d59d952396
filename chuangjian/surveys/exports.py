"""Responses as a spreadsheet: one row per response, one column per question, Chinese
labels; every text cell passes through ``safe_cell`` so nothing typed can run."""

from __future__ import annotations

import io

from django.utils import timezone
from openpyxl import Workbook

from chuangjian.lib.xlsx import safe_row
from chuangjian.org.scope import Scope
from chuangjian.surveys import selectors
from chuangjian.surveys.models import Survey

MAX_ROWS = 100_000


def responses_xlsx(*, scope: Scope, survey: Survey) -> bytes:
    version = survey.questionnaire.published() or survey.questionnaire.versions.first()
    questions = [q for q in (version.definition["questions"] if version else [])
                 if q["type"] != "note" and not q.get("repeat")]
    choices = version.definition.get("choices", {}) if version else {}
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("答卷")
    ws.append(["答卷编号", "地点", "调查对象", "审核状态", "标记", "审核意见", "答对题数",
               "知晓或满意", "开始时间", "结束时间", "用时（秒）", "调查员", "问卷版本",
               *[q["label"] or q["name"] for q in questions]])
    rows = selectors.responses(scope=scope, survey=survey).select_related("version")
    for r in rows.iterator(chunk_size=2000):
        answers = []
        for q in questions:
            value = r.answers.get(q["name"], "")
            options = {c["name"]: c["label"] for c in choices.get(q.get("list", ""), [])}
            answers.append("、".join(options.get(v, v) for v in str(value).split())
                           if options and value != "" else value)
        ws.append(safe_row([str(r.uuid), r.unit.name, r.get_group_display(),
                            r.get_state_display(), "、".join(map(str, r.flag_labels())),
                            r.reason, r.correct, "是" if r.positive else "否",
                            timezone.localtime(r.started_at).replace(tzinfo=None) if r.started_at else "",
                            timezone.localtime(r.ended_at).replace(tzinfo=None) if r.ended_at else "",
                            r.seconds if r.seconds is not None else "",
                            r.enumerator.display_name if r.enumerator else "",
                            r.version.number, *answers]))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
