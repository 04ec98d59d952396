"""Chinese by default; the English switch really changes the main pages."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.reporting import actions as reporting_actions
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader

HAN = re.compile(r"[\u4e00-\u9fff]+")


def _english(world: World, user):
    client = world.client_for(user)
    response = client.post("/i18n/setlang/", {"language": "en", "next": reverse("web:home")})
    assert response.status_code == 302
    return client


def test_pages_are_in_chinese_by_default(world: World) -> None:
    html = world.client_for(world.district_admin).get(reverse("web:home")).content.decode()
    assert 'lang="zh-CN"' in html
    assert "社区创建工作管理平台" in html and "组织架构" in html


def test_the_language_switch_turns_the_main_pages_into_english(world: World) -> None:
    client = _english(world, world.district_admin)
    home = client.get(reverse("web:home")).content.decode()
    assert 'lang="en"' in home
    for text in ["Community Campaign Management Platform", "Organisation", "Users and roles",
                 "My roles", "Sign out", "Administrator", "Change password"]:
        assert text in home, text
    unit = client.get(reverse("web:unit", args=[world.street.code])).content.decode()
    for text in ["Details", "Sub-units (块)", "Departments (条)", "History", "Street/Town",
                 "People responsible", "New sub-unit"]:
        assert text in unit, text
    tree = client.get(reverse("web:tree")).content.decode()
    assert "Unit tree" in tree and "View history" in tree
    people = client.get(reverse("web:people")).content.decode()
    assert "New user" in people
    audit = _english(world, world.auditor).get(reverse("web:audit")).content.decode()
    assert "Unit created" in audit


def test_an_action_error_is_translated_too(world: World) -> None:
    client = _english(world, world.district_admin)
    html = client.post(reverse("web:unit_create", args=[world.area.code]), {
        "code": world.community.code, "name": "x", "kind": "area", "level": "community",
        "category": "城镇"}).content.decode()
    assert f"The code “{world.community.code}” is already in use" in html


def test_the_login_page_can_be_english(client, db) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    html = client.get(reverse("web:login")).content.decode()
    assert "Sign in" in html and "Username" in html


@pytest.fixture
def reporting_standards(db: None) -> None:
    """The reporting tests' two small standards (a community daily report among them)."""
    from chuangjian.reporting.tests.conftest import STANDARDS_DIR

    result = loader.load_paths([STANDARDS_DIR], builtin_elements=False).raise_for_errors()
    standards_actions.load_standards(actor=None, result=result, scope=Scope.system())


def _han(text: str) -> list[str]:
    return HAN.findall(text)


def _texts(html: str, selector: str) -> list[str]:
    """Inner texts of the elements a simple selector (``tag`` or ``.class``) matches in the
    page's ``<main>`` (the top bar's language switch says 中文 in every language)."""
    html = html[html.index("<main"):html.index("</main>")]

    class Collect(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.depth = 0
            self.found: list[list[str]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            classes = (dict(attrs).get("class") or "").split()
            if self.depth:
                self.depth += tag not in ("input", "br", "img", "link", "meta")
            elif (selector.startswith(".") and selector[1:] in classes) or tag == selector:
                self.depth = 1
                self.found.append([])

        def handle_endtag(self, tag: str) -> None:
            if self.depth:
                self.depth -= 1

        def handle_data(self, data: str) -> None:
            if self.depth:
                self.found[-1].append(data)

    parser = Collect()
    parser.feed(html)
    return ["".join(parts).strip() for parts in parser.found]


def test_the_reporting_pages_are_english_where_the_code_writes_them(
        world: World, reporting_standards: None) -> None:
    client = world.client_for(world.community_worker)
    assert client.get(reverse("reporting:inbox")).content.decode().count("数据上报") > 1
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.cookies["django_language"].value == "en"

    inbox = client.get(reverse("reporting:inbox")).content.decode()
    assert "<h1>Data reporting</h1>" in inbox
    for text in ["My to-do", "Reports for me to fill in", "Community/Village daily report",
                 "To report", "Fill in"]:
        assert text in inbox, text
    for selector in ["h1", ".subtitle", ".report-tabs", ".label", "thead", ".state", ".btn"]:
        for text in _texts(inbox, selector):
            assert not _han(text), (selector, text)

    today = timezone.localdate().isoformat()
    url = reverse("reporting:form", args=[world.community.code, "community-day", today])
    form = client.get(url).content.decode()
    assert "幸福里社区 · Community/Village daily report" in form
    for selector in ["h1", ".subtitle", ".status-strip", "thead", ".card-header", ".card-footer"]:
        for text in _texts(form, selector):
            # The unit's name is data; everything else the page says is English.
            assert not _han(text.replace(world.community.name, "")), (selector, text)
    assert "Save draft" in form and "whole number" in form

    # An action's error comes back in English too, naming the field's problem.
    bad = client.post(url, {"v_t_patrols": "三", "v_t_found": "-1", "v_t_fixed": "0",
                            "v_t_note": "ok", "action": "submit"}).content.decode()
    assert "“三” is not a number" in bad and "-1 cannot be negative" in bad
    check = client.post(reverse("reporting:check_field", args=[
        world.community.code, "community-day", today, "t_patrols"]), {"v_t_patrols": "1.5"})
    assert "“1.5” should be a whole number" in check.content.decode()

    reporting_actions.submit_values(actor=world.community_worker, unit=world.community,
                                    dataset_code="community-day", period=today,
                                    values={"t_patrols": 2, "t_found": 1, "t_fixed": 1,
                                            "t_note": "正常"}, scope=Scope.for_user(world.community_worker))
    missing = client.get(reverse("reporting:missing")).content.decode()
    assert "<h1>Missing reports</h1>" in missing
    for selector in ["h1", ".label", ".filter-bar", ".count"]:
        for text in _texts(missing, selector):
            assert not _han(text), (selector, text)


def test_reporting_errors_stay_chinese_in_the_chinese_pages(
        world: World, reporting_standards: None) -> None:
    client = world.client_for(world.community_worker)
    url = reverse("reporting:form", args=[world.community.code, "community-day",
                                          timezone.localdate().isoformat()])
    html = client.post(url, {"v_t_patrols": "三", "action": "submit"}).content.decode()
    assert "「三」不是数字" in html and "社区/村日报" in html and "暂存" in html


def test_an_english_request_leaves_english_active_in_the_test_thread(db, client) -> None:
    client.cookies["django_language"] = "en"
    client.get("/login/")
    assert translation.get_language() == "en"


def test_the_next_test_starts_in_chinese_all_the_same(db) -> None:
    # Runs after the one above in the same process (pytest keeps a module's order).
    assert translation.get_language() == "zh-hans"
