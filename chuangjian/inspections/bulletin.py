"""The 通报 document: figures of a round or a month, laid out as a 创城办 bulletin
(红头 title block, 文号, sections 一、二、三…) in Word (python-docx) and PDF (WeasyPrint).

Both formats are drawn from one ``BulletinData`` so they always say the same thing.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangjian.engine.periods import SHANGHAI, Period
from chuangjian.inspections.models import (
    RUNNING_STATES,
    Accountability,
    Bulletin,
    Finding,
    RectificationOrder,
    State,
)
from chuangjian.lib.pages import css_page_counter
from chuangjian.org.scope import Scope

CN_NUMBERS = "一二三四五六七八九十"


@dataclass
class UnitRow:
    rank: int
    unit: str
    found: int
    closed: int
    open: int
    overdue: int
    deduction: Decimal
    serious: int

    @property
    def closed_rate(self) -> str:
        return f"{self.closed * 100 / self.found:.0f}%" if self.found else "—"


@dataclass
class OverdueRow:
    number: str
    unit: str
    problem: str
    deadline: dt.datetime
    days: int
    level: int


@dataclass
class BulletinData:
    bulletin: Bulletin
    period_label: str
    summary: str
    n_found: int
    n_closed: int
    n_open: int
    n_overdue: int
    on_time_rate: str
    n_points: int
    units: list[UnitRow] = field(default_factory=list)
    categories: list[tuple[str, int, int]] = field(default_factory=list)  # name, n, share %
    severities: list[tuple[str, int]] = field(default_factory=list)
    states: list[tuple[str, int]] = field(default_factory=list)
    overdue: list[OverdueRow] = field(default_factory=list)
    accountability: list[Accountability] = field(default_factory=list)
    good: list[str] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)

    @property
    def head_size(self) -> int:
        """红头 point size: the issuing office's name fits on one line of an A4 page."""
        n = len(self.bulletin.issuer)
        return 30 if n <= 12 else 26 if n <= 15 else 22 if n <= 18 else 20 if n <= 20 else 17

    @property
    def date_cn(self) -> str:
        d = self.bulletin.issued_on
        return f"{d.year}年{d.month}月{d.day}日"


def heading(index: int, text: str) -> str:
    return f"{CN_NUMBERS[index]}、{text}"


def _findings(scope: Scope, bulletin: Bulletin) -> tuple[QuerySet[Finding], str, int]:
    from chuangjian.inspections import selectors

    qs = selectors.findings(scope=scope).filter(hidden=False).exclude(order__state=State.CANCELLED)
    if bulletin.kind == Bulletin.Kind.ROUND and bulletin.round is not None:
        r = bulletin.round
        label = _("%(t)s（%(a)s至%(b)s）") % {"t": r.title, "a": f"{r.starts_on:%Y年%-m月%-d日}",
                                            "b": f"{r.ends_on:%-m月%-d日}"}
        return qs.filter(round=r), label, r.points.count()
    period = Period.parse(bulletin.month)
    qs = qs.filter(unit__path__startswith=bulletin.unit.path,
                   found_at__gte=period.start_instant(), found_at__lt=period.end_instant())
    from chuangjian.inspections.models import RoundPoint

    visits = RoundPoint.objects.filter(round__unit__path__startswith=bulletin.unit.path,
                                       visited_at__gte=period.start_instant(),
                                       visited_at__lt=period.end_instant()).count()
    return qs, period.label_zh, visits


def collect(scope: Scope, bulletin: Bulletin, now: dt.datetime | None = None) -> BulletinData:
    now = now or timezone.now()
    qs, label, n_points = _findings(scope, bulletin)
    rows = list(qs.select_related("unit", "category", "checklist_item", "order",
                                  "order__assignee_unit").order_by("unit__path", "found_at"))
    by_unit: dict[str, list[Finding]] = defaultdict(list)
    for f in rows:
        by_unit[f.unit.name].append(f)

    def overdue(o: RectificationOrder) -> bool:
        return o.state in RUNNING_STATES and o.deadline is not None and o.deadline <= now

    unit_rows = []
    for name, items in by_unit.items():
        orders = [f.order for f in items]
        unit_rows.append(UnitRow(
            rank=0, unit=name, found=len(items),
            closed=sum(o.state == State.CLOSED for o in orders),
            open=sum(o.state != State.CLOSED for o in orders),
            overdue=sum(overdue(o) for o in orders),
            deduction=sum((f.deduction for f in items), Decimal("0")),
            serious=sum(f.severity in ("突出", "重大") for f in items)))
    # Fewer deductions rank higher; ties go to the unit that closed more.
    unit_rows.sort(key=lambda r: (r.deduction, -r.closed, r.unit))
    for i, row in enumerate(unit_rows, 1):
        row.rank = i
    cat = Counter(f.category_label for f in rows)
    total = len(rows) or 1
    categories = [(name, n, round(n * 100 / total)) for name, n in cat.most_common()]
    severities = [(s, sum(f.severity == s for f in rows)) for s in ("简易", "一般", "突出", "重大")]
    state_counts = Counter(f.order.get_state_display() for f in rows)
    closed = [f.order for f in rows if f.order.state == State.CLOSED]
    due = [f.order for f in rows if f.order.deadline and (
        f.order.deadline <= now or f.order.state == State.CLOSED)]
    on_time = sum(1 for o in due if o.state == State.CLOSED and o.on_time)
    rate = f"{on_time * 100 / len(due):.1f}%" if due else "—"
    # The overdue list covers every open order of the issuer's area, not only this period's.
    from chuangjian.inspections import selectors

    overdue_qs = (selectors.orders(scope=scope).filter(
        state__in=RUNNING_STATES, deadline__lte=now,
        finding__unit__path__startswith=bulletin.unit.path, finding__hidden=False)
        .order_by("deadline"))
    overdue_rows = [OverdueRow(o.number, o.assignee_unit.name if o.assignee_unit else "",
                               f"{o.finding.category_label}：{o.finding.description[:40]}",
                               o.deadline, (timezone.localdate(now) - timezone.localdate(
                                   o.deadline)).days + 1, o.escalation_level)
                    for o in overdue_qs if o.deadline is not None]
    acc = list(Accountability.objects.filter(findings__in=[f.pk for f in rows]).distinct()
               .select_related("unit").prefetch_related("findings"))
    n_found, n_closed = len(rows), len(closed)
    summary = _(
        "%(label)s，共检查点位 %(points)d 个，发现问题 %(found)d 个，其中突出、重大问题 %(serious)d 个；"
        "已整改销号 %(closed)d 个，正在整改 %(open)d 个，逾期未整改 %(overdue)d 个，"
        "按期整改率 %(rate)s。") % {
        "label": label, "points": n_points, "found": n_found,
        "serious": sum(f.severity in ("突出", "重大") for f in rows), "closed": n_closed,
        "open": n_found - n_closed, "overdue": sum(overdue(f.order) for f in rows),
        "rate": rate}
    good = [r.unit for r in unit_rows if r.found and r.closed == r.found][:5]
    requirements = [
        _("各责任单位要对照问题清单，逐条建立整改台账，明确整改责任人和完成时限，"
          "整改完成后及时上传整改前后对比照片，提请复核销号。"),
        _("对逾期未整改的问题，各单位第一责任人要亲自督办，三日内整改到位；"
          "确有困难需要延期的，须在期限届满前提出申请并说明理由。"),
        _("各管区、各部门要举一反三，深入开展自查自纠，坚决防止问题反弹；"
          "对销号后复发的问题，将加倍扣分并予以通报。"),
        _("创城办将持续开展日常巡查和明察暗访，督查结果纳入年终考核；"
          "对工作不得力、完不成时限目标的单位，严格按规定追究主要领导责任。"),
    ]
    return BulletinData(
        bulletin=bulletin, period_label=label, summary=summary, n_found=n_found,
        n_closed=n_closed, n_open=n_found - n_closed,
        n_overdue=sum(overdue(f.order) for f in rows),
        on_time_rate=rate, n_points=n_points, units=unit_rows, categories=categories,
        severities=severities, states=sorted(state_counts.items(), key=lambda kv: -kv[1]),
        overdue=overdue_rows, accountability=acc, good=good, requirements=requirements)


# -- PDF ----------------------------------------------------------------------------------

def render_pdf(data: BulletinData) -> bytes:
    from weasyprint import HTML

    html = render_to_string("inspections/bulletin_pdf.html", {"d": data, "heading": heading,
                                                                "css_pages": css_page_counter()})
    out = io.BytesIO()
    HTML(string=html).write_pdf(out)
    return out.getvalue()


# -- Word ---------------------------------------------------------------------------------

def render_docx(data: BulletinData) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    from chuangjian.lib.word import add_page_numbers, set_font

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4, not Letter
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    red = RGBColor(0xC0, 0x00, 0x00)

    def font(run, size: float, *, bold: bool = False, family: str = "Noto Serif CJK SC",
             color: RGBColor | None = None) -> None:
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.name = family
        set_font(run._element, family)
        if color is not None:
            run.font.color.rgb = color

    normal = doc.styles["Normal"]
    normal.font.name = "Noto Serif CJK SC"
    set_font(normal.element, "Noto Serif CJK SC")
    normal.font.size = Pt(15)

    def para(text: str = "", *, size: float = 15, bold: bool = False, align=None,
             indent: bool = True, color: RGBColor | None = None, family: str = "Noto Serif CJK SC",
             space_after: float = 0):
        p = doc.add_paragraph()
        p.paragraph_format.line_spacing = Pt(28)
        p.paragraph_format.space_after = Pt(space_after)
        if indent:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        if align is not None:
            p.alignment = align
        if text:
            font(p.add_run(text), size, bold=bold, color=color, family=family)
        return p

    # 红头: the issuing office in red, the number, a red rule.
    head = para(data.bulletin.issuer, size=26, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
                indent=False, color=red)
    head.paragraph_format.line_spacing = Pt(40)
    para("", indent=False)
    number = para(data.bulletin.number, size=15, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    rule = number._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "8"),
                       ("w:color", "C00000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    rule.append(border)
    para("", indent=False)
    para(data.bulletin.title, size=20, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
         space_after=12)
    para(_("各管区、各社区，街道各部门："), indent=False)
    para(_("现将%(p)s督查整改情况通报如下：") % {"p": data.period_label})

    def section_title(index: int, text: str) -> None:
        para(heading(index, text), family="Noto Sans CJK SC", bold=True)

    def table(headers: list[str], rows: list[list[str]], widths: list[float]) -> None:
        t = doc.add_table(rows=1, cols=len(headers))
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for i, h in enumerate(headers):
            cell = t.rows[0].cells[i]
            cell.text = ""
            font(cell.paragraphs[0].add_run(h), 10.5, bold=True, family="Noto Sans CJK SC")
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        for row in rows:
            cells = t.add_row().cells
            for i, value in enumerate(row):
                cells[i].text = ""
                font(cells[i].paragraphs[0].add_run(value), 10.5, family="Noto Sans CJK SC")
        for row in t.rows:
            for i, width in enumerate(widths):
                row.cells[i].width = Cm(width)
        para("", indent=False)

    n = 0
    section_title(n, _("基本情况"))
    para(data.summary)
    if data.good:
        para(_("%(u)s等单位发现的问题已全部整改销号，予以表扬。") % {"u": "、".join(data.good)})
    n += 1
    section_title(n, _("问题分布及排名"))
    para(_("（一）各单位问题及扣分情况（按扣分由少到多排名）"), indent=True)
    table([_("排名"), _("单位"), _("问题数"), _("突出/重大"), _("已销号"), _("逾期"), _("扣分")],
          [[str(r.rank), r.unit, str(r.found), str(r.serious), str(r.closed), str(r.overdue),
            f"{r.deduction}"] for r in data.units] or [["—", _("本期未发现问题"), "", "", "", "", ""]],
          [1.2, 4.6, 1.6, 1.9, 1.6, 1.4, 1.4])
    para(_("（二）问题类别分布"), indent=True)
    table([_("问题类别"), _("问题数"), _("占比")],
          [[c, str(k), f"{s}%"] for c, k, s in data.categories] or [["—", "0", "—"]],
          [8.5, 2.5, 2.5])
    n += 1
    section_title(n, _("整改落实情况"))
    para(_("截至发文时，%(s)s。") % {"s": "，".join(f"{name} {k} 个" for name, k in data.states)
                                  or _("本期无整改任务")})
    n += 1
    section_title(n, _("逾期未整改问题清单"))
    if data.overdue:
        table([_("整改单号"), _("责任单位"), _("问题"), _("整改期限"), _("逾期天数")],
              [[o.number, o.unit, o.problem, timezone.localtime(o.deadline, SHANGHAI)
                .strftime("%m-%d %H:%M"), str(o.days)] for o in data.overdue],
              [2.6, 3.2, 5.6, 2.2, 1.6])
    else:
        para(_("无。"))
    if data.accountability:
        n += 1
        section_title(n, _("问责情况"))
        for a in data.accountability:
            para(_("%(u)s %(p)s：%(m)s。事由：%(r)s（涉及问题 %(f)s）") % {
                "u": a.unit.name, "p": a.person, "m": a.get_measure_display(), "r": a.reason,
                "f": "、".join(f.number for f in a.findings.all())})
    n += 1
    section_title(n, _("工作要求"))
    for i, text in enumerate(data.requirements, 1):
        para(f"（{CN_NUMBERS[i - 1]}）{text}")
    para("", indent=False)
    para(data.bulletin.issuer, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    para(data.date_cn, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_page_numbers(footer, lambda run: font(run, 10.5))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
