"""The layouts and the one field template every form uses (web/_field.html)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.template.loader import render_to_string


class _Choices(forms.Form):
    groups = forms.MultipleChoiceField(label="督导组", required=False,
                                       widget=forms.CheckboxSelectMultiple,
                                       choices=[("a", "第一督导组"), ("b", "第二督导组")])


def test_a_list_of_checkboxes_is_a_scrolling_list_that_keeps_what_was_ticked() -> None:
    form = _Choices(data={"groups": ["b"]})
    html = render_to_string("web/_field.html", {"field": form["groups"]})
    assert 'class="checkbox-list' in html
    assert html.count('class="form-check-input" type="checkbox" name="groups"') == 2
    assert 'value="b" id="id_groups_1" checked' in html
    assert 'value="a" id="id_groups_0">' in html
    assert '<label class="form-check-label" for="id_groups_1">第二督导组</label>' in html


def test_every_layout_names_the_products_icon_which_is_served_from_its_own_files() -> None:
    from django.contrib.staticfiles import finders

    assert finders.find("web/favicon.svg")
    for layout in ("web/base.html", "web/base_plain.html", "web/public_base.html",
                   "surveys/answer.html"):
        source = Path(template_path(layout)).read_text(encoding="utf-8")
        assert "{% static 'web/favicon.svg' %}" in source, layout


def template_path(name: str) -> str:
    from django.template.loader import get_template

    template: Any = get_template(name)  # the Django backend's, which knows its file
    return str(template.origin.name)
