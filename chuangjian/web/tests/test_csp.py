"""Every page carries a Content-Security-Policy that allows no inline script, and no
template of ours needs one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

import chuangjian

pytestmark = pytest.mark.django_db

TEMPLATES = sorted(Path(chuangjian.__file__).parent.glob("*/templates/**/*.html"))


def script_policy(header: str) -> str:
    directives = dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return directives["script-src"]


@pytest.mark.parametrize("name", ["web:home", "web:login", "inspections:suishoupai:new"])
def test_a_page_is_sent_with_a_policy_that_forbids_inline_script(client, world, name) -> None:
    if name == "web:home":
        client.force_login(world.street_leader)
    response = client.get(reverse(name))
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert script_policy(policy) == "'self'"
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy


def test_the_templates_are_found() -> None:
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_template_holds_inline_script_or_event_handlers(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+\s*=", text), "an on…= handler attribute"
    assert "javascript:" not in text
    assert "'js:" not in text and '"js:' not in text
