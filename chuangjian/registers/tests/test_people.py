"""The resident register: one row per person, numbers encrypted and hashed, edits that
notice a stale form, moving out and in, reveals in the audit log (decision 0020)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from chuangjian.audit.models import AuditEntry
from chuangjian.lib import personal
from chuangjian.org.scope import Scope
from chuangjian.registers import selectors
from chuangjian.registers.actions import people
from chuangjian.registers.models import Household, Person

ID_A = personal.compose_id_number("310101", dt.date(1960, 3, 4), 123)  # a man, born 1960
ID_B = personal.compose_id_number("310101", dt.date(1990, 5, 6), 124)  # a woman


def register(world, number=ID_A, unit=None, **kw):
    scope = Scope.for_user(world.community_worker)
    return people.create_person(scope=scope, actor=world.community_worker,
                                unit=unit or world.community, name=kw.pop("name", "王建华"),
                                id_number=number, phone=kw.pop("phone", "13812345678"),
                                address=kw.pop("address", "幸福里3号楼201"), **kw)


def test_a_resident_gets_sex_birth_date_and_a_household_from_what_is_typed(world):
    person = register(world, number=ID_A.lower())
    assert (person.sex, person.birth_date) == ("M", dt.date(1960, 3, 4))
    assert person.household.address == "幸福里3号楼201"
    assert person.household.head == person
    assert person.id_number_hash == personal.id_hash(ID_A)


def test_the_raw_database_row_holds_no_id_or_phone_number_in_plain_text(world):
    person = register(world)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM registers_person WHERE id = %s", [person.pk])
        raw = " ".join(str(v) for v in cursor.fetchone())
    assert "王建华" in raw  # the row was read
    for secret in (ID_A, ID_A[-8:], "13812345678", "12345678"):
        assert secret not in raw
    assert Person.objects.get(pk=person.pk).id_number == ID_A


def test_a_person_is_registered_once_and_the_second_registration_offers_the_first(world):
    first = register(world)
    with pytest.raises(people.AlreadyRegistered) as info:
        register(world, name="王建华", address="别处")
    assert info.value.visible and info.value.person == first
    assert "幸福里社区" in info.value.messages[0]
    assert Person.objects.count() == 1


def test_a_number_registered_in_another_street_is_refused_without_saying_where(world):
    people.create_person(scope=Scope.system(), actor=None, unit=world.other_community,
                         name="李四", id_number=ID_A)
    with pytest.raises(people.AlreadyRegistered) as info:
        register(world)
    assert not info.value.visible
    assert "湖滨" not in info.value.messages[0] and "李四" not in info.value.messages[0]


def test_only_the_keepers_of_a_community_register_its_residents(world):
    for user in (world.street_leader, world.outsider, world.district_admin, world.superuser):
        with pytest.raises(PermissionDenied):
            people.create_person(scope=Scope.for_user(user), actor=user, unit=world.community,
                                 name="王建华", id_number=ID_A)


def test_a_stale_edit_is_refused_and_shows_what_is_on_file(world):
    person = register(world)
    scope = Scope.for_user(world.community_worker)
    kw = {"scope": scope, "actor": world.community_worker, "name": "王建华", "id_number": ID_A,
              "phone": "13912345678", "address": "幸福里3号楼201"}
    people.update_person(person=person, expected_version=0, **kw)
    with pytest.raises(people.StaleRecord) as info:
        people.update_person(person=person, expected_version=0, **{**kw, "phone": "13700000000"})
    assert info.value.current.phone == "13912345678"
    entry = AuditEntry.objects.get(action="registers.person.updated")
    assert entry.data == {"fields": ["phone"]} and "139" not in str(entry.data)


def test_changing_a_number_to_one_on_file_is_refused(world):
    register(world)
    other = register(world, number=ID_B, name="陈芳")
    with pytest.raises(people.AlreadyRegistered):
        people.update_person(scope=Scope.for_user(world.community_worker),
                             actor=world.community_worker, person=other, expected_version=0,
                             name="陈芳", id_number=ID_A)


def test_moving_out_keeps_the_row_and_moving_in_elsewhere_reuses_it(world):
    person = register(world)
    with pytest.raises(ValidationError):
        people.move_in_person(scope=Scope.for_user(world.outsider), actor=world.outsider,
                              person=person, unit=world.other_community, on=dt.date(2025, 1, 1))
    people.move_out_person(scope=Scope.for_user(world.community_worker),
                           actor=world.community_worker, person=person, on=dt.date(2025, 1, 1))
    assert Household.objects.get().head is None
    moved = people.move_in_person(scope=Scope.for_user(world.outsider), actor=world.outsider,
                                  person=person, unit=world.other_community,
                                  on=dt.date(2025, 2, 1), address="湖滨路1号")
    assert (moved.unit, moved.moved_out_on, Person.objects.count()) == (
        world.other_community, None, 1)
    with pytest.raises(Http404):
        selectors.person_for(scope=Scope.for_user(world.community_worker), pk=person.pk)


def test_revealing_a_number_is_audited_without_the_number(world):
    person = register(world)
    scope = Scope.for_user(world.community_worker)
    assert people.reveal_personal(scope=scope, actor=world.community_worker, person=person,
                                  field="id_number") == ID_A
    entry = AuditEntry.objects.get(action="registers.person.revealed")
    assert entry.actor == world.community_worker and entry.data == {"field": "id_number"}
    assert ID_A not in str(entry.__dict__)
    for user in (world.street_leader, world.superuser, world.outsider):
        with pytest.raises(PermissionDenied):
            people.reveal_personal(scope=Scope.for_user(user), actor=user, person=person,
                                   field="phone")


def test_a_street_leader_sees_counts_not_names(world):
    register(world)
    register(world, number=ID_B, name="陈芳", address="幸福里3号楼202")
    leader = Scope.for_user(world.street_leader)
    counts = selectors.resident_counts(scope=leader, unit=world.street)
    assert (counts.present, counts.households, counts.aged_60_plus) == (2, 2, 1)
    with pytest.raises(Http404):
        selectors.residents(scope=leader, unit=world.community)
    with pytest.raises(Http404):
        selectors.person_for(scope=leader, pk=Person.objects.order_by("pk")[0].pk)


def test_residents_are_found_by_exact_number_or_part_of_the_name(world):
    register(world)
    register(world, number=ID_B, name="陈芳", address="幸福里3号楼202")
    scope = Scope.for_user(world.community_worker)
    found = selectors.residents(scope=scope, unit=world.community, id_number=ID_B.lower())
    assert [p.name for p in found] == ["陈芳"]
    assert not selectors.residents(scope=scope, unit=world.community, id_number=ID_B[:-1]).exists()
    assert [p.name for p in selectors.residents(scope=scope, unit=world.community, name="建")] == [
        "王建华"]
    assert selectors.residents(scope=scope, unit=world.community, age_from=60).count() == 1


def test_rekeying_recomputes_the_hashes_with_the_new_key(world, settings):
    person = register(world)
    settings.PERSONAL_DATA_HASH_KEY = "a-new-hash-key"
    assert people.rekey_personal_data(scope=Scope.system()) == 1
    person.refresh_from_db()
    assert person.id_number_hash == personal.id_hash(ID_A)
    with pytest.raises(PermissionDenied):
        people.rekey_personal_data(scope=Scope.for_user(world.superuser))


def _forget_keys():
    for name in ("id_number", "phone"):
        field = Person._meta.get_field(name)
        field.__dict__.pop("keys", None)
        field.__dict__.pop("f", None)


def test_rotating_the_encryption_salt_keeps_the_numbers_readable(world, settings):
    original = list(settings.SALT_KEY)
    settings.SALT_KEY = ["old-salt"]
    _forget_keys()
    try:
        person = register(world)
        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number FROM registers_person WHERE id = %s", [person.pk])
            before = cursor.fetchone()[0]
        settings.SALT_KEY = ["new-salt", "old-salt"]
        _forget_keys()
        assert Person.objects.get(pk=person.pk).id_number == ID_A
        people.rekey_personal_data(scope=Scope.system())
        settings.SALT_KEY = ["new-salt"]
        _forget_keys()
        row = Person.objects.get(pk=person.pk)
        assert (row.id_number, row.phone) == (ID_A, "13812345678")
        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number FROM registers_person WHERE id = %s", [person.pk])
            assert cursor.fetchone()[0] != before
    finally:
        settings.SALT_KEY = original
        _forget_keys()
