"""Forms of the assessment pages; the rules themselves live in actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangjian.assessment.models import Kind
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.standards.selectors import current_standards


class RunForm(forms.Form):
    standard = forms.ChoiceField(label=_("标准"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("类型"), choices=Kind.choices, initial=Kind.REVIEW)
    unit = forms.ModelChoiceField(label=_("考核范围"), queryset=Unit.objects.none(),
                                  empty_label=None)
    reopen_reason = forms.CharField(label=_("重新考核理由（仅已公布年度）"), required=False,
                                    max_length=300)

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = dict(self.fields)
        fields["standard"].choices = [(s.code, s.name) for s in current_standards()]
        fields["unit"].queryset = (scope.units().filter(kind="area", depth__lte=3)
                                        .order_by("path"))
        fields["unit"].label_from_instance = lambda u: ("　" * (u.depth - 1)) + u.name


class ReviewForm(forms.Form):
    score = forms.CharField(label=_("评分"), required=False)
    comment = forms.CharField(label=_("评审意见"), required=False, widget=forms.Textarea(
        attrs={"rows": 2}))
    evidence = forms.CharField(label=_("佐证材料"), required=False, widget=forms.Textarea(
        attrs={"rows": 2, "placeholder": _("每行一条：名称 链接，如 会议纪要 /evidence/12/")}))

    def evidence_links(self) -> list[dict[str, str]]:
        links = []
        for line in (self.cleaned_data.get("evidence") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            label, _sep, url = line.rpartition(" ")
            if not label or not (url.startswith("/") or url.startswith("http")):
                label, url = line, ""
            links.append({"label": label.strip(), "url": url.strip()})
        return links
