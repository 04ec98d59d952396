"""One search box finds units, people, codes, standards and indicators (issue 13 §9)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.standards import actions, loader

pytestmark = pytest.mark.django_db


def _search(client, q: str) -> str:
    response = client.get(reverse("web:search"), {"q": q})
    assert response.status_code == 200
    return response.content.decode()


def test_it_finds_a_unit_by_name_code_and_pinyin(world: World) -> None:
    client = world.client_for(world.street_leader)
    for q in ("幸福里", "T-01-A-01", "xingfuli"):
        html = _search(client, q)
        assert reverse("web:unit", args=["T-01-A-01"]) in html, q


def test_a_unit_found_by_its_code_is_shown_by_name_with_the_code_in_its_tooltip(
        world: World) -> None:
    html = _search(world.client_for(world.street_leader), "T-01-A-01")
    assert 'title="单位编码：T-01-A-01">幸福里社区</a>' in html
    assert ">T-01-A-01<" not in html


def test_it_finds_a_person_for_someone_who_manages_people(world: World) -> None:
    html = _search(world.client_for(world.district_admin), "张小燕")
    assert reverse("web:person", args=[world.community_worker.pk]) in html


def test_a_worker_finds_no_people_and_no_unit_outside_their_scope(world: World) -> None:
    client = world.client_for(world.community_worker)
    html = _search(client, "张小燕")
    assert reverse("web:person", args=[world.community_worker.pk]) not in html
    html = _search(client, "湖滨")
    assert reverse("web:unit", args=["T-02-A-01"]) not in html
    assert "没有找到" in html


def test_it_finds_indicators_of_the_standards_by_name(world: World) -> None:
    actions.load_standards(actor=None, result=loader.load_builtin().raise_for_errors(), scope=Scope.system())
    html = _search(world.client_for(world.community_worker), "调解")
    assert 'id="results-standards"' in html
    assert "调解" in html


def test_an_overlong_query_is_cut_not_refused(world: World) -> None:
    html = _search(world.client_for(world.street_leader), "幸" * 500)
    assert "幸" * 51 not in html


def test_search_needs_a_login(client) -> None:
    assert client.get(reverse("web:search"), {"q": "x"}).status_code == 302
