"""The resident register's pages: a clerk finds, registers, reveals and moves people;
the street sees counts; no name or number in a URL; every read in the audit log."""

import datetime as dt
import io

from django.urls import reverse
from openpyxl import load_workbook

from chuangjian.audit.models import AuditEntry
from chuangjian.lib import personal
from chuangjian.org.scope import Scope
from chuangjian.registers import io as rio
from chuangjian.registers.actions import people
from chuangjian.registers.models import Person

ID_A = personal.compose_id_number("310101", dt.date(1960, 3, 4), 123)
ID_B = personal.compose_id_number("310101", dt.date(1990, 5, 6), 124)


def resident(world, number=ID_A, name="王建华", unit=None):
    return people.create_person(scope=Scope.system(), actor=None, unit=unit or world.community,
                                name=name, id_number=number, phone="13812345678",
                                address="幸福里3号楼201")


def test_a_clerk_finds_a_resident_by_exact_number_with_a_post(world):
    resident(world)
    resident(world, ID_B, "陈芳")
    client = world.client_for(world.community_worker)
    url = reverse("residents:unit", args=[world.community.code])
    page = client.get(url).content.decode()
    assert "王建华" in page and "陈芳" in page and ID_A not in page
    assert personal.mask_id_number(ID_A) in page
    found = client.post(url, {"q": ID_B.lower()}).content.decode()
    assert "陈芳" in found and "王建华" not in found
    assert AuditEntry.objects.get(action="registers.person.searched").data == {
        "by": "id_number", "found": 1}
    assert "王建华" in client.post(url, {"q": "建华"}).content.decode()


def test_a_street_leader_sees_counts_not_names(world):
    resident(world)
    client = world.client_for(world.street_leader)
    page = client.get(reverse("residents:unit", args=[world.community.code])).content.decode()
    assert "王建华" not in page and "在册居民" in page
    person = Person.objects.get()
    assert client.get(reverse("residents:person", args=[person.pk])).status_code == 404
    street = client.get(reverse("residents:unit", args=[world.street.code])).content.decode()
    assert "城东管区" in street and "王建华" not in street


def test_the_person_page_is_audited_and_reveals_a_number_on_post(world):
    person = resident(world)
    client = world.client_for(world.community_worker)
    page = client.get(reverse("residents:person", args=[person.pk]))
    assert page["Cache-Control"] == "no-store"
    assert ID_A not in page.content.decode() and "138****5678" in page.content.decode()
    assert AuditEntry.objects.filter(action="registers.person.viewed").count() == 1
    url = reverse("residents:person_reveal", args=[person.pk])
    assert client.get(url).status_code == 405
    shown = client.post(url, {"field": "id_number"}, HTTP_HX_REQUEST="true")
    assert ID_A in shown.content.decode()
    assert AuditEntry.objects.get(action="registers.person.revealed").data == {
        "field": "id_number"}
    outsider = world.client_for(world.outsider)
    assert outsider.post(url, {"field": "id_number"}).status_code == 404


def test_registering_a_number_on_file_offers_the_existing_person(world):
    person = resident(world)
    client = world.client_for(world.community_worker)
    url = reverse("residents:person_create", args=[world.community.code])
    response = client.post(url, {"name": "王建华", "id_number": ID_A, "residence": "registered",
                                 "address": "别处1号"})
    assert response.status_code == 422
    page = response.content.decode()
    assert reverse("residents:person", args=[person.pk]) in page
    assert Person.objects.count() == 1
    bad = client.post(url, {"name": "李四", "id_number": ID_B[:-1] + "0", "residence": "registered"})
    assert "校验位" in bad.content.decode()
    made = client.post(url, {"name": "李四", "id_number": ID_B, "residence": "registered",
                             "address": "幸福里3号楼202"})
    assert made.status_code == 302 and Person.objects.count() == 2


def test_a_stale_edit_shows_what_is_on_file(world):
    person = resident(world)
    client = world.client_for(world.community_worker)
    url = reverse("residents:person_edit", args=[person.pk])
    form = {"name": "王建华", "id_number": ID_A, "phone": "13900000000",
            "residence": "registered", "address": "幸福里3号楼201", "version": "0"}
    assert client.post(url, form).status_code == 302
    stale = client.post(url, {**form, "phone": "13700000000"})
    assert stale.status_code == 409 and "139****0000" in stale.content.decode()


def test_a_clerk_imports_and_exports_on_the_page(world):
    client = world.client_for(world.community_worker)
    url = reverse("residents:import", args=[world.community.code])
    template = client.get(reverse("residents:template", args=["residents"]))
    wb = load_workbook(io.BytesIO(b"".join(template.streaming_content)))
    ws = wb.active
    ws.append(["", "王建华", ID_A, "", "户籍人口", "幸福里1号", "户主", "", ""])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "r.xlsx"
    response = client.post(url, {"kind": "residents", "file": out})
    assert response.status_code == 200 and Person.objects.count() == 1
    text = io.BytesIO(b"<html>not a workbook</html>")
    text.name = "evil.xlsx"
    refused = client.post(url, {"kind": "residents", "file": text})
    assert refused.status_code == 422 and "Excel" in refused.content.decode()
    exported = client.post(reverse("residents:export", args=[world.community.code]),
                           {"kind": "residents"})
    sheet = load_workbook(io.BytesIO(b"".join(exported.streaming_content))).active
    assert sheet["A1"].value.startswith("导出人：张小燕")
    assert rio.kind_for("residents").headers == [c.value for c in sheet[2]]


def test_a_community_leader_who_may_not_reveal_numbers_cannot_open_the_edit_form(world):
    from chuangjian.org import actions as org_actions
    from chuangjian.org.models import Role

    person = resident(world)
    leader = org_actions.create_user(actor=None, scope=Scope.system(), username="sq_leader",
                                     full_name="社区书记", password="Test@2026pass")
    org_actions.add_membership(actor=None, scope=Scope.system(), user=leader,
                               unit=world.community, role=Role.LEADER)
    client = world.client_for(leader)
    page = client.get(reverse("residents:person", args=[person.pk])).content.decode()
    assert "王建华" in page and ID_A not in page
    assert reverse("residents:person_edit", args=[person.pk]) not in page
    assert client.get(reverse("residents:person_edit", args=[person.pk])).status_code == 403
