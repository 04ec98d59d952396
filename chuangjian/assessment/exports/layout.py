"""The score sheet's row layout shared by the dashboard, the xlsx, the PDF and the Word report:
测评项目 and 测评内容 spanning their rows, as in the printed government forms."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from chuangjian.assessment.selectors import Scorecard, ScoreRow


@dataclass
class SheetRow:
    row: ScoreRow
    item_span: int      # rows the 项目 cell spans; 0 when this row is not the item's first
    content_span: int   # likewise for 内容
    item_max: float
    item_score: float

    @property
    def pending(self) -> bool:
        return pending(self.row)

    @property
    def light(self) -> str:
        return light(self.row)

    @property
    def shown(self) -> str:
        """完成值 as printed: the value, else the review state for a reviewer item."""
        return shown(self.row)


def pending(row: ScoreRow) -> bool:
    return row.pending


def light(row: ScoreRow) -> str:
    return row.light


def shown(row: ScoreRow) -> str:
    if row.display:
        return row.display
    if row.is_reviewer:
        return str(_("待评审")) if pending(row) else str(_("已评审"))
    return "—"


def sheet_rows(card: Scorecard) -> list[SheetRow]:
    out: list[SheetRow] = []
    for _name, item_max, rows in card.items:
        item_score = round(sum(r.score or 0 for r in rows if not r.bonus), 2)
        start = len(out)
        for i, row in enumerate(rows):
            out.append(SheetRow(row, len(rows) if i == 0 else 0, 0, item_max, item_score))
        # 内容 spans consecutive rows of the same content within the item.
        i = start
        while i < len(out):
            j = i
            while j + 1 < len(out) and out[j + 1].row.content_name == out[i].row.content_name:
                j += 1
            out[i].content_span = j - i + 1
            i = j + 1
    return out


def remark(row: ScoreRow) -> str:
    """备注: veto, bonus, early warning and missing data, in words."""
    parts: list[str] = []
    if row.veto:
        parts.append(_("一票否决项"))
    if row.bonus:
        parts.append(_("加分项"))
    if row.risk:
        proj = row.projected_display
        parts.append(_("预警：预计年底 %(v)s") % {"v": proj} if proj else _("预警：预计年底不达标"))
    if row.missing_reason and row.value is None and not row.is_reviewer and (
            row.missing_reason not in deduction(row)):
        parts.append(row.missing_reason)
    if pending(row):
        parts.append(_("待评审"))
    return _("；").join(parts)


def deduction(row: ScoreRow) -> str:
    """扣分说明: the reviewer's comment, else the scoring line when points were lost."""
    if row.review_comment:
        return row.review_comment
    if pending(row):
        return ""  # 备注 says 待评审
    if row.score is not None and row.score < row.max_score and not row.bonus:
        return row.note
    if row.bonus and row.score:
        return row.note
    return ""
