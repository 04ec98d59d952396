"""Build a ledger file for a unit, standard and year: the one entry point of the job and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from chuangjian.evidence import selectors
from chuangjian.evidence.ledger.collect import Progress, collect
from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap, Scope
from chuangjian.standards.models import StandardVersion
from chuangjian.standards.selectors import unit_matches

FORMATS = {"pdf": "application/pdf",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


class LedgerError(Exception):
    """A request for a ledger that cannot be built; the message is Chinese, for the user."""


@dataclass(frozen=True)
class LedgerFile:
    filename: str
    content: bytes
    content_type: str


def resolve(scope: Scope, *, unit_code: str, standard_code: str, year: int
            ) -> tuple[Unit, StandardVersion]:
    """The unit and standard version of a ledger request, or a LedgerError saying why not."""
    unit = Unit.objects.filter(code=unit_code).first()
    if unit is None or not scope.allows(unit, Cap.VIEW):
        raise LedgerError(_("单位编码「%(code)s」不存在或不在您的权限范围内") % {"code": unit_code})
    if not 2000 <= year <= 2100:
        raise LedgerError(_("年度「%(year)s」不正确") % {"year": year})
    if not StandardVersion.objects.filter(code=standard_code).exists():
        raise LedgerError(_("没有编码为「%(code)s」的创建标准") % {"code": standard_code})
    standard = selectors.standard_in_force(standard_code, year)
    if standard is None:
        raise LedgerError(_("创建标准「%(code)s」在 %(year)s 年不生效") % {
            "code": standard_code, "year": year})
    if not unit_matches(standard.levels, standard.categories, unit):
        raise LedgerError(_("「%(standard)s」不适用于「%(unit)s」（适用于：%(levels)s；%(cats)s）") % {
            "standard": standard.name, "unit": unit.name,
            "levels": "、".join(standard.level_names), "cats": "、".join(standard.categories)})
    return unit, standard


def build(scope: Scope, *, unit_code: str, standard_code: str, year: int, fmt: str,
          compiler: str = "", progress: Progress | None = None) -> LedgerFile:
    if fmt not in FORMATS:
        raise LedgerError(_("台账只能生成 PDF 或 Word（.pdf、.docx）"))
    unit, standard = resolve(scope, unit_code=unit_code, standard_code=standard_code, year=year)
    if progress:
        progress(5, _("正在读取测评体系"))
    ledger = collect(scope, unit=unit, standard=standard, year=year, compiler=compiler,
                     progress=progress)
    if fmt == "pdf":
        from chuangjian.evidence.ledger.pdf import render_pdf

        content = render_pdf(ledger, progress)
    else:
        from chuangjian.evidence.ledger.docx import render_docx

        content = render_docx(ledger, progress)
    return LedgerFile(f"{ledger.filename_stem}.{fmt}", content, FORMATS[fmt])
