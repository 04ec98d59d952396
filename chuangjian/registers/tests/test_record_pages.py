"""The registers' pages: lists with search and filters, entry and edit with each kind's
rules, quick entry from a person's page; a level above sees counts, not names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from chuangjian.lib import personal
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.registers.actions.people import create_person
from chuangjian.registers.models import (
    BPReading,
    Facility,
    MediationCase,
    MediationParty,
    Person,
    ServiceRecord,
    Volunteer,
)

pytestmark = pytest.mark.django_db


def resident(world: World, name: str = "王秀英", seq: int = 1) -> Person:
    number = personal.compose_id_number("110101", dt.date(1962, 4, 5), seq)
    return create_person(scope=Scope.system(), actor=None, unit=world.community, name=name,
                         id_number=number, address="幸福里1幢101室")


def test_a_bp_reading_of_400_over_20_is_refused_naming_the_fields(world: World) -> None:
    person = resident(world)
    client = world.client_for(world.community_worker)
    url = reverse("registers:new", args=["bp", world.community.code])
    page = client.post(url, {"id_number": person.id_number, "measured_on": "2026-11-01",
                             "systolic": "400", "diastolic": "20"})
    text = page.content.decode()
    assert page.status_code == 400 and not BPReading.objects.exists()
    assert "收缩压 400 不在 60–260 mmHg 之间" in text and "舒张压 20 不在 30–160 mmHg 之间" in text
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    page = client.post(url, {"id_number": person.id_number, "measured_on": future,
                             "systolic": "130", "diastolic": "85"})
    assert page.status_code == 400 and "晚于今天" in page.content.decode()
    ok = client.post(url, {"id_number": person.id_number, "measured_on": "2026-11-01",
                           "systolic": "130", "diastolic": "85"})
    assert ok.status_code == 302 and BPReading.objects.get().person == person


def test_quick_entry_from_the_person_page_takes_two_numbers_and_one_tap(world: World) -> None:
    person = resident(world)
    client = world.client_for(world.community_worker)
    page = client.get(reverse("residents:person", args=[person.pk])).content.decode()
    assert 'id="quick-bp"' in page and 'id="quick-service"' not in page  # not a volunteer
    done = client.post(reverse("registers:quick_bp", args=[person.pk]),
                       {"systolic": "128", "diastolic": "82",
                        "measured_on": timezone.localdate().isoformat()})
    assert done.status_code == 302 and done["Location"].endswith("#quick-entry")
    reading = BPReading.objects.get()
    assert (reading.person, reading.systolic, reading.diastolic) == (person, 128, 82)
    refused = client.post(reverse("registers:quick_bp", args=[person.pk]),
                          {"systolic": "90", "diastolic": "95",
                           "measured_on": timezone.localdate().isoformat()}, follow=True)
    assert "舒张压应低于收缩压" in refused.content.decode() and BPReading.objects.count() == 1


def test_a_volunteer_records_a_service_in_one_tap(world: World) -> None:
    person = resident(world)
    Volunteer.objects.create(unit=world.community, person=person, registered_on=dt.date(2025, 1, 1))
    client = world.client_for(world.community_worker)
    page = client.get(reverse("residents:person", args=[person.pk])).content.decode()
    assert 'id="quick-service"' in page
    client.post(reverse("registers:quick_service", args=[person.pk]),
                {"hours": "2", "place": "社区广场", "date": timezone.localdate().isoformat()})
    record = ServiceRecord.objects.get()
    assert record.hours == Decimal("2") and record.volunteer.person == person


def test_the_street_leader_cannot_enter_and_sees_counts(world: World) -> None:
    person = resident(world)
    case = MediationCase.objects.create(unit=world.community, kind="邻里纠纷", summary="漏水",
                                        received_on=dt.date(2026, 3, 1))
    MediationParty.objects.create(case=case, person=person, name=person.name)
    leader = world.client_for(world.street_leader)
    assert leader.post(reverse("registers:quick_bp", args=[person.pk]),
                       {"systolic": "120", "diastolic": "80"}).status_code == 404
    page = leader.get(reverse("registers:list", args=["mediation", world.community.code]))
    text = page.content.decode()
    assert page.status_code == 200 and 'id="counts-only"' in text and "王秀英" not in text
    assert leader.get(reverse("registers:edit", args=["mediation", case.pk])).status_code == 404
    outsider = world.client_for(world.outsider)
    assert outsider.get(reverse("registers:list", args=["mediation", world.community.code])
                        ).status_code == 404


def test_the_community_searches_by_post_and_filters_by_year(world: World) -> None:
    person = resident(world)
    for day, summary in [(dt.date(2026, 3, 1), "楼上漏水"), (dt.date(2025, 3, 1), "停车位占用")]:
        case = MediationCase.objects.create(unit=world.community, kind="邻里纠纷",
                                            summary=summary, received_on=day)
        MediationParty.objects.create(case=case, person=person, name=person.name)
    client = world.client_for(world.community_worker)
    url = reverse("registers:list", args=["mediation", world.community.code])
    both = client.get(url).content.decode()
    assert "楼上漏水" in both and "停车位占用" in both
    assert "停车位占用" not in client.get(url + "?year=2026").content.decode()
    found = client.post(url, {"q": "停车"}).content.decode()
    assert "停车位占用" in found and "楼上漏水" not in found


def test_an_edit_carries_its_version_and_a_stale_one_is_refused(world: World) -> None:
    facility = Facility.objects.create(unit=world.community, kind="green_area", name="中心绿地",
                                       area_m2=Decimal("500"))
    client = world.client_for(world.community_worker)
    url = reverse("registers:edit", args=["facilities", facility.pk])
    data = {"kind": "green_area", "name": "中心绿地", "quantity": "1", "area_m2": "650",
            "working": "on", "version": "0"}
    assert client.post(url, data).status_code == 302
    facility.refresh_from_db()
    assert facility.area_m2 == Decimal("650") and facility.version == 1
    stale = client.post(url, {**data, "area_m2": "700"})
    assert stale.status_code == 400 and "已被他人修改" in stale.content.decode()
    no_area = client.post(url, {**data, "area_m2": "", "version": "1"})
    assert "绿地和活动场地请填写面积" in no_area.content.decode()


def test_a_mediation_case_closed_without_a_date_is_refused(world: World) -> None:
    client = world.client_for(world.community_worker)
    page = client.post(reverse("registers:new", args=["mediation", world.community.code]),
                       {"kind": "邻里纠纷", "summary": "噪音", "parties": "张三、李四",
                        "received_on": "2026-10-01", "outcome": "succeeded"})
    assert page.status_code == 400 and "请填写结案日期" in page.content.decode()
    assert not MediationCase.objects.exists()


def test_entering_or_moving_a_resident_marks_what_changed(world: World) -> None:
    from chuangjian.registers.actions.people import move_out_person
    from chuangjian.sources.testing import Marks

    marks = Marks()
    person = resident(world)
    client = world.client_for(world.community_worker)
    client.post(reverse("registers:quick_bp", args=[person.pk]),
                {"systolic": "128", "diastolic": "82", "measured_on": "2026-11-02"})
    assert (world.community.pk, dt.date(2026, 11, 2)) in {(u, d) for u, _c, d in marks()}
    assert any("residents_35plus_bp_measured" in c for _u, c, _d in marks())
    move_out_person(scope=Scope.system(), actor=None, person=person, on=dt.date(2026, 11, 5))
    assert any(d == dt.date(2026, 11, 5) and "households_total" in c for _u, c, d in marks())
