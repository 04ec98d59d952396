"""The demo's residents: plausible, valid by GB 11643, in households, made fast and once."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from chuangjian.lib import personal
from chuangjian.org.scope import Scope
from chuangjian.registers import demo
from chuangjian.registers.models import Household, Person


def test_every_community_gets_residents_with_valid_numbers_in_households(world):
    made = demo.ensure_residents(scope=Scope.system(), low=40, high=60,
                                 today=dt.date(2026, 6, 1))
    assert set(made) == {world.community.pk, world.community2.pk, world.other_community.pk,
                         world.village.pk}
    people = list(Person.objects.filter(unit=world.community))
    assert 40 <= len(people) <= 65
    for person in people:
        assert personal.is_valid_id_number(person.id_number)
        assert person.id_number_hash == personal.id_hash(person.id_number)
        facts = personal.id_facts(person.id_number)
        assert (person.sex, person.birth_date) == (facts.sex, facts.birth_date)
        assert 2 <= len(person.name) <= 3
    heads = Household.objects.filter(unit=world.community, head__isnull=False)
    assert heads.count() >= Household.objects.filter(unit=world.community).count() - 3
    years = [p.birth_date.year for p in people if p.birth_date]
    assert any(y < 1991 for y in years)
    assert any(y > 2000 for y in years)
    # Running it again adds nobody.
    assert demo.ensure_residents(scope=Scope.system(), low=40, high=60) == {}


def test_the_demo_refuses_a_user_scope(world):
    with pytest.raises(PermissionDenied):
        demo.ensure_residents(scope=Scope.for_user(world.superuser))
