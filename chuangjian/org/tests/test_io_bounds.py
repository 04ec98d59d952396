"""The units import is bounded (rows, cells, the declared dimension ignored) and checks
everything before it writes; the export never writes a live formula."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from benchmarks.bombs import units_xlsx_with_huge_dimension, xlsx_without_refs
from chuangjian.org import actions
from chuangjian.org.io import MAX_ROWS, export_tree, import_tree
from chuangjian.org.levels import Level
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.org.tests.test_io import xlsx

pytestmark = pytest.mark.django_db


def test_a_units_file_declaring_a_million_rows_is_read_by_what_it_holds(world) -> None:
    data = units_xlsx_with_huge_dimension(rows=3)
    result = import_tree(actor=None, scope=Scope.system(), data=data, filename="units.xlsx")
    assert result.ok, result.errors
    assert result.created == 3
    assert Unit.objects.filter(code__startswith="B-").count() == 3


def test_more_rows_than_the_cap_are_refused_and_nothing_is_written(world) -> None:
    before = Unit.objects.count()
    data = xlsx_without_refs(MAX_ROWS + 5, per_row=1)
    result = import_tree(actor=None, scope=Scope.system(), data=data, filename="units.xlsx")
    assert [str(e) for e in result.errors] == [f"工作表「sheet1」超过 {MAX_ROWS + 1} 行，请拆分后分批导入"]
    assert Unit.objects.count() == before


def test_a_ten_million_cell_units_file_is_refused(world) -> None:
    result = import_tree(actor=None, scope=Scope.system(), data=xlsx_without_refs(10_000_000),
                         filename="units.xlsx")
    assert "个单元格" in str(result.errors[0])


def test_a_unit_named_like_a_formula_is_exported_as_text(world) -> None:
    actions.update_unit(actor=None, unit=world.community, name='=HYPERLINK("http://x","点")', scope=Scope.system())
    sheet = load_workbook(io.BytesIO(export_tree(Scope.system()))).active
    names = [row for row in sheet.iter_rows(min_row=2) if row[0].value == world.community.code]
    assert names[0][1].data_type == "s"
    assert names[0][1].value == '=HYPERLINK("http://x","点")'


def test_a_formula_cell_in_the_upload_is_refused(world) -> None:
    data = xlsx([["N-1", "=1+1", Level.COMMUNITY, world.area.code]])
    result = import_tree(actor=None, scope=Scope.system(), data=data, filename="units.xlsx")
    assert any("公式" in str(e) for e in result.errors)


def test_a_large_import_is_written_in_batches_not_row_by_row(
        world, django_assert_max_num_queries) -> None:
    # 400 new communities, 100 renamed ones and a closed one: a row-by-row import ran
    # about seven statements a row (2,800+) inside its write transaction.
    from chuangjian.audit.models import AuditEntry
    from chuangjian.org.models import UnitVersion

    rows = [[f"T-01-A-N{i:03d}", f"新社区{i}", "社区", world.area.code, "块", "", "城镇",
             "2024-01-01", None, ""] for i in range(400)]
    for i in range(100):
        actions.create_unit(actor=None, scope=Scope.system(), code=f"T-02-A-O{i:03d}",
                            name=f"老社区{i}", level=Level.COMMUNITY, parent=world.other_street
                            .children.get(), opened_on=dt.date(2020, 1, 1))
        rows.append([f"T-02-A-O{i:03d}", f"改名社区{i}", "社区", "T-02-A", "块", "", "城镇",
                     "2020-01-01", "2025-06-30" if i == 0 else None, ""])
    data = xlsx(rows)
    with django_assert_max_num_queries(40):
        result = import_tree(actor=world.superuser, scope=Scope.system(), data=data,
                             filename="units.xlsx")
    assert result.ok, result.errors
    assert (result.created, result.updated, result.closed) == (400, 100, 1)
    new = Unit.objects.get(code="T-01-A-N007")
    assert new.path == world.area.path + f"{new.pk:07d}/" and new.depth == world.area.depth + 1
    assert new.sort_key.startswith("xin she qu")
    assert UnitVersion.objects.get(unit=new).valid_from == dt.date(2024, 1, 1)
    renamed = Unit.objects.get(code="T-02-A-O001")
    assert renamed.name == "改名社区1"
    assert [v.name for v in renamed.versions.order_by("valid_from", "id")] == ["老社区1", "改名社区1"]
    assert Unit.objects.get(code="T-02-A-O000").closed_on == dt.date(2025, 6, 30)
    assert AuditEntry.objects.filter(action="org.unit.created", actor=world.superuser).count() == 400
    assert AuditEntry.objects.filter(action="org.unit.updated").count() == 100
    assert AuditEntry.objects.filter(action="org.unit.closed").count() == 1
