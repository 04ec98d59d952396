"""Every URL, requested by the outsider (a worker of 东湖街道), reveals nothing of 城关街道."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, reverse

from chuangjian.org.models import Membership
from chuangjian.org.testing import World
from chuangjian.web import urls as web_urls

# Words that only appear in the data of 城关街道 and its people.
LEAKS = ["城关", "幸福里", "城东管区", "南门社区", "李卫东", "张小燕", "郑凯", "何静"]


def _names(patterns: list, prefix: str = "") -> list[URLPattern]:
    found: list[URLPattern] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            found += _names(p.url_patterns)
        elif p.name:
            found.append(p)
    return found


PATTERNS = _names(web_urls.urlpatterns)


def _kwargs(pattern: URLPattern, world: World, target: str) -> dict[str, object]:
    unit = world.street if target == "street" else world.community
    membership = Membership.objects.get(user=world.community_worker)
    values = {"code": unit.code, "pk": world.community_worker.pk,
              "user_id": world.community_worker.pk, "membership_id": membership.pk}
    params = list(pattern.pattern.converters)
    missing = [p for p in params if p not in values]
    if missing:
        pytest.fail(f"the outsider test has no value for {missing} of {pattern.name}")
    return {p: values[p] for p in params}


def test_the_outsider_test_covers_the_pages() -> None:
    names = {p.name for p in PATTERNS}
    assert {"home", "tree", "tree_children", "unit", "unit_create", "unit_move", "people",
            "person", "membership_remove", "audit"} <= names


@pytest.mark.parametrize("target", ["street", "community"])
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("pattern", PATTERNS, ids=[p.name for p in PATTERNS])
def test_the_outsider_gets_nothing_of_the_other_street(world: World, pattern: URLPattern,
                                                       method: str, target: str) -> None:
    kwargs = _kwargs(pattern, world, target)
    url = reverse(f"web:{pattern.name}", kwargs=kwargs)
    client = world.client_for(world.outsider)
    response = getattr(client, method)(url)
    html = response.content.decode(errors="replace")
    if kwargs:
        # A unit or person of the other street: not found, or not allowed.
        assert response.status_code in (403, 404, 405), (url, response.status_code)
    else:
        assert response.status_code < 500
    for word in LEAKS:
        assert word not in html, (url, word)


def test_the_outsiders_attempts_change_nothing(world: World) -> None:
    from chuangjian.audit.models import AuditEntry

    client = world.client_for(world.outsider)
    # Counted after signing in: the login itself is an audit entry (auth.login.succeeded).
    before = AuditEntry.objects.count()
    client.post(reverse("web:unit_create", args=[world.street.code]),
                {"code": "X-1", "name": "入侵社区", "kind": "area", "level": "area",
                 "category": "城镇"})
    client.post(reverse("web:unit_move", args=[world.community.code]),
                {"new_parent": world.other_street.code, "confirmed": "1"})
    client.post(reverse("web:unit_close", args=[world.community.code]), {"on": "2025-01-01"})
    client.post(reverse("web:person_active", args=[world.community_worker.pk]), {"active": "0"})
    assert AuditEntry.objects.count() == before
    world.community.refresh_from_db()
    world.community_worker.refresh_from_db()
    assert world.community.parent_id == world.area.pk and not world.community.is_closed
    assert world.community_worker.is_active
