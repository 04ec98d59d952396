"""The registers' API: counts for every reader of a unit, masked residents for who keeps
them, import and export like the pages."""

import datetime as dt
import io

from openpyxl import load_workbook

from chuangjian.lib import personal
from chuangjian.org.scope import Scope
from chuangjian.registers import io as rio
from chuangjian.registers.actions import people
from chuangjian.registers.models import Person

ID_A = personal.compose_id_number("310101", dt.date(1960, 3, 4), 123)


def test_counts_names_and_files_through_the_api(world):
    people.create_person(scope=Scope.system(), actor=None, unit=world.community, name="王建华",
                         id_number=ID_A, phone="13812345678", address="幸福里1号")
    leader = world.client_for(world.street_leader)
    counts = leader.get(f"/api/registers/{world.community.code}/counts").json()
    assert counts["present"] == 1 and "王建华" not in str(counts)
    assert leader.post(f"/api/registers/{world.community.code}/residents/search", {"q": ""},
                       content_type="application/json").status_code == 404
    worker = world.client_for(world.community_worker)
    found = worker.post(f"/api/registers/{world.community.code}/residents/search",
                        {"q": ID_A}, content_type="application/json").json()
    assert [(r["name"], r["id_number"], r["phone"]) for r in found] == [
        ("王建华", personal.mask_id_number(ID_A), "138****5678")]
    kinds = worker.get("/api/registers/kinds").json()
    assert len(kinds) == 9 and kinds[0]["headers"][:3] == ["单位编码", "姓名", "公民身份号码"]
    upload = io.BytesIO(rio.template(rio.KINDS["residents"]))
    upload.name = "t.xlsx"
    again = worker.post(f"/api/registers/{world.community.code}/import/residents",
                        {"file": upload})
    assert again.status_code == 422 and again.json()["errors"][0]["message"] == "文件中没有数据行。"
    exported = worker.post(f"/api/registers/{world.community.code}/export/residents")
    sheet = load_workbook(io.BytesIO(b"".join(exported.streaming_content))).active
    assert sheet["C3"].value == personal.mask_id_number(ID_A)
    assert Person.objects.count() == 1
